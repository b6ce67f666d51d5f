#include "report/bench_report.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace es::report {
namespace {

using bench::Phase;
using bench::phase_count;
using bench::Summary;
using json = nlohmann::ordered_json;

json summary_json(const Summary& s) {
  return {{"count", s.count}, {"min", s.min},   {"max", s.max},       {"mean", s.mean},
          {"median", s.median}, {"p90", s.p90}, {"p95", s.p95},       {"p99", s.p99},
          {"stddev", s.stddev}, {"cv_percent", s.cv_percent}};
}

std::string summary_line(const char* label, const Summary& s) {
  return fmt::format("{:<14} min {:.4f}  max {:.4f}  mean {:.4f}  median {:.4f}  p90 {:.4f}  p95 {:.4f}  p99 {:.4f}"
                     "  stddev {:.4f}  CV {:.2f}%  (ms)\n",
                     label, s.min, s.max, s.mean, s.median, s.p90, s.p95, s.p99, s.stddev, s.cv_percent);
}

}  // namespace

std::string format_console(const bench::Result& r) {
  std::string out;
  out += fmt::format("=== {} on {} ===\n", r.provenance.model_path, r.provenance.device);
  out += fmt::format("mode {}, scenario {}, batch {}, {} timed iterations in {:.3f} s\n", r.mode, r.scenario, r.batch,
                     r.run.iterations.size(), r.run.wall_ms / 1000);
  if (!r.setup.empty()) {
    out += "--- one-time phases ---\n";
    for (const auto& p : r.setup) out += fmt::format("{:<24} {:>10.3f} ms\n", p.name, p.ms);
  }
  out += "--- per inference ---\n";
  out += summary_line("latency", r.summary.latency);
  for (size_t p = 0; p < phase_count; ++p) {
    std::string label(bench::phase_name(static_cast<Phase>(p)));
    out += summary_line(label.c_str(), r.summary.phases[p]);
  }
  out += fmt::format("throughput     {:.2f} inferences/s\n", r.summary.throughput_qps);
  if (!r.layers.empty()) {
    std::vector<bench::LayerProfile> slowest = r.layers;
    std::stable_sort(slowest.begin(), slowest.end(), [](const auto& a, const auto& b) { return a.total_ms > b.total_ms; });
    out += fmt::format("--- slowest layers ({} profiling runs, {} layers) ---\n", r.profile_iterations, r.layers.size());
    for (size_t i = 0; i < std::min<size_t>(10, slowest.size()); ++i)
      out += fmt::format("{:>9.4f} ms {:>6.2f}%  {:<12} {}\n", slowest[i].average_ms, slowest[i].percentage,
                         slowest[i].op, slowest[i].name);
  }
  if (r.accuracy && r.accuracy->images > 0) {
    double n = static_cast<double>(r.accuracy->images);
    out += fmt::format("accuracy: top-1 {:.2f}%  top-5 {:.2f}% over {} images\n", r.accuracy->top1 * 100.0 / n,
                       r.accuracy->top5 * 100.0 / n, r.accuracy->images);
  }
  for (const auto& w : r.warnings) out += fmt::format("warning: {}\n", w);
  return out;
}

std::string to_json(const bench::Result& r, bool with_iterations) {
  const auto& p = r.provenance;
  json doc;
  doc["provenance"] = {{"tool", "edgescope"},          {"version", p.tool_version}, {"git_commit", p.git_commit},
                       {"build_type", p.build_type},   {"libraries", p.libraries},  {"device", p.device},
                       {"host", p.host},               {"model", p.model_path},     {"model_sha256", p.model_sha256},
                       {"date", p.date},               {"simulated", p.simulated}};
  doc["options"] = r.options;
  doc["mode"] = r.mode;
  doc["scenario"] = r.scenario;
  doc["batch"] = r.batch;
  json setup = json::array();
  for (const auto& s : r.setup) setup.push_back({{"name", s.name}, {"ms", s.ms}});
  doc["setup"] = setup;
  json summary = {{"latency_ms", summary_json(r.summary.latency)}, {"throughput_qps", r.summary.throughput_qps},
                  {"wall_ms", r.run.wall_ms}};
  for (size_t i = 0; i < phase_count; ++i)
    summary[fmt::format("{}_ms", bench::phase_name(static_cast<Phase>(i)))] = summary_json(r.summary.phases[i]);
  doc["summary"] = summary;
  json layers = json::array();
  for (const auto& l : r.layers) {
    json layer = {{"name", l.name}, {"op", l.op}, {"device", l.device}, {"total_ms", l.total_ms},
                  {"average_ms", l.average_ms}, {"median_ms", l.median_ms}, {"percentage", l.percentage}};
    if (!l.implementation.empty()) layer["implementation"] = l.implementation;
    layers.push_back(std::move(layer));
  }
  doc["layers"] = layers;
  doc["profile_iterations"] = r.profile_iterations;
  if (r.accuracy) {
    json predictions = json::array();
    for (const auto& p : r.accuracy->predictions)
      predictions.push_back({{"image", p.image}, {"label", p.label}, {"top1", p.top1}});
    doc["accuracy"] = {{"images", r.accuracy->images}, {"top1", r.accuracy->top1}, {"top5", r.accuracy->top5},
                       {"predictions", std::move(predictions)}};
  }
  doc["warnings"] = r.warnings;
  if (with_iterations) {
    json iterations = json::array();
    for (const auto& it : r.run.iterations) {
      json row = {{"stream", it.stream}, {"input", it.input_index}, {"start_ms", it.start_ms}, {"latency_ms", it.latency_ms}};
      for (size_t i = 0; i < phase_count; ++i)
        row[fmt::format("{}_ms", bench::phase_name(static_cast<Phase>(i)))] = it.phase_ms[i];
      iterations.push_back(std::move(row));
    }
    doc["iterations"] = std::move(iterations);
  }
  return doc.dump(2);
}

std::string to_csv(const bench::Result& r) {
  std::string out = "stream,input,start_ms,latency_ms";
  for (size_t i = 0; i < phase_count; ++i) out += fmt::format(",{}_ms", bench::phase_name(static_cast<Phase>(i)));
  out += '\n';
  for (const auto& it : r.run.iterations) {
    out += fmt::format("{},{},{:.6f},{:.6f}", it.stream, it.input_index, it.start_ms, it.latency_ms);
    for (double v : it.phase_ms) out += fmt::format(",{:.6f}", v);
    out += '\n';
  }
  return out;
}

ChromeTrace to_trace(const bench::Result& r) {
  ChromeTrace trace;
  const std::string device = r.provenance.device.empty() ? "device" : r.provenance.device;
  double t = 0;
  for (const auto& s : r.setup) {
    trace.add({s.name, "setup", "host", "setup", t * 1000, s.ms * 1000, {}});
    t += s.ms;
  }
  const double run_start_ms = t;
  for (const auto& it : r.run.iterations) {
    double start = run_start_ms + it.start_ms;
    std::string track = fmt::format("stream {}", it.stream);
    trace.add({fmt::format("inference {}", it.input_index), "iteration", device, track + " iterations", start * 1000,
               it.latency_ms * 1000, {{"latency_ms", fmt::format("{:.4f}", it.latency_ms)}}});
    for (size_t p = 0; p < phase_count; ++p) {
      if (it.phase_ms[p] <= 0) continue;
      trace.add({std::string(bench::phase_name(static_cast<Phase>(p))), "phase", device, track,
                 (start + it.phase_start_ms[p]) * 1000, it.phase_ms[p] * 1000, {}});
    }
  }
  // The profiled layers after the run, one after another with their average duration.
  double layer_t = run_start_ms + r.run.wall_ms;
  for (const auto& l : r.layers) {
    trace.add({l.name, "layer", l.device.empty() ? device : l.device, "layers (profile run, average)", layer_t * 1000,
               l.average_ms * 1000, {{"op", l.op}}});
    layer_t += l.average_ms;
  }
  return trace;
}

std::string to_trtexec_times(const bench::Result& r) {
  json out = json::array();
  auto at = [](const bench::Iteration& it, Phase p) { return it.start_ms + it.phase_start_ms[static_cast<size_t>(p)]; };
  auto len = [](const bench::Iteration& it, Phase p) { return it.phase_ms[static_cast<size_t>(p)]; };
  for (const auto& it : r.run.iterations) {
    double h2d = len(it, Phase::h2d), compute = len(it, Phase::compute), d2h = len(it, Phase::d2h);
    out.push_back({{"startEnqMs", it.start_ms},
                   {"endEnqMs", at(it, Phase::d2h) + d2h},
                   {"startH2dMs", at(it, Phase::h2d)},
                   {"endH2dMs", at(it, Phase::h2d) + h2d},
                   {"startComputeMs", at(it, Phase::compute)},
                   {"endComputeMs", at(it, Phase::compute) + compute},
                   {"startD2hMs", at(it, Phase::d2h)},
                   {"endD2hMs", at(it, Phase::d2h) + d2h},
                   {"h2dMs", h2d},
                   {"computeMs", compute},
                   {"d2hMs", d2h},
                   {"latencyMs", h2d + compute + d2h}});
  }
  return out.dump(2);
}

std::string to_trtexec_profile(const bench::Result& r) {
  json out = json::array();
  out.push_back({{"count", r.profile_iterations}});
  for (const auto& l : r.layers)
    out.push_back({{"name", l.name}, {"timeMs", l.total_ms}, {"averageMs", l.average_ms}, {"medianMs", l.median_ms},
                   {"percentage", l.percentage}});
  return out.dump(2);
}

}  // namespace es::report
