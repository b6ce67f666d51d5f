// Calibration: fit a target's efficiency parameters to measured per-layer profiles (`edgescope bench
// --profile-layers N --json F`), so the simulator predicts models that were not measured. The measured
// layers are matched by name to the plan's kernels (edgescope's backends name a kernel after the ONNX nodes it
// runs, and so does the native plan); the fit minimises the weighted squared log error of the matched layers
//     sum over profiles p, layers l:  w_pl * ln(predicted_pl / measured_pl)^2,
//     w_pl = (measured_pl / measured layer time of p + 1 / layers of p) / 2
// (large layers decide the whole-model time, small ones pin the per-kernel overhead), plus the squared log
// error of the whole-model latency (where the GPU's compute is measured apart: of the compute and of the rest,
// each weighted by its share of the latency), by coordinate descent
// with golden-section searches over each parameter's range until no parameter moves. Parameters that no
// matched layer depends on are left as they are and reported as such.
#pragma once

#include "base/status.h"
#include "bench/result.h"
#include "ir/graph.h"
#include "placement/target.h"
#include "sim/inference_plan.h"
#include "sim/target_model.h"

#include <string>
#include <vector>

namespace es::sim {

// One measured run: the model as the bench ran it (after its passes, static shapes), how, and its layers.
struct MeasuredProfile {
  std::string source;  // the bench JSON it came from
  std::string model;   // model path (for reports)
  Graph graph;
  PlanOptions plan;
  std::vector<bench::LayerProfile> layers;  // measured: median_ms is used (robust to a loaded machine)
  double latency_ms = 0;                    // whole-model median latency of the timed run
  // CUDA: the GPU's part of that latency (CUDA events around the replayed inference; 0 where not measured).
  // The rest is the host's: staging and copying inputs and outputs.
  double compute_ms = 0;
  // The layers were timed replayed in a CUDA Graph (bench's layer_timing "graph"), not launched from the host.
  bool layers_in_graph = false;
};

struct FittedParameter {
  std::string key;
  double before = 0;
  double after = 0;
  bool constrained = false;  // false: no matched layer depends on it; left unchanged
  // The fit ended at the edge of the parameter's range: the layers it governs are limited by another
  // parameter there, so any value beyond fits as well (e.g. depthwise convolutions that are memory-bound).
  bool at_range_edge = false;
};

struct ProfileError {
  std::string source;
  int matched = 0, measured = 0;  // layers matched by name / measured
  double layer_sum_measured_ms = 0, layer_sum_before_ms = 0, layer_sum_after_ms = 0;  // over matched layers
  double rms_log_before = 0, rms_log_after = 0;  // per-layer RMS of ln(predicted / measured)
};

struct Calibration {
  std::vector<FittedParameter> parameters;
  std::vector<ProfileError> profiles;
  double objective_before = 0, objective_after = 0;
};

// The parameters `calibrate` fits by default for profiles of `device` (cpu; cuda / gpu); `pinned_copies`: some
// profile copied from pinned host memory, which times the copy engine's own rate (memory.dma_gb_s).
std::vector<std::string> default_fit_keys(const std::string& device, bool pinned_copies = false);

// Fits `keys` of `model` in place. Every profile must use a device the model describes and match at least
// one layer.
Result<Calibration> calibrate(const placement::Target& target, TargetModel& model,
                              const std::vector<MeasuredProfile>& profiles, const std::vector<std::string>& keys);

// Per-layer predicted time (µs) of a plan step running alone.
double step_time_us(const PlanStep& step);

// A target file with some parameters replaced: `values` by key, each with its new source note. The other
// parameters keep their values and sources; `name` and `description` replace the target's.
std::string target_file_json(const placement::Target& target, const std::string& name, const std::string& description,
                             const std::vector<std::pair<std::string, std::pair<double, std::string>>>& values);

}  // namespace es::sim
