// `edgescope simulate MODEL --target T`: predict a run on a target's GPU or DLA (no device needed) in the
// results model of `bench`, so predicted and measured runs print, export and trace alike.
#include "base/sha256.h"
#include "cli/command.h"
#include "cli/model_options.h"
#include "placement/target.h"
#include "report/bench_report.h"
#include "runtime/provenance.h"
#include "sim/simulate.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>

namespace es::cli {
namespace {

struct SimulateCliOptions {
  ModelCliOptions model;
  std::string target;
  std::string device = "gpu";
  std::string precision = "fp16";
  std::string trt = "8.5";
  bool symbolic_batch = false;
  int64_t batch = 0;
  int64_t iterations = 1000;
  int streams = 1;
  std::string json_path, trace_path;
};

std::string layer_table(const bench::Result& r) {
  std::string out = fmt::format("--- predicted per-layer time ({} layers, in execution order) ---\n", r.layers.size());
  out += fmt::format("{:<6} {:>10} {:>7}  {:<20} {}\n", "device", "avg ms", "%", "op", "name");
  for (const bench::LayerProfile& l : r.layers)
    out += fmt::format("{:<6} {:>10.4f} {:>6.2f}%  {:<20} {}\n", l.device, l.average_ms, l.percentage, l.op, l.name);
  return out;
}

std::string plan_summary(const sim::InferencePlan& p) {
  std::string out = fmt::format("--- placement on {} ({}) ---\n", p.target, p.device);
  out += fmt::format("network layers {}, falling back to the GPU {}; engine layers {} ({} on the GPU)\n",
                     p.network_layers, p.network_gpu, p.engine_layers, p.engine_gpu_layers);
  if (p.device != "gpu") out += fmt::format("DLA loadables {}, DLA/GPU boundaries {}\n", p.dla_loadables, p.boundaries);
  for (const std::string& note : p.notes) out += fmt::format("note: {}\n", note);
  return out;
}

// The bench timeline plus one track per simulated engine, through the one trace writer.
report::ChromeTrace simulation_trace(const sim::Simulation& sim) {
  report::ChromeTrace trace = report::to_trace(sim.result);
  double run_start_us = 0;
  for (const bench::SetupPhase& s : sim.result.setup) run_start_us += s.ms * 1000;
  for (const sim::TimelineSpan& span : sim.timeline)
    trace.add({span.name, "simulated", span.engine, fmt::format("stream {}", span.stream), run_start_us + span.start_us,
               span.duration_us, {{"op", span.op}, {"iteration", std::to_string(span.iteration)}}});
  return trace;
}

Status write_text(const std::string& path, const std::string& text, const char* what) {
  if (path.empty()) return {};
  std::ofstream out(path, std::ios::binary);
  if (!out || !(out << text)) return error(StatusCode::not_found, "{}: cannot write '{}'", what, path);
  return {};
}

Status run_simulate(const SimulateCliOptions& o) {
  ES_ASSIGN_OR_RETURN(LoadOptions load, to_load_options(o.model));
  if (o.batch > 0) load.import.batch = o.batch;
  ES_ASSIGN_OR_RETURN(Graph graph, es::load_model(o.model.model_path, load));
  ES_ASSIGN_OR_RETURN(placement::Target target, placement::find_target(o.target));
  sim::SimOptions options;
  options.plan.device = o.device;
  ES_ASSIGN_OR_RETURN(options.plan.precision, sim::parse_precision(o.precision));
  ES_ASSIGN_OR_RETURN(options.plan.trt, placement::parse_trt_version(o.trt));
  options.plan.symbolic_batch = o.symbolic_batch;
  options.iterations = o.iterations;
  options.streams = o.streams;
  ES_ASSIGN_OR_RETURN(sim::Simulation sim, sim::simulate(graph, target, options));

  bench::Result& r = sim.result;
  r.provenance.host = host_description();
  r.provenance.model_path = o.model.model_path;
  ES_ASSIGN_OR_RETURN(r.provenance.model_sha256, sha256_file(o.model.model_path));
  r.provenance.date = utc_now_iso8601();
  r.options["model"] = o.model.model_path;
  r.options["trt"] = o.trt;
  r.options["passes"] = o.model.passes;
  r.options["symbolic_batch"] = o.symbolic_batch ? "true" : "false";

  fmt::print("{}{}{}", report::format_console(r), plan_summary(sim.plan), layer_table(r));
  ES_TRY(write_text(o.json_path, report::to_json(r), "--json"));
  if (!o.trace_path.empty())
    ES_TRY(simulation_trace(sim).write(o.trace_path, {{"model", o.model.model_path}, {"device", r.provenance.device}}));
  return {};
}

}  // namespace

Command add_simulate_command(CLI::App& app) {
  auto o = std::make_shared<SimulateCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Predict inference on a target's GPU or DLA: phases, per-layer time, hand-offs, timeline");
  add_model_options(cmd, o->model, "none");
  cmd->add_option("--target", o->target, "Built-in target (see `edgescope targets`) or a target JSON file")->required();
  cmd->add_option("--device", o->device, "gpu | dla0 | dla1 (DLA: unsupported layers fall back to the GPU)")
      ->capture_default_str();
  cmd->add_option("--precision", o->precision, "fp32 (GPU only) | fp16 | int8")->capture_default_str();
  cmd->add_option("--trt", o->trt, "TensorRT release whose parser and DLA rules apply: 8.5, 8.6, 10")->capture_default_str();
  cmd->add_flag("--symbolic-batch", o->symbolic_batch,
                "The ONNX inputs declare a symbolic batch dimension (as the ONNX Model Zoo files do): TensorRT's "
                "network keeps -1 there and the parser's shape arithmetic becomes layers");
  cmd->add_option("--batch", o->batch, "Batch size bound to the inputs' leading dimension");
  cmd->add_option("--iterations", o->iterations, "Simulated inferences per stream (the study's 1,000)")->capture_default_str();
  cmd->add_option("--streams", o->streams, "Concurrent streams sharing the engines and DRAM")->capture_default_str();
  cmd->add_option("--json", o->json_path, "Write the full result (provenance, options, samples) as JSON");
  cmd->add_option("--trace", o->trace_path, "Write a Chrome trace with one track per simulated engine");
  cmd->footer(
      "Examples:\n"
      "  edgescope simulate resnet50.onnx --target orin-agx-32gb --device dla0\n"
      "  edgescope simulate mobilenetv2.onnx --target orin-agx-32gb --device gpu --precision int8 --trace sim.json");
  return {cmd, [o] { return run_simulate(*o); }};
}

}  // namespace es::cli
