// `edgescope inspect MODEL`: what a model is (inputs/outputs, op histogram, parameters, FLOPs) and, with
// --ir, its IR text after the chosen passes.
#include "cli/command.h"
#include "cli/inspect_target.h"
#include "cli/model_options.h"
#include "ir/graph_stats.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace es::cli {
namespace {

struct InspectOptions {
  ModelCliOptions model;
  bool print_ir = false;
  std::string format = "table";
  TargetCliOptions target;
};

std::string human(double value) {
  const char* units[] = {"", "K", "M", "G", "T"};
  int u = 0;
  while (value >= 1000 && u < 4) { value /= 1000; ++u; }
  return u == 0 ? fmt::format("{:.0f}", value) : fmt::format("{:.2f}{}", value, units[u]);
}

std::string value_type(const Value& v) { return fmt::format("{}[{}]", dtype_name(v.dtype), shape_str(v.shape)); }

nlohmann::ordered_json summary_json(const Graph& g, const GraphStats& s, const std::string& path) {
  nlohmann::ordered_json j;
  j["model"] = path;
  j["graph"] = g.name;
  j["opset"] = g.opset;
  auto values = [&](const std::vector<ValueId>& ids) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (ValueId id : ids)
      list.push_back({{"name", g.value(id).name}, {"dtype", dtype_name(g.value(id).dtype)}, {"shape", g.value(id).shape}});
    return list;
  };
  j["inputs"] = values(g.inputs);
  j["outputs"] = values(g.outputs);
  j["nodes"] = s.nodes;
  j["op_histogram"] = s.op_histogram;
  j["parameters"] = s.parameters;
  j["parameter_bytes"] = s.parameter_bytes;
  j["macs"] = s.macs;
  j["flops"] = s.flops;
  j["activation_bytes"] = s.activation_bytes;
  return j;
}

void print_summary_table(const Graph& g, const GraphStats& s, const std::string& path) {
  fmt::print("model       {}\n", path);
  fmt::print("graph       \"{}\", opset {}, {} nodes\n", g.name, g.opset, s.nodes);
  for (ValueId id : g.inputs) fmt::print("input       {} {}\n", g.value(id).name, value_type(g.value(id)));
  for (ValueId id : g.outputs) fmt::print("output      {} {}\n", g.value(id).name, value_type(g.value(id)));
  fmt::print("parameters  {} ({} bytes)\n", human(static_cast<double>(s.parameters)), human(static_cast<double>(s.parameter_bytes)));
  fmt::print("MACs        {}   FLOPs {}   activations {}B (no reuse)\n", human(static_cast<double>(s.macs)),
             human(static_cast<double>(s.flops)), human(static_cast<double>(s.activation_bytes)));
  std::vector<std::pair<std::string, int64_t>> ops(s.op_histogram.begin(), s.op_histogram.end());
  std::stable_sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  fmt::print("ops\n");
  for (const auto& [op, count] : ops) fmt::print("  {:<24} {:>6}\n", op, count);
}

Status run_inspect(const InspectOptions& options) {
  if (!options.target.target.empty()) {
    ES_ASSIGN_OR_RETURN(Graph graph, load_model(options.model));
    TargetCliOptions target = options.target;
    target.format = options.format;
    return print_target_analysis(graph, target);
  }
  if (options.format != "table" && options.format != "json")
    return error(StatusCode::invalid_argument, "--format '{}': expected table or json", options.format);
  ES_ASSIGN_OR_RETURN(Graph graph, load_model(options.model));
  if (options.print_ir) {
    fmt::print("{}", print_graph(graph));
    return {};
  }
  GraphStats stats = compute_stats(graph);
  if (options.format == "json")
    fmt::print("{}\n", summary_json(graph, stats, options.model.model_path).dump(2));
  else
    print_summary_table(graph, stats, options.model.model_path);
  return {};
}

}  // namespace

Command add_inspect_command(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "Summarise a model: inputs/outputs, op histogram, parameters, FLOPs");
  add_model_options(cmd, options->model, "none");
  cmd->add_flag("--ir", options->print_ir, "Print the IR (after --passes) instead of the summary");
  cmd->add_option("--format", options->format, "Output format: table | json (| md with --target)")->capture_default_str();
  add_target_options(cmd, options->target);
  cmd->footer(
      "Examples:\n"
      "  edgescope inspect model.onnx\n"
      "  edgescope inspect model.onnx --passes default --ir     # the graph the runtime executes\n"
      "  edgescope inspect model.onnx --shape x:1x3x640x640 --format json");
  return {cmd, [options] { return run_inspect(*options); }};
}

}  // namespace es::cli
