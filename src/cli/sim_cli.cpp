#include "cli/sim_cli.h"

#include "report/bench_report.h"

#include <fmt/format.h>

#include <fstream>

namespace es::cli {
namespace {

double phase_mean(const bench::Result& r, bench::Phase p) { return r.summary.phases[static_cast<size_t>(p)].mean; }

}  // namespace

Result<Graph> load_for_device(const ModelCliOptions& options, int64_t batch, const std::string& device) {
  ModelCliOptions resolved = options;
  if (resolved.passes == "auto") resolved.passes = sim::is_native_device(device) ? "default" : "none";
  ES_ASSIGN_OR_RETURN(LoadOptions load, to_load_options(resolved));
  if (batch > 0) load.import.batch = batch;
  return es::load_model(resolved.model_path, load);
}

std::string plan_summary(const sim::InferencePlan& p) {
  std::string out = fmt::format("--- placement on {} ({}) ---\n", p.target, p.device);
  if (sim::is_native_device(p.device))
    return out + fmt::format("{} kernels of edgescope's {} backend\n", p.engine_layers, p.device);
  out += fmt::format("network layers {}, falling back to the GPU {}; engine layers {} ({} on the GPU)\n",
                     p.network_layers, p.network_gpu, p.engine_layers, p.engine_gpu_layers);
  if (p.device != "gpu") out += fmt::format("DLA loadables {}, DLA/GPU boundaries {}\n", p.dla_loadables, p.boundaries);
  for (const std::string& note : p.notes) out += fmt::format("note: {}\n", note);
  return out;
}

std::string layer_table(const bench::Result& r) {
  std::string out = fmt::format("--- predicted per-layer time ({} layers, in execution order) ---\n", r.layers.size());
  out += fmt::format("{:<6} {:>10} {:>7}  {:<20} {}\n", "device", "avg ms", "%", "op", "name");
  for (const bench::LayerProfile& l : r.layers)
    out += fmt::format("{:<6} {:>10.4f} {:>6.2f}%  {:<20} {}\n", l.device, l.average_ms, l.percentage, l.op, l.name);
  return out;
}

void add_simulation_trace(report::ChromeTrace& trace, const sim::Simulation& sim, const std::string& prefix) {
  const report::ChromeTrace measured_style = report::to_trace(sim.result);  // keep it alive while iterating
  for (report::TraceEvent e : measured_style.events()) {
    e.process = prefix + e.process;
    trace.add(std::move(e));
  }
  double run_start_us = 0;
  for (const bench::SetupPhase& s : sim.result.setup) run_start_us += s.ms * 1000;
  for (const sim::TimelineSpan& span : sim.timeline)
    trace.add({span.name, "simulated", prefix + span.engine, fmt::format("stream {}", span.stream),
               run_start_us + span.start_us, span.duration_us,
               {{"op", span.op}, {"iteration", std::to_string(span.iteration)}}});
}

std::string comparison_table(const sim::Comparison& c, const std::string& model) {
  const bench::Result& g = c.gpu.result;
  const bench::Result& d = c.dla.result;
  std::string out = fmt::format("=== {} on {}, {}, batch {} (simulated, {} iterations) ===\n", model, c.gpu.plan.target,
                                sim::precision_name(c.gpu.plan.precision), g.batch, g.run.iterations.size());
  out += "--- time per inference, copies included (the study's Figure 3) ---\n";
  out += fmt::format("{:<22} {:>12} {:>12} {:>9}\n", "", "GPU", fmt::format("DLA ({})", c.dla.plan.device), "DLA/GPU");
  out += fmt::format("{:<22} {:>9.3f} ms {:>9.3f} ms {:>8.2f}x\n", "latency (mean)", g.summary.latency.mean,
                     d.summary.latency.mean, c.ratio);
  for (bench::Phase p : {bench::Phase::h2d, bench::Phase::compute, bench::Phase::d2h, bench::Phase::sync})
    out += fmt::format("{:<22} {:>9.3f} ms {:>9.3f} ms\n", fmt::format("  {}", bench::phase_name(p)), phase_mean(g, p),
                       phase_mean(d, p));
  out += "--- engine build (the study's Table 1) ---\n";
  out += fmt::format("network layers {}, falling back to the GPU {}; engine layers {} ({} on the GPU); DLA loadables {}, "
                     "DLA/GPU boundaries {}\n",
                     c.dla.plan.network_layers, c.dla.plan.network_gpu, c.dla.plan.engine_layers,
                     c.dla.plan.engine_gpu_layers, c.dla.plan.dla_loadables, c.dla.plan.boundaries);
  out += "--- where one inference's time goes (the study's Figures 4-5) ---\n";
  out += fmt::format("{:<34} {:>16} {:>16}\n", "", "GPU run", "DLA run");
  for (size_t i = 0; i < c.gpu_breakdown.parts.size(); ++i) {
    const auto& gp = c.gpu_breakdown.parts[i];
    const auto& dp = c.dla_breakdown.parts[i];
    if (gp.count == 0 && dp.count == 0) continue;
    out += fmt::format("{:<34} {:>9.3f} ms ({:>2}) {:>9.3f} ms ({:>2})\n", gp.name, gp.ms, gp.count, dp.ms, dp.count);
  }
  out += fmt::format("{:<34} {:>9.3f} ms      {:>9.3f} ms\n", "total", c.gpu_breakdown.total_ms, c.dla_breakdown.total_ms);
  if (!c.dla.result.setup.empty())
    out += fmt::format("one-time: {} {:.3f} ms\n", c.dla.result.setup[0].name, c.dla.result.setup[0].ms);
  out += fmt::format("--- GPU fallback kernels of the DLA run ({}) ---\n", c.fallback.size());
  for (const sim::FallbackLayer& f : c.fallback) out += fmt::format("{:>9.4f} ms  {:<16} {}\n", f.ms, f.op, f.name);
  for (const std::string& note : c.dla.plan.notes) out += fmt::format("note: {}\n", note);
  return out;
}

nlohmann::json comparison_json(const sim::Comparison& c, const std::string& model) {
  auto parts = [](const sim::Breakdown& b) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& p : b.parts) j.push_back({{"part", p.name}, {"steps", p.count}, {"ms", p.ms}});
    return j;
  };
  auto run = [&](const sim::Simulation& s, const sim::Breakdown& b) {
    nlohmann::json phases;
    for (bench::Phase p : {bench::Phase::h2d, bench::Phase::compute, bench::Phase::d2h, bench::Phase::sync})
      phases[std::string(bench::phase_name(p))] = phase_mean(s.result, p);
    return nlohmann::json{{"device", s.plan.device},
                          {"latency_mean_ms", s.result.summary.latency.mean},
                          {"phases_mean_ms", phases},
                          {"breakdown", parts(b)},
                          {"result", nlohmann::json::parse(report::to_json(s.result, false))}};
  };
  nlohmann::json fallback = nlohmann::json::array();
  for (const sim::FallbackLayer& f : c.fallback) fallback.push_back({{"name", f.name}, {"op", f.op}, {"ms", f.ms}});
  const sim::InferencePlan& p = c.dla.plan;
  return {{"model", model},
          {"target", c.gpu.plan.target},
          {"precision", std::string(sim::precision_name(c.gpu.plan.precision))},
          {"batch", c.gpu.result.batch},
          {"dla_over_gpu", c.ratio},
          {"placement",
           {{"network_layers", p.network_layers},
            {"network_gpu_layers", p.network_gpu},
            {"engine_layers", p.engine_layers},
            {"engine_gpu_layers", p.engine_gpu_layers},
            {"dla_loadables", p.dla_loadables},
            {"boundaries", p.boundaries}}},
          {"gpu", run(c.gpu, c.gpu_breakdown)},
          {"dla", run(c.dla, c.dla_breakdown)},
          {"fallback_kernels", fallback}};
}

Status write_text(const std::string& path, const std::string& text, const char* option) {
  if (path.empty()) return {};
  std::ofstream out(path, std::ios::binary);
  if (!out || !(out << text)) return error(StatusCode::not_found, "{}: cannot write '{}'", option, path);
  return {};
}

}  // namespace es::cli
