// `edgescope optimize MODEL --target T -o OUT.onnx`: rewrites a model with the DLA passes (src/passes/dla) so
// that fewer layers fall back to the GPU, checks that it still computes the same outputs (--verify, on by
// default), writes it as ONNX, and prints the placement before and after (network and engine level, as
// `inspect --target` reports them) and the simulator's predicted latency.
#include "cli/command.h"
#include "cli/model_options.h"
#include "onnx/onnx_export.h"
#include "passes/dla/dla_passes.h"
#include "passes/dla/verify_outputs.h"
#include "placement/placement.h"
#include "sim/simulate.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <optional>

namespace es::cli {
namespace {

constexpr double kTolerance = 1e-5;
constexpr int64_t kSimIterations = 200;

struct OptimizeOptions {
  std::string model;
  std::vector<std::string> shapes;
  std::string output;
  std::string target;
  std::string device = "dla0";
  std::string precision = "fp16";
  std::string trt = "8.5";
  std::string passes = "default";
  bool keep_4d_output = false;
  bool verify = true;
  bool symbolic_batch = false;
  uint32_t seed = 1;
};

// The placement of one graph plus, when the simulator can model the target, its predicted latency.
struct Snapshot {
  size_t nodes = 0;
  placement::PlacementReport report;
  std::optional<double> latency_ms;
  std::string latency_note;
};

Result<Snapshot> snapshot(const Graph& graph, const placement::Target& target, const OptimizeOptions& o,
                          bool symbolic_batch) {
  Snapshot s;
  s.nodes = graph.nodes.size();
  placement::PlacementOptions p;
  p.device = o.device;
  ES_ASSIGN_OR_RETURN(p.precision, placement::parse_precision(o.precision));
  ES_ASSIGN_OR_RETURN(p.trt, placement::parse_trt_version(o.trt));
  p.allow_gpu_fallback = true;  // what falls back is the point of the comparison
  p.dynamic_batch = symbolic_batch;
  ES_ASSIGN_OR_RETURN(s.report, placement::analyze_placement(graph, target, p));
  sim::SimOptions so;
  so.plan.device = o.device;
  ES_ASSIGN_OR_RETURN(so.plan.precision, sim::parse_precision(o.precision));
  so.plan.trt = p.trt;
  so.plan.symbolic_batch = symbolic_batch;
  so.iterations = kSimIterations;
  Result<sim::Simulation> simulated = sim::simulate(graph, target, so);
  if (simulated.ok()) s.latency_ms = simulated->result.summary.latency.mean;
  else s.latency_note = simulated.status().message();
  return s;
}

// Runs the selected passes one at a time (each through the verifying pipeline) and reports node counts.
Status run_passes(Graph& graph, const OptimizeOptions& o) {
  std::string list = passes::dla::dla_pass_list(o.passes, o.keep_4d_output);
  fmt::print("passes\n");
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    size_t before = graph.nodes.size();
    if (name != "none") {
      PipelineOptions pipeline;
      pipeline.passes = name;
      ES_TRY(run_pipeline(graph, pipeline, passes::dla::dla_passes()));
      fmt::print("  {:<30} {:>5} -> {:>5} nodes\n", name, before, graph.nodes.size());
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return {};
}

void print_row(const char* what, int64_t before, int64_t after) {
  fmt::print("{:<32} {:>8} {:>8}\n", what, before, after);
}

void print_comparison(const Snapshot& b, const Snapshot& a) {
  fmt::print("{:<32} {:>8} {:>8}\n", "", "before", "after");
  print_row("ONNX nodes", static_cast<int64_t>(b.nodes), static_cast<int64_t>(a.nodes));
  print_row("network layers", b.report.network_layers, a.report.network_layers);
  print_row("  falling back to the GPU", b.report.network_gpu, a.report.network_gpu);
  print_row("engine layers", static_cast<int64_t>(b.report.engine.layers.size()),
            static_cast<int64_t>(a.report.engine.layers.size()));
  print_row("  on the GPU", b.report.engine.gpu_layers(), a.report.engine.gpu_layers());
  print_row("DLA loadables", b.report.engine.dla_loadables(), a.report.engine.dla_loadables());
  print_row("DLA/GPU boundaries", static_cast<int64_t>(b.report.engine.boundaries.size()),
            static_cast<int64_t>(a.report.engine.boundaries.size()));
  if (b.latency_ms && a.latency_ms)
    fmt::print("{:<32} {:>8.3f} {:>8.3f}   (simulate: mean of {} iterations, 1 stream)\n", "predicted latency (ms)",
               *b.latency_ms, *a.latency_ms, kSimIterations);
  else
    fmt::print("predicted latency                n/a ({})\n", b.latency_ms ? a.latency_note : b.latency_note);
  fmt::print("left on the GPU after optimisation{}\n", a.report.engine.gpu_layers() == 0 ? ": nothing" : "");
  for (const placement::EngineLayer& l : a.report.engine.layers)
    if (!l.on_dla) fmt::print("  {}  <- {}: {}\n", l.name, l.verdict.rule, l.verdict.reason);
}

Status optimize(const OptimizeOptions& o) {
  ModelCliOptions model;
  model.model_path = o.model;
  model.shapes = o.shapes;
  model.passes = "none";
  ES_ASSIGN_OR_RETURN(Graph original, load_model(model));
  ES_ASSIGN_OR_RETURN(placement::Target target, placement::find_target(o.target));
  if (target.dla_cores == 0)
    return error(StatusCode::invalid_argument, "--target {}: the target has no DLA to optimise for", target.name);
  if (o.device.rfind("dla", 0) != 0)
    return error(StatusCode::invalid_argument, "--device '{}': optimize rewrites for a DLA core (dla0, dla1, ...)",
                 o.device);

  // The original's placement first: it validates --device, --precision and --trt before any work.
  ES_ASSIGN_OR_RETURN(Snapshot before, snapshot(original, target, o, o.symbolic_batch));
  Graph optimized = original;
  Status passes = run_passes(optimized, o);
  if (!passes.ok()) return passes.with_context(o.model);
  ES_ASSIGN_OR_RETURN(Snapshot after, snapshot(optimized, target, o, false));
  fmt::print("target      {} {}, {}, TensorRT {} rules, GPU fallback allowed{}\n", target.name, o.device, o.precision,
             o.trt, o.symbolic_batch ? " (before: symbolic batch)" : "");
  print_comparison(before, after);

  if (o.verify) {
    ES_ASSIGN_OR_RETURN(std::vector<passes::dla::OutputComparison> compared,
                        passes::dla::compare_outputs(original, optimized,
                                                     passes::dla::seeded_inputs(original, o.seed), kTolerance));
    for (const auto& c : compared)
      fmt::print("verify      output '{}': relative L2 {:.2e} <= {:g} (reference kernels, random inputs, seed {})\n",
                 c.output, c.relative_l2, kTolerance, o.seed);
  }
  ES_TRY(onnx_io::export_file(optimized, o.output));
  fmt::print("wrote       {}\n", o.output);
  return {};
}

// stdout is flushed before main() prints an error on stderr, so that the error stays the last line.
Status run_optimize(const OptimizeOptions& o) {
  Status status = optimize(o);
  std::fflush(stdout);
  return status;
}

}  // namespace

Command add_optimize_command(CLI::App& app) {
  auto o = std::make_shared<OptimizeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "optimize", "Rewrite a model so fewer layers fall back from the DLA, prove it unchanged, write it as ONNX");
  cmd->add_option("model", o->model, "ONNX model file (.onnx)")->required();
  cmd->add_option("-o,--output", o->output, "Where to write the optimised .onnx file")->required();
  cmd->add_option("--target", o->target, "Target: a built-in name (see `edgescope targets`) or a target JSON file")
      ->required();
  cmd->add_option("--device", o->device, "DLA core to optimise for: dla0, dla1, ...")->capture_default_str();
  cmd->add_option("--precision", o->precision, "fp16 or int8")->capture_default_str();
  cmd->add_option("--trt", o->trt, "TensorRT release whose parser and DLA rules apply: 8.5, 8.6, 10")
      ->capture_default_str();
  std::string names;
  for (const Pass& p : passes::dla::dla_passes()) names += fmt::format("\n  {:<28} {}", p.name, p.description);
  cmd->add_option("--passes", o->passes, "default | none | comma-separated list, run in the order given. Passes:" + names)
      ->capture_default_str();
  cmd->add_flag("--keep-4d-output", o->keep_4d_output,
                "Leave classifier outputs as [N,C,1,1] instead of reshaping them back to [N,C] on the GPU");
  cmd->add_flag("--verify,!--no-verify", o->verify,
                "Run the original and optimised models on the reference kernels (seeded random inputs) and fail "
                "unless every output agrees within relative L2 1e-5 (default: on)");
  cmd->add_option("--seed", o->seed, "Seed of --verify's random inputs")->capture_default_str();
  cmd->add_option("--shape", o->shapes, "Bind an input's shape, e.g. --shape x:1x3x640x640 (repeatable)");
  cmd->add_flag("--symbolic-batch", o->symbolic_batch,
                "The input file declares a symbolic batch dimension (as ONNX Model Zoo files do): analyse the "
                "original as TensorRT sees it (-1 batch); the optimised file is written with static shapes");
  cmd->footer(
      "Examples:\n"
      "  edgescope optimize mobilenetv2-12.onnx --target orin-agx-32gb -o mobilenetv2-dla.onnx\n"
      "  edgescope optimize resnet50.onnx --target orin-agx-32gb --keep-4d-output -o resnet50-dla.onnx\n"
      "  edgescope optimize det.onnx --target orin-agx-32gb --shape x:1x3x640x640 --passes "
      "fold_constants,hard_activations_to_clip,div_to_mul -o det-dla.onnx");
  return {cmd, [o] { return run_optimize(*o); }};
}

}  // namespace es::cli
