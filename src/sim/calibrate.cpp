#include "sim/calibrate.h"

#include "sim/native_plan.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace es::sim {
namespace {

// Where a parameter may go: efficiencies are fractions of a peak whose clock may be understated (a VM hides
// its boost clock), so they may exceed 1; overheads are searched linearly from 0, everything else over a
// factor of 100 either way, in log space.
struct Range {
  double lo, hi;
  bool log;
};

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Range range_of(const std::string& key, double initial) {
  if (ends_with(key, "_efficiency")) return {1e-3, 4, true};
  if (ends_with(key, "_us") || ends_with(key, "_ms")) return {0, std::max(10 * initial, 100.0), false};
  double base = initial > 0 ? initial : 1;
  return {base / 100, base * 100, true};
}

// The matched layers of one profile: plan step index per measured layer (or -1).
struct Matching {
  std::vector<int> step_of_layer;
  double measured_total_ms = 0;
  int matched = 0;
};

class Objective {
 public:
  Objective(const placement::Target& target, TargetModel& model, const std::vector<MeasuredProfile>& profiles)
      : target_(target), model_(model), profiles_(profiles) {}

  // The backends' kernels of each profile's model, compiled once (the CPU's come from compiling the model).
  // On CUDA each kernel takes the implementation its measured layer names, where the profile names one: the
  // form the backend chose for a convolution by timing it when it compiled the measured program.
  Status prepare() {
    for (const MeasuredProfile& p : profiles_) {
      kernels_.emplace_back();
      if (!is_native_device(p.plan.device)) continue;
      ES_ASSIGN_OR_RETURN(kernels_.back(), native_kernels(p.graph, p.plan));
      if (p.plan.device == "cpu") continue;
      std::map<std::string, const std::string*> implementation_of;
      for (const bench::LayerProfile& l : p.layers)
        if (!l.implementation.empty()) implementation_of.emplace(l.name, &l.implementation);
      for (NativeKernel& k : kernels_.back())
        if (auto it = implementation_of.find(k.name); it != implementation_of.end()) k.implementation = *it->second;
    }
    return {};
  }

  // Per profile: predicted µs per measured layer (NaN when unmatched) and of the whole inference.
  struct Prediction {
    std::vector<double> layer_us;
    double total_us = 0;    // the plan's steps one after the other, copies included
    double compute_us = 0;  // of which the kernels (the compute phase, without the copies)
  };
  Result<InferencePlan> plan(size_t i, const PlanOptions& options) const {
    const MeasuredProfile& p = profiles_[i];
    return is_native_device(p.plan.device) ? plan_native(p.graph, kernels_[i], target_.name, model_, options)
                                           : plan_inference(p.graph, target_, model_, options);
  }

  Result<std::vector<Prediction>> predict() const {
    std::vector<Prediction> all;
    for (size_t i = 0; i < profiles_.size(); ++i) {
      const MeasuredProfile& p = profiles_[i];
      // The profiling runs launch every kernel from the host unless they replayed the layers in a CUDA Graph
      // (older profiles did so also where the timed loop replayed one).
      PlanOptions profiling = p.plan;
      profiling.cuda_graph = p.layers_in_graph;
      ES_ASSIGN_OR_RETURN(InferencePlan plan, this->plan(i, profiling));
      std::map<std::string, const PlanStep*> by_name;
      for (const PlanStep& s : plan.steps)
        if (s.layer) by_name.emplace(s.name, &s);
      Prediction predicted;
      for (const bench::LayerProfile& l : p.layers) {
        auto it = by_name.find(l.name);
        const double event_us = p.layers_in_graph ? model_.cuda.graph_event_us : 0;
        predicted.layer_us.push_back(it == by_name.end() ? std::nan("") : step_time_us(*it->second) + event_us);
      }
      if (p.plan.cuda_graph) {
        ES_ASSIGN_OR_RETURN(InferencePlan replayed, this->plan(i, p.plan));
        plan = std::move(replayed);
      }
      for (const PlanStep& s : plan.steps) {
        predicted.total_us += step_time_us(s);
        if (s.phase == bench::Phase::compute) predicted.compute_us += step_time_us(s);
      }
      all.push_back(std::move(predicted));
    }
    return all;
  }

  Result<double> value() const {
    ES_ASSIGN_OR_RETURN(auto predicted, predict());
    double sum = 0;
    for (size_t p = 0; p < profiles_.size(); ++p) {
      const auto& layers = profiles_[p].layers;
      const std::vector<double>& layer_us = predicted[p].layer_us;
      double total = 0;
      int n = 0;
      for (size_t l = 0; l < layers.size(); ++l)
        if (!std::isnan(layer_us[l]) && layers[l].median_ms > 0) total += layers[l].median_ms, ++n;
      for (size_t l = 0; l < layers.size(); ++l) {
        if (std::isnan(layer_us[l]) || layers[l].median_ms <= 0) continue;
        double weight = (layers[l].median_ms / total + 1.0 / n) / 2;
        double e = std::log(std::max(layer_us[l], 1e-9) / (layers[l].median_ms * 1000));
        sum += weight * e * e;
      }
      // The whole inference as the timed loop measured it weighs as much as all its layers together: the
      // profiling runs time each kernel on its own (on a GPU with an event pair around it), so their sum
      // differs from the timed loop by what a kernel costs in sequence.
      // Where the GPU's compute was measured apart, the compute and the host's part (copies, staging) are two
      // terms, each weighted by its share of the latency: an error in the kernels then does not move the
      // copies' parameters to make up for it (what the host adds is far from proportional to the compute).
      const MeasuredProfile& m = profiles_[p];
      if (m.latency_ms > 0 && m.compute_ms > 0 && m.compute_ms < m.latency_ms) {
        const double share = m.compute_ms / m.latency_ms;
        double compute = std::log(std::max(predicted[p].compute_us, 1e-9) / (m.compute_ms * 1000));
        double rest = std::log(std::max(predicted[p].total_us - predicted[p].compute_us, 1e-9) /
                               ((m.latency_ms - m.compute_ms) * 1000));
        sum += share * compute * compute + (1 - share) * rest * rest;
      } else if (m.latency_ms > 0) {
        double e = std::log(std::max(predicted[p].total_us, 1e-9) / (m.latency_ms * 1000));
        sum += e * e;
      }
    }
    return sum;
  }

 private:
  const placement::Target& target_;
  TargetModel& model_;
  const std::vector<MeasuredProfile>& profiles_;
  std::vector<std::vector<NativeKernel>> kernels_;  // by profile; empty for TensorRT devices
};

// Golden-section search for the minimum of f over [lo, hi] (in log space when `log`).
template <typename F>
Result<double> golden_section(double lo, double hi, bool log, F&& f) {
  auto x_of = [&](double t) { return log ? std::exp(t) : t; };
  double a = log ? std::log(lo) : lo, b = log ? std::log(hi) : hi;
  const double r = (std::sqrt(5.0) - 1) / 2;
  double c = b - r * (b - a), d = a + r * (b - a);
  ES_ASSIGN_OR_RETURN(double fc, f(x_of(c)));
  ES_ASSIGN_OR_RETURN(double fd, f(x_of(d)));
  for (int i = 0; i < 48; ++i) {
    if (fc < fd) {
      b = d, d = c, fd = fc;
      c = b - r * (b - a);
      ES_ASSIGN_OR_RETURN(fc, f(x_of(c)));
    } else {
      a = c, c = d, fc = fd;
      d = a + r * (b - a);
      ES_ASSIGN_OR_RETURN(fd, f(x_of(d)));
    }
  }
  return x_of((a + b) / 2);
}

ProfileError profile_error(const MeasuredProfile& p, const std::vector<double>& before, const std::vector<double>& after) {
  ProfileError e;
  e.source = p.source;
  e.measured = static_cast<int>(p.layers.size());
  double sq_before = 0, sq_after = 0;
  for (size_t l = 0; l < p.layers.size(); ++l) {
    if (std::isnan(before[l]) || p.layers[l].median_ms <= 0) continue;
    ++e.matched;
    e.layer_sum_measured_ms += p.layers[l].median_ms;
    e.layer_sum_before_ms += before[l] / 1000;
    e.layer_sum_after_ms += after[l] / 1000;
    sq_before += std::pow(std::log(before[l] / 1000 / p.layers[l].median_ms), 2);
    sq_after += std::pow(std::log(after[l] / 1000 / p.layers[l].median_ms), 2);
  }
  if (e.matched > 0) {
    e.rms_log_before = std::sqrt(sq_before / e.matched);
    e.rms_log_after = std::sqrt(sq_after / e.matched);
  }
  return e;
}

}  // namespace

double step_time_us(const PlanStep& s) {
  double memory = s.dram_bytes > 0 && s.bandwidth_gb_s > 0 ? s.dram_bytes / (s.bandwidth_gb_s * 1e3) : 0;
  return s.fixed_us + std::max(s.compute_us, memory);
}

std::vector<std::string> default_fit_keys(const std::string& device, bool pinned_copies) {
  if (device == "cpu")
    return {"cpu.conv_efficiency",           "cpu.winograd_efficiency",           "cpu.depthwise_efficiency",
            "cpu.bandwidth_gb_s",            "cpu.stream_l2_bandwidth_gb_s",      "cpu.stream_l3_bandwidth_gb_s",
            "cpu.stream_dram_bandwidth_gb_s", "cpu.reorder_efficiency",           "cpu.vector_math_ns_per_element",
            "cpu.broadcast_ns_per_element",  "cpu.broadcast_row_ns",              "cpu.matrix_overhead_us",
            "cpu.eltwise_overhead_us",       "cpu.reorder_overhead_us",           "cpu.reference_overhead_us",
            "cpu.reference_ns_per_element",  "cpu.reference_math_ns_per_element", "cpu.resize_ns_per_element",
            "cpu.onednn_reference_ns_per_element", "cpu.reference_run_ns", "cpu.conv_l2_bandwidth_gb_s",
            "cpu.conv_l3_bandwidth_gb_s", "cpu.stem_efficiency", "cpu.warm_call_fraction",
            "cpu.fused_block_rate"};
  // The copies are part of the timed latency: at large batches the host's staging of the input is a good part.
  std::vector<std::string> keys = {
      "cuda.fp32_efficiency",       "cuda.tensor_efficiency",     "cuda.dram_efficiency",
      "cuda.kernel_us",             "cuda.library_call_us",       "cuda.graph_kernel_us",
      "cuda.graph_library_us",      "cuda.graph_event_us",        "cuda.strided_ns_per_element",
      "cuda.eltwise_ns_per_element", "cuda.cudnn_fp32_efficiency", "cuda.cudnn_tensor_efficiency",
      "cuda.cudnn_graph_efficiency", "cuda.cudnn_graph_us",       "cuda.fp32_k_ns",
      "cuda.tensor_k_ns",           "cuda.depthwise_efficiency",  "cuda.depthwise_us",
      "cuda.stem_efficiency",
      "memory.host_copy_gb_s",      "memory.copy_latency_us",     "memory.staging_gb_s"};
  if (pinned_copies) keys.push_back("memory.dma_gb_s");
  return keys;
}

Result<Calibration> calibrate(const placement::Target& target, TargetModel& model,
                              const std::vector<MeasuredProfile>& profiles, const std::vector<std::string>& keys) {
  if (profiles.empty()) return error(StatusCode::invalid_argument, "calibrate: no measured profiles given");
  for (const MeasuredProfile& p : profiles)
    if (p.layers.empty())
      return error(StatusCode::invalid_argument, "{}: no per-layer profile (measure with `edgescope bench --profile-layers N`)",
                   p.source);
  Objective objective(target, model, profiles);
  ES_TRY(objective.prepare());
  ES_ASSIGN_OR_RETURN(auto before, objective.predict());
  for (size_t p = 0; p < profiles.size(); ++p)
    if (std::all_of(before[p].layer_us.begin(), before[p].layer_us.end(), [](double v) { return std::isnan(v); }))
      return error(StatusCode::invalid_argument, "{}: none of its {} layers matches a kernel of the plan on '{}' (another model "
                   "version or other passes?)", profiles[p].source, profiles[p].layers.size(), target.name);

  Calibration c;
  std::vector<double*> slots;
  for (const std::string& key : keys) {
    double* slot = model_parameter(model, key);
    if (!slot) return error(StatusCode::invalid_argument, "--fit '{}': not a parameter the simulator reads", key);
    slots.push_back(slot);
    c.parameters.push_back({key, *slot, *slot, false});
  }
  ES_ASSIGN_OR_RETURN(c.objective_before, objective.value());

  // A parameter is constrained when changing it changes the objective.
  for (size_t i = 0; i < slots.size(); ++i) {
    const double kept = *slots[i];
    *slots[i] = kept > 0 ? kept * 1.5 : 1;
    ES_ASSIGN_OR_RETURN(double moved, objective.value());
    *slots[i] = kept;
    c.parameters[i].constrained = std::abs(moved - c.objective_before) > 1e-15 * std::max(1.0, c.objective_before);
  }

  double current = c.objective_before;
  for (int sweep = 0; sweep < 40; ++sweep) {
    double largest_move = 0;
    for (size_t i = 0; i < slots.size(); ++i) {
      if (!c.parameters[i].constrained) continue;
      const double kept = *slots[i];
      Range r = range_of(c.parameters[i].key, c.parameters[i].before);
      ES_ASSIGN_OR_RETURN(double best, golden_section(r.lo, r.hi, r.log, [&](double x) -> Result<double> {
        *slots[i] = x;
        return objective.value();
      }));
      *slots[i] = best;
      ES_ASSIGN_OR_RETURN(double value, objective.value());
      if (value > current) {  // the search found a worse local minimum: keep the old value
        *slots[i] = kept;
        continue;
      }
      current = value;
      largest_move = std::max(largest_move, std::abs(best - kept) / std::max(std::abs(kept), 1e-9));
    }
    if (largest_move < 1e-7) break;
  }
  c.objective_after = current;
  for (size_t i = 0; i < slots.size(); ++i) {
    FittedParameter& p = c.parameters[i];
    p.after = *slots[i];
    Range r = range_of(p.key, p.before);
    p.at_range_edge = p.constrained && (std::abs(p.after - r.hi) <= 1e-3 * r.hi || (r.lo > 0 && std::abs(p.after - r.lo) <= 1e-3 * r.lo));
  }
  ES_ASSIGN_OR_RETURN(auto after, objective.predict());
  for (size_t p = 0; p < profiles.size(); ++p)
    c.profiles.push_back(profile_error(profiles[p], before[p].layer_us, after[p].layer_us));
  return c;
}

std::string target_file_json(const placement::Target& target, const std::string& name, const std::string& description,
                             const std::vector<std::pair<std::string, std::pair<double, std::string>>>& values) {
  nlohmann::ordered_json doc;
  doc["name"] = name;
  doc["description"] = description;
  for (const placement::TargetParameter& p : target.parameters) {
    size_t dot = p.key.find('.');
    std::string group = p.key.substr(0, dot), field = p.key.substr(dot + 1);
    nlohmann::ordered_json entry;
    auto replaced = std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.first == p.key; });
    if (replaced != values.end()) {
      entry["value"] = replaced->second.first;
      entry["source"] = replaced->second.second;
    } else {
      if (p.number) entry["value"] = *p.number;
      else entry["value"] = p.value;
      entry["source"] = p.source;
    }
    doc[group][field] = std::move(entry);
  }
  return doc.dump(2) + "\n";
}

}  // namespace es::sim
