#include "base/build_info.h"
#include "sim/simulate.h"

#include "base/assert.h"
#include "bench/stats.h"
#include "sim/event_sim.h"
#include "sim/native_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace es::sim {
namespace {

// `device` is the plan's: the DLA core it names, or "cuda" for edgescope's CUDA backend on the GPU.
std::string engine_name(EngineKind kind, const std::string& device) {
  switch (kind) {
    case EngineKind::gpu: return is_native_device(device) ? device : "gpu";
    case EngineKind::dla: return device;
    case EngineKind::cpu: return "cpu";
    case EngineKind::copy_h2d: return "copy h2d";
    case EngineKind::copy_d2h: return "copy d2h";
    case EngineKind::none: return "latency";
  }
  return "?";
}

Task to_task(const PlanStep& step) {
  Task t;
  t.engine = step.engine == EngineKind::none ? kNoEngine : static_cast<int>(step.engine);
  t.fixed_us = step.fixed_us;
  t.compute_us = step.compute_us;
  t.dram_bytes = step.dram_bytes;
  t.bandwidth_gb_s = step.bandwidth_gb_s;
  return t;
}

bench::Iteration iteration_of(const std::vector<PlanStep>& steps, const Task* tasks, int stream, int64_t index) {
  bench::Iteration it;
  it.stream = stream;
  it.input_index = index;
  const double start = tasks[0].start_us, end = tasks[steps.size() - 1].end_us;
  it.start_ms = start / 1000;
  it.latency_ms = (end - start) / 1000;
  std::array<double, bench::phase_count> first, last;
  first.fill(std::numeric_limits<double>::infinity());
  last.fill(-std::numeric_limits<double>::infinity());
  for (size_t i = 0; i < steps.size(); ++i) {
    size_t p = static_cast<size_t>(steps[i].phase);
    first[p] = std::min(first[p], tasks[i].start_us);
    last[p] = std::max(last[p], tasks[i].end_us);
  }
  for (size_t p = 0; p < bench::phase_count; ++p) {
    if (last[p] < first[p]) continue;
    it.phase_ms[p] = (last[p] - first[p]) / 1000;
    it.phase_start_ms[p] = (first[p] - start) / 1000;
  }
  return it;
}

}  // namespace

Simulation run_plan(InferencePlan plan, const TargetModel& model, const SimOptions& o) {
  ES_ASSERT(o.iterations >= 1 && o.streams >= 1 && !plan.steps.empty());
  const size_t n = plan.steps.size();
  const size_t runs = static_cast<size_t>(o.iterations) * static_cast<size_t>(o.streams);
  // Task (iteration, stream, step) sits at ((iteration x streams) + stream) x n + step: streams interleave, so
  // the (ready time, index) tie-break treats them alike.
  std::vector<Task> tasks;
  tasks.reserve(runs * n);
  for (int64_t it = 0; it < o.iterations; ++it)
    for (int s = 0; s < o.streams; ++s)
      for (size_t i = 0; i < n; ++i) {
        Task t = to_task(plan.steps[i]);
        int self = static_cast<int>(tasks.size());
        if (i > 0) t.deps.push_back(self - 1);
        else if (it > 0) t.deps.push_back(self - static_cast<int>(o.streams * n) + static_cast<int>(n) - 1);
        tasks.push_back(std::move(t));
      }
  Simulation sim;
  sim.work = simulate_tasks(tasks, kEngineKinds, model.memory.dram_gb_s);

  bench::Result& r = sim.result;
  r.mode = "simulated";
  r.scenario = o.streams > 1 ? "multi-stream" : "single-stream";
  r.provenance.tool_version = build_info().version;
  r.provenance.git_commit = build_info().git_commit;
  r.provenance.build_type = build_info().build_type;
  r.provenance.device = fmt::format("{} {} (simulated)", plan.target, plan.device);
  r.provenance.simulated = true;
  r.options = {{"target", plan.target},
               {"device", plan.device},
               {"precision", std::string(precision_name(plan.precision))},
               {"iterations", std::to_string(o.iterations)},
               {"streams", std::to_string(o.streams)}};
  if (plan.dla_loadables > 0)
    r.setup.push_back({fmt::format("DLA loadable load ({})", plan.dla_loadables), plan.setup_loadable_ms});

  std::vector<std::vector<double>> layer_us(n);
  double end_us = 0;
  for (int64_t it = 0; it < o.iterations; ++it)
    for (int s = 0; s < o.streams; ++s) {
      const Task* run = &tasks[(static_cast<size_t>(it) * static_cast<size_t>(o.streams) + static_cast<size_t>(s)) * n];
      r.run.iterations.push_back(iteration_of(plan.steps, run, s, it));
      end_us = std::max(end_us, run[n - 1].end_us);
      for (size_t i = 0; i < n; ++i) {
        if (plan.steps[i].layer) layer_us[i].push_back(run[i].end_us - run[i].start_us);
        if (it < o.timeline_iterations)
          sim.timeline.push_back({plan.steps[i].name, plan.steps[i].op, engine_name(plan.steps[i].engine, plan.device),
                                  s, it, run[i].start_us, run[i].end_us - run[i].start_us});
      }
    }
  r.run.wall_ms = end_us / 1000;
  r.summary = bench::summarize_run(r.run, r.batch);
  r.warnings = bench::warnings_for(r.summary);

  double layer_sum_ms = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!plan.steps[i].layer) continue;
    bench::Summary s = bench::summarize(layer_us[i]);
    bench::LayerProfile l;
    l.name = plan.steps[i].name;
    l.op = plan.steps[i].op;
    l.device = engine_name(plan.steps[i].engine, plan.device);
    l.implementation = plan.steps[i].implementation;
    l.total_ms = s.mean * static_cast<double>(s.count) / 1000;
    l.average_ms = s.mean / 1000;
    l.median_ms = s.median / 1000;
    layer_sum_ms += l.average_ms;
    r.layers.push_back(std::move(l));
  }
  for (bench::LayerProfile& l : r.layers) l.percentage = layer_sum_ms > 0 ? l.average_ms / layer_sum_ms * 100 : 0;
  r.profile_iterations = static_cast<int64_t>(runs);
  sim.plan = std::move(plan);
  return sim;
}

Result<Simulation> simulate(const Graph& graph, const placement::Target& target, const SimOptions& options) {
  if (options.iterations < 1) return error(StatusCode::invalid_argument, "--iterations must be at least 1");
  if (options.streams < 1) return error(StatusCode::invalid_argument, "--streams must be at least 1");
  ES_ASSIGN_OR_RETURN(TargetModel model, target_model(target));
  ES_ASSIGN_OR_RETURN(InferencePlan plan, is_native_device(options.plan.device)
                                              ? plan_native(graph, target.name, model, options.plan)
                                              : plan_inference(graph, target, model, options.plan));
  int64_t batch = 1;
  if (!graph.inputs.empty() && !graph.value(graph.inputs[0]).shape.empty())
    batch = std::max<int64_t>(graph.value(graph.inputs[0]).shape[0], 1);
  Simulation sim = run_plan(std::move(plan), model, options);
  sim.result.batch = batch;
  sim.result.summary = bench::summarize_run(sim.result.run, batch);
  sim.result.options["batch"] = std::to_string(batch);
  return sim;
}

}  // namespace es::sim
