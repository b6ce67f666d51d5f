// The --target part of `edgescope inspect`: where every layer would run on a Jetson (DLA or GPU) when TensorRT
// builds the model, why, and how many DLA/GPU hand-offs the engine gets. inspect_command.cpp binds the options
// and calls print_target_analysis on the graph as imported (passes "none").
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <string>

namespace CLI {
class App;
}

namespace es::cli {

struct TargetCliOptions {
  std::string target;  // built-in name, "host", or a target file; empty = no target analysis
  std::string device = "dla0";
  std::string precision = "fp16";
  std::string trt = "8.5";
  bool allow_gpu_fallback = false;
  bool symbolic_batch = false;
  std::string format = "table";  // set by inspect from its own --format: table | json | md
};

void add_target_options(CLI::App* inspect, TargetCliOptions& options);
Status print_target_analysis(const Graph& graph, const TargetCliOptions& options);

}  // namespace es::cli
