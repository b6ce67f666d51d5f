// GPU vs DLA for one model on one target, as the study's Figure 3 (time per inference on each, the DLA/GPU
// ratio) and Figures 4-5 (where each run's time goes: the DLA's layers, the layers that fall back to the
// GPU, the reformats and synchronisations at every hand-off, loadable launches, copies, the final wait).
#pragma once

#include "base/status.h"
#include "placement/target.h"
#include "sim/simulate.h"

#include <string>
#include <vector>

namespace es::sim {

// The time of one inference by kind of work (first iteration, serial chain: the parts sum to the latency).
struct Breakdown {
  struct Part {
    std::string name;  // "DLA layers", "GPU layers", "reformats", ...
    int count = 0;     // plan steps of this kind
    double ms = 0;
  };
  std::vector<Part> parts;  // in a fixed order, zero-count parts included
  double total_ms = 0;
};

struct FallbackLayer {
  std::string name;
  std::string op;
  double ms = 0;
};

struct Comparison {
  Simulation gpu;
  Simulation dla;
  double ratio = 0;  // DLA / GPU mean latency
  Breakdown gpu_breakdown, dla_breakdown;
  std::vector<FallbackLayer> fallback;  // GPU kernels of the DLA run, reformats excluded
};

struct CompareOptions {
  SimOptions sim;           // plan.device is ignored: the GPU and `dla_device` are simulated
  std::string dla_device = "dla0";
};

Breakdown breakdown(const Simulation& sim);
Result<Comparison> compare(const Graph& graph, const placement::Target& target, const CompareOptions& options);

}  // namespace es::sim
