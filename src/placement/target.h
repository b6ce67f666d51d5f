// Targets: the SoC a placement is predicted for. Shipped targets are JSON data files (targets/*.json,
// embedded into the binary at build time); `host` is detected at run time; users may pass their own file.
//
// File format: {"name": "...", "description": "...", "gpu": {...}, "dla": {...}, "memory": {...}} where every
// entry of the three groups is a parameter {"value": number|string, "source": "where the value comes from"}.
// Required: name, dla.cores (0 = no DLA) and, when cores > 0, dla.version (1 = Xavier, 2 = Orin).
#pragma once

#include "base/status.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace es::placement {

struct TargetParameter {
  std::string key;     // "group.name", e.g. "dla.cores"
  std::string value;   // as written (numbers without trailing zeros)
  std::optional<double> number;
  std::string source;  // provenance note, shown by `edgescope targets`
};

struct Target {
  std::string name;
  std::string description;
  std::string origin;  // "built-in", "detected" or the file it was read from
  int dla_cores = 0;
  int dla_version = 0;  // 0 = no DLA, 1 = DLA 1.0 (Xavier), 2 = DLA 2.0 (Orin)
  std::vector<TargetParameter> parameters;

  const TargetParameter* find(std::string_view key) const;
};

struct EmbeddedTargetFile {
  std::string_view name;  // file stem
  std::string_view json;
};
// The files of targets/ as they were at build time (generated .cpp).
std::span<const EmbeddedTargetFile> embedded_target_files();

// Parses a target description. Errors are one line naming `display_name` and the offending field.
Result<Target> parse_target(std::string_view json_text, const std::string& display_name);
Result<Target> load_target_file(const std::string& path);

// This machine: its CPU (from /proc/cpuinfo) and any NVIDIA GPU the driver lists; never a DLA.
Target detect_host_target();

// Every built-in target (the embedded files plus `host`), in name order with `host` last.
std::vector<Target> builtin_targets();
// A built-in target name, or else a path to a target file.
Result<Target> find_target(const std::string& name_or_path);

}  // namespace es::placement
