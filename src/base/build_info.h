// What built this binary: version, git commit and build type, for reports' provenance. Generated into one
// source file at build time (cmake/write_build_info.cmake) so that a new commit does not rebuild the tree.
#pragma once

namespace es {

struct BuildInfo {
  const char* version;     // "0.1.0"
  const char* git_commit;  // short hash, "+local-changes" when src/ differs from it, or "unknown"
  const char* build_type;  // "Release", "Debug", ...
};

const BuildInfo& build_info();

}  // namespace es
