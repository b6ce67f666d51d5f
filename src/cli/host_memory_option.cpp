#include "cli/host_memory_option.h"

#include <CLI/CLI.hpp>

namespace es::cli {

void add_host_memory_option(CLI::App* command, std::string& host_memory, const std::string& group) {
  CLI::Option* option =
      command->add_option("--host-memory", host_memory,
                          "cuda: where the inputs and outputs lie on the host: pinned (page-locked, moved by the copy "
                          "engine directly, as trtexec's buffers) | pageable (ordinary memory, staged through a pinned "
                          "buffer as an application's tensors are)")
          ->capture_default_str();
  if (!group.empty()) option->group(group);  // an empty group would hide it from --help
}

Result<bool> parse_host_memory(const std::string& host_memory) {
  if (host_memory == "pinned") return true;
  if (host_memory == "pageable") return false;
  return error(StatusCode::invalid_argument, "--host-memory '{}': expected pinned or pageable", host_memory);
}

}  // namespace es::cli
