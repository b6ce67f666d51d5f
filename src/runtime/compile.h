// Compiling a loaded graph into an Executable for a device.
#pragma once

#include "backends/executable.h"
#include "base/status.h"
#include "ir/graph.h"

#include <memory>
#include <string>

namespace es {

struct CompileOptions {
  std::string device = "cpu";  // "cpu" | "cuda" | "cuda:N"
  int threads = 0;             // CPU threads; 0 = all cores
  std::string precision = "fp32";
};

Result<std::unique_ptr<Executable>> compile(const Graph& graph, const CompileOptions& options);

}  // namespace es
