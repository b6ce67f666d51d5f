#include "cli/plan_options.h"

#include "runtime/partition.h"
#include "runtime/restriction.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>

namespace es::cli {

namespace {

std::string with_index(const std::string& device) { return device == "cuda" ? "cuda:0" : device; }

void print_restriction(const Restriction& r, const std::vector<RestrictedNode>& nodes, const Graph& graph,
                       const CompileOptions& compile) {
  fmt::print("restrict    {} to the DLA rules of {} {} ({}, TensorRT {}): {} of {} nodes go to {}\n",
             with_index(compile.device), r.rules.target.name, r.rules.options.device,
             placement::precision_name(r.rules.options.precision), placement::trt_version_name(r.rules.options.trt),
             nodes.size(), graph.nodes.size(), compile.fallback_cpu ? "cpu" : "no device (--fallback none)");
  for (const RestrictedNode& n : nodes)
    fmt::print("  {:<28} {:<18} <- {}: {}{}\n", n.node, n.op, n.rule, n.reason,
               n.layer == n.node ? "" : fmt::format(" (TensorRT layer {})", n.layer));
  std::fflush(stdout);  // before a long bench's progress and any error on stderr, also when piped
}

}  // namespace

void add_plan_options(CLI::App* cmd, PlanCliOptions& o, const std::string& group) {
  cmd->add_option("--fallback", o.fallback, "cuda: where nodes the GPU does not run (or --restrict keeps off) go: cpu | none")
      ->capture_default_str()->group(group);
  cmd->add_option("--pin", o.pins, "NODE=DEVICE: run this node (or the fused node of this ONNX node) on cpu or cuda")
      ->group(group);
  cmd->add_option("--restrict", o.restriction,
                  "cuda=RULESET: apply an accelerator's layer rules to the GPU, so the nodes that accelerator would "
                  "not run go to the --fallback device with real copies and waits (the GPU plays the DLA, the CPU "
                  "plays the Jetson's GPU). RULESET: dla | dlaN (a DLA core of orin-agx-32gb, the study's board) | "
                  "TARGET[:dlaN] (a target with a DLA from `edgescope targets`, or a target file); fp16, TensorRT "
                  "8.5 rules, judged on TensorRT's engine as `inspect --target T --allow-gpu-fallback` shows it")
      ->group(group);
}

Status apply_plan_options(const PlanCliOptions& o, const std::string& model_path, LoadOptions load, const Graph& graph,
                          CompileOptions& compile) {
  ES_ASSIGN_OR_RETURN(compile.fallback_cpu, parse_fallback(o.fallback));
  ES_ASSIGN_OR_RETURN(compile.pins, parse_pins(o.pins));
  if (o.restriction.empty()) return {};
  ES_ASSIGN_OR_RETURN(Restriction r, parse_restriction(o.restriction));
  if (with_index(r.device) != with_index(compile.device))
    return error(StatusCode::invalid_argument, "--restrict {}: the model runs on --device {}, not {}", o.restriction,
                 compile.device, r.device);
  load.pipeline = {.passes = "none", .dump_ir_after = ""};
  // The shapes the compiled graph was bound to (--shape, --batch, the files run reads), named so that the second
  // import binds them silently.
  for (ValueId id : graph.inputs) load.import.input_shapes[graph.value(id).name] = graph.value(id).shape;
  ES_ASSIGN_OR_RETURN(Graph imported, es::load_model(model_path, load));
  ES_ASSIGN_OR_RETURN(std::vector<RestrictedNode> nodes, restricted_nodes(imported, graph, r.rules));
  for (const RestrictedNode& n : nodes) compile.restricted[n.node] = fmt::format("{}: {}", n.rule, n.reason);
  print_restriction(r, nodes, graph, compile);
  return {};
}

}  // namespace es::cli
