// `edgescope compare MODEL --target T`: the model on the target's GPU and on its DLA side by side, as the
// study's Figure 3 (time per inference, DLA/GPU ratio) with the breakdown of its Figures 4-5 (DLA layers,
// GPU fallback, reformats, synchronisation, loadable launches, copies).
#include "cli/command.h"
#include "cli/model_options.h"
#include "cli/sim_cli.h"
#include "placement/target.h"
#include "sim/compare.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace es::cli {
namespace {

struct CompareCliOptions {
  ModelCliOptions model;
  std::string target;
  std::string dla = "dla0";
  std::string precision = "fp16";
  std::string trt = "8.5";
  bool symbolic_batch = false;
  int64_t batch = 0;
  int64_t iterations = 1000;
  std::string json_path, trace_path;
};

Status run_compare(const CompareCliOptions& o) {
  ES_ASSIGN_OR_RETURN(Graph graph, load_for_device(o.model, o.batch, "gpu"));
  ES_ASSIGN_OR_RETURN(placement::Target target, placement::find_target(o.target));
  sim::CompareOptions options;
  options.dla_device = o.dla;
  ES_ASSIGN_OR_RETURN(options.sim.plan.precision, sim::parse_precision(o.precision));
  ES_ASSIGN_OR_RETURN(options.sim.plan.trt, placement::parse_trt_version(o.trt));
  options.sim.plan.symbolic_batch = o.symbolic_batch;
  options.sim.iterations = o.iterations;
  ES_ASSIGN_OR_RETURN(sim::Comparison c, sim::compare(graph, target, options));

  fmt::print("{}", comparison_table(c, o.model.model_path));
  ES_TRY(write_text(o.json_path, comparison_json(c, o.model.model_path).dump(2) + "\n", "--json"));
  if (!o.trace_path.empty()) {
    report::ChromeTrace trace;
    add_simulation_trace(trace, c.gpu, "GPU run: ");
    add_simulation_trace(trace, c.dla, "DLA run: ");
    ES_TRY(trace.write(o.trace_path, {{"model", o.model.model_path}, {"target", target.name}}));
  }
  return {};
}

}  // namespace

Command add_compare_command(CLI::App& app) {
  auto o = std::make_shared<CompareCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Predict a model on a target's GPU and DLA side by side: DLA/GPU ratio, phases, fallback (study Fig. 3-5)");
  add_model_options(cmd, o->model, "none");
  cmd->add_option("--target", o->target, "Built-in target with a DLA (see `edgescope targets`) or a target JSON file")
      ->required();
  cmd->add_option("--dla", o->dla, "The DLA core of the DLA run (unsupported layers fall back to the GPU)")->capture_default_str();
  cmd->add_option("--precision", o->precision, "fp16 | int8 (both runs; the DLA has no fp32)")->capture_default_str();
  cmd->add_option("--trt", o->trt, "TensorRT release whose parser and DLA rules apply: 8.5, 8.6, 10")->capture_default_str();
  cmd->add_flag("--symbolic-batch", o->symbolic_batch,
                "The ONNX inputs declare a symbolic batch dimension (as the ONNX Model Zoo files the study used do)");
  cmd->add_option("--batch", o->batch, "Batch size bound to the inputs' leading dimension");
  cmd->add_option("--iterations", o->iterations, "Simulated inferences of each run (the study's 1,000)")->capture_default_str();
  cmd->add_option("--json", o->json_path, "Write both runs, the ratio and the breakdown as JSON");
  cmd->add_option("--trace", o->trace_path, "Write one Chrome trace holding both runs' engine tracks");
  cmd->footer(
      "Examples:\n"
      "  edgescope compare mobilenetv2.onnx --target orin-agx-32gb --symbolic-batch\n"
      "  edgescope compare resnet50.onnx --target orin-agx-32gb --precision int8 --json cmp.json --trace cmp.trace.json");
  return {cmd, [o] { return run_compare(*o); }};
}

}  // namespace es::cli
