// Compiling a loaded graph into an Executable for a device.
#pragma once

#include "backends/executable.h"
#include "base/status.h"
#include "ir/graph.h"

#include <map>
#include <memory>
#include <string>

namespace es {

struct CompileOptions {
  std::string device = "cpu";  // "cpu" | "cuda" | "cuda:N"
  int threads = 0;             // CPU threads; 0 = all cores
  std::string precision = "fp32";
  // Accelerator devices (cuda): CUDA Graph replay of the whole compute; heterogeneous plans, where nodes
  // the device does not run go to the CPU (fallback_cpu) and `pins` (node name, or an ONNX node a fused
  // node stands for -> "cpu" | the device) move nodes. The boundaries between devices are real copies.
  bool cuda_graph = false;
  bool fallback_cpu = true;
  std::map<std::string, std::string> pins;
  // Nodes a rule set keeps off the device although its backend runs them (--restrict, runtime/restriction.h):
  // node name -> why. They go where fallback sends the nodes the device does not run.
  std::map<std::string, std::string> restricted;
};

Result<std::unique_ptr<Executable>> compile(const Graph& graph, const CompileOptions& options);

}  // namespace es
