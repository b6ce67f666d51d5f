// `edgescope simulate MODEL --target T`: predict a run on a target's GPU, DLA or CPU (no device needed) in the
// results model of `bench`, so predicted and measured runs print, export and trace alike.
#include "base/sha256.h"
#include "cli/command.h"
#include "cli/host_memory_option.h"
#include "cli/model_options.h"
#include "cli/sim_cli.h"
#include "placement/target.h"
#include "report/bench_report.h"
#include "runtime/provenance.h"
#include "sim/simulate.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace es::cli {
namespace {

struct SimulateCliOptions {
  ModelCliOptions model;
  std::string target;
  std::string device = "gpu";
  std::string precision;  // empty: as the device's own tool runs it (below)
  std::string trt = "8.5";
  bool symbolic_batch = false;
  int64_t batch = 0;
  int threads = 0;
  bool cuda_graph = false;
  std::string host_memory = "pinned";
  int64_t iterations = 1000;
  int streams = 1;
  std::string json_path, trace_path;
};

Status run_simulate(const SimulateCliOptions& o) {
  ES_ASSIGN_OR_RETURN(Graph graph, load_for_device(o.model, o.batch, o.device));
  ES_ASSIGN_OR_RETURN(placement::Target target, placement::find_target(o.target));
  sim::SimOptions options;
  options.plan.device = o.device;
  options.plan.threads = o.threads;
  // trtexec's engines in the study ran FP16; edgescope's own backends run FP32 unless told, as `bench` does.
  const std::string precision = !o.precision.empty() ? o.precision : sim::is_native_device(o.device) ? "fp32" : "fp16";
  ES_ASSIGN_OR_RETURN(options.plan.precision, sim::parse_precision(precision));
  ES_ASSIGN_OR_RETURN(options.plan.trt, placement::parse_trt_version(o.trt));
  options.plan.symbolic_batch = o.symbolic_batch;
  options.plan.cuda_graph = o.cuda_graph;
  ES_ASSIGN_OR_RETURN(options.plan.pinned_host, parse_host_memory(o.host_memory));
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
  r.options["threads"] = std::to_string(o.threads);
  r.options["symbolic_batch"] = o.symbolic_batch ? "true" : "false";
  r.options["cuda_graph"] = o.cuda_graph ? "true" : "false";
  // As bench records it: the CPU backend's tensors are ordinary memory; TensorRT's engines on a Jetson share DRAM.
  if (o.device == "cpu") r.options["host_memory"] = "pageable";
  else if (sim::is_native_device(o.device)) r.options["host_memory"] = o.host_memory;

  fmt::print("{}{}{}", report::format_console(r), plan_summary(sim.plan), layer_table(r));
  ES_TRY(write_text(o.json_path, report::to_json(r), "--json"));
  if (!o.trace_path.empty()) {
    report::ChromeTrace trace;
    add_simulation_trace(trace, sim);
    ES_TRY(trace.write(o.trace_path, {{"model", o.model.model_path}, {"device", r.provenance.device}}));
  }
  return {};
}

}  // namespace

Command add_simulate_command(CLI::App& app) {
  auto o = std::make_shared<SimulateCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Predict inference on a target's GPU, DLA or CPU: phases, per-layer time, hand-offs, timeline");
  add_model_options(cmd, o->model, "auto");
  cmd->add_option("--target", o->target, "Built-in target (see `edgescope targets`) or a target JSON file")->required();
  cmd->add_option("--device", o->device,
                  "gpu | dla0 | dla1: a TensorRT engine as trtexec builds it (DLA: unsupported layers fall back to the "
                  "GPU); cpu | cuda: edgescope's own backends, as `edgescope bench --device` runs them")
      ->capture_default_str();
  cmd->add_option("--precision", o->precision,
                  "fp32 (not on the DLA) | fp16 | int8 (default: fp16 on gpu and dla as the study's engines, fp32 on cpu "
                  "and cuda as bench)");
  cmd->add_option("--threads", o->threads, "cpu: threads (0 = the target's cores)")->capture_default_str();
  cmd->add_flag("--cuda-graph", o->cuda_graph, "cuda: the inference replays one CUDA Graph (as bench --cuda-graph)");
  add_host_memory_option(cmd, o->host_memory);
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
      "--passes auto (the default) is none for gpu/dla (TensorRT sees the model as imported) and default for "
      "cpu/cuda (what bench runs).\n"
      "Examples:\n"
      "  edgescope simulate resnet50.onnx --target orin-agx-32gb --device dla0\n"
      "  edgescope simulate mobilenetv2.onnx --target orin-agx-32gb --device gpu --precision int8 --trace sim.json\n"
      "  edgescope simulate resnet50.onnx --target epyc-zen5-2c --device cpu --precision fp32 --threads 1");
  return {cmd, [o] { return run_simulate(*o); }};
}

}  // namespace es::cli
