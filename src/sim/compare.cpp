#include "sim/compare.h"

namespace es::sim {
namespace {

// The parts of Figures 4-5, told apart by what the planner made each step (inference_plan.cpp).
enum Part { dla_layers, gpu_layers, reformats, loadable_launches, handoff_syncs, copies, final_sync, part_count };
constexpr const char* kPartNames[] = {"DLA layers", "GPU layers", "reformats at hand-offs and I/O",
                                      "DLA loadable launches", "DLA/GPU synchronisation", "copies in/out",
                                      "final synchronisation"};

Part part_of(const PlanStep& s) {
  if (s.op == "Copy") return copies;
  if (s.op == "Reformat") return reformats;
  if (s.op == "DLA loadable launch") return loadable_launches;
  if (s.op == "Sync") return s.phase == bench::Phase::sync ? final_sync : handoff_syncs;
  return s.engine == EngineKind::dla ? dla_layers : gpu_layers;
}

}  // namespace

Breakdown breakdown(const Simulation& sim) {
  Breakdown b;
  for (int p = 0; p < part_count; ++p) b.parts.push_back({kPartNames[p]});
  // The timeline's first entries are iteration 0 of stream 0, one per plan step, in order.
  const auto& steps = sim.plan.steps;
  for (size_t i = 0; i < steps.size() && i < sim.timeline.size(); ++i) {
    Breakdown::Part& part = b.parts[static_cast<size_t>(part_of(steps[i]))];
    ++part.count;
    part.ms += sim.timeline[i].duration_us / 1000;
    b.total_ms += sim.timeline[i].duration_us / 1000;
  }
  return b;
}

Result<Comparison> compare(const Graph& graph, const placement::Target& target, const CompareOptions& options) {
  if (target.dla_cores == 0)
    return error(StatusCode::invalid_argument, "--target {}: has no DLA to compare the GPU with", target.name);
  if (options.sim.timeline_iterations < 1)
    return error(StatusCode::invalid_argument, "compare needs the first iteration's timeline");
  Comparison c;
  SimOptions o = options.sim;
  o.plan.device = "gpu";
  ES_ASSIGN_OR_RETURN(c.gpu, simulate(graph, target, o));
  o.plan.device = options.dla_device;
  ES_ASSIGN_OR_RETURN(c.dla, simulate(graph, target, o));
  c.ratio = c.dla.result.summary.latency.mean / c.gpu.result.summary.latency.mean;
  c.gpu_breakdown = breakdown(c.gpu);
  c.dla_breakdown = breakdown(c.dla);
  for (size_t i = 0; i < c.dla.plan.steps.size() && i < c.dla.timeline.size(); ++i) {
    const PlanStep& s = c.dla.plan.steps[i];
    if (s.layer && s.engine == EngineKind::gpu && s.op != "Reformat")
      c.fallback.push_back({s.name, s.op, c.dla.timeline[i].duration_us / 1000});
  }
  return c;
}

}  // namespace es::sim
