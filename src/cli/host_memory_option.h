// --host-memory, shared by bench (where the inputs and outputs lie) and simulate (where they are assumed to lie),
// so that both read and check it the same way.
#pragma once

#include "base/status.h"

#include <string>

namespace CLI {
class App;
}

namespace es::cli {

void add_host_memory_option(CLI::App* command, std::string& host_memory, const std::string& group = "");

// True for "pinned", false for "pageable"; a one-line error naming the option otherwise.
Result<bool> parse_host_memory(const std::string& host_memory);

}  // namespace es::cli
