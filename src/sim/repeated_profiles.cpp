#include "sim/repeated_profiles.h"

#include <fmt/format.h>

#include <map>
#include <tuple>

namespace es::sim {
namespace {

using CaseKey = std::tuple<std::string, std::string, int, int, bool, bool, bool, std::vector<Shape>>;

CaseKey case_of(const MeasuredProfile& p) {
  std::vector<Shape> inputs;
  for (ValueId v : p.graph.inputs) inputs.push_back(p.graph.value(v).shape);
  return {p.model, p.plan.device, static_cast<int>(p.plan.precision), p.plan.threads, p.plan.cuda_graph,
          p.plan.pinned_host, p.layers_in_graph, std::move(inputs)};
}

// Folds `repeat` into `merged`: per layer name the fastest median (with its implementation), the fastest
// latency and the fastest compute; a layer only the repeat has is added.
void take_fastest(MeasuredProfile& merged, const MeasuredProfile& repeat) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < merged.layers.size(); ++i) index.emplace(merged.layers[i].name, i);
  for (const bench::LayerProfile& l : repeat.layers) {
    auto it = index.find(l.name);
    if (it == index.end()) {
      index.emplace(l.name, merged.layers.size());
      merged.layers.push_back(l);
    } else if (l.median_ms > 0 && (merged.layers[it->second].median_ms <= 0 || l.median_ms < merged.layers[it->second].median_ms)) {
      merged.layers[it->second] = l;
    }
  }
  auto keep_fastest = [](double& kept, double measured) {  // 0: not measured
    if (measured > 0 && (kept <= 0 || measured < kept)) kept = measured;
  };
  keep_fastest(merged.latency_ms, repeat.latency_ms);
  keep_fastest(merged.compute_ms, repeat.compute_ms);
}

}  // namespace

std::vector<MeasuredProfile> merge_repeated_profiles(std::vector<MeasuredProfile> profiles) {
  std::vector<MeasuredProfile> merged;
  std::vector<int> repeats;
  std::map<CaseKey, size_t> index;
  for (MeasuredProfile& p : profiles) {
    auto [it, added] = index.emplace(case_of(p), merged.size());
    if (added) {
      merged.push_back(std::move(p));
      repeats.push_back(1);
    } else {
      take_fastest(merged[it->second], p);
      ++repeats[it->second];
    }
  }
  for (size_t i = 0; i < merged.size(); ++i)
    if (repeats[i] > 1) merged[i].source = fmt::format("{} (fastest of {})", merged[i].source, repeats[i]);
  return merged;
}

}  // namespace es::sim
