// `edgescope targets`: the SoCs placement can be predicted for (built in, embedded at build time, plus the
// detected host), with every parameter and where its value comes from; --rules lists the DLA rules of a
// TensorRT release.
#include "cli/command.h"
#include "placement/dla_rules.h"
#include "placement/target.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace es::cli {
namespace {

struct TargetsOptions {
  std::string show;  // one target (name or file) in detail
  std::string rules_trt;
  std::string format = "table";
};

nlohmann::ordered_json target_json(const placement::Target& t) {
  nlohmann::ordered_json j = {{"name", t.name}, {"description", t.description}, {"origin", t.origin},
                              {"dla_cores", t.dla_cores}, {"dla_version", t.dla_version}};
  nlohmann::ordered_json params = nlohmann::ordered_json::array();
  for (const placement::TargetParameter& p : t.parameters)
    params.push_back({{"key", p.key}, {"value", p.value}, {"source", p.source}});
  j["parameters"] = std::move(params);
  return j;
}

Status run_targets(const TargetsOptions& o) {
  if (o.format != "table" && o.format != "json")
    return error(StatusCode::invalid_argument, "--format '{}': expected table or json", o.format);
  if (!o.rules_trt.empty()) {
    ES_ASSIGN_OR_RETURN(placement::TrtVersion v, placement::parse_trt_version(o.rules_trt, "--rules"));
    std::vector<placement::DlaRule> rules = placement::dla_rules(v);
    if (o.format == "json") {
      nlohmann::ordered_json j = nlohmann::ordered_json::array();
      for (const auto& r : rules) j.push_back({{"id", r.id}, {"limit", r.limit}, {"source", r.source}});
      fmt::print("{}\n", j.dump(2));
      return {};
    }
    fmt::print("DLA rules, TensorRT {}\n", placement::trt_version_name(v));
    for (const auto& r : rules) fmt::print("  {:<24} {}\n  {:<24}   source: {}\n", r.id, r.limit, "", r.source);
    return {};
  }
  std::vector<placement::Target> targets;
  if (o.show.empty()) {
    targets = placement::builtin_targets();
  } else {
    ES_ASSIGN_OR_RETURN(placement::Target t, placement::find_target(o.show));
    targets.push_back(std::move(t));
  }
  if (o.format == "json") {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& t : targets) j.push_back(target_json(t));
    fmt::print("{}\n", j.dump(2));
    return {};
  }
  if (o.show.empty()) {
    fmt::print("{:<16} {:<10} {}\n", "target", "DLA", "description");
    for (const auto& t : targets)
      fmt::print("{:<16} {:<10} {}\n", t.name, t.dla_cores ? fmt::format("{} x v{}", t.dla_cores, t.dla_version) : "none",
                 t.description);
    fmt::print("\n`edgescope targets --show NAME` lists a target's parameters and their sources.\n");
    return {};
  }
  const placement::Target& t = targets.front();
  fmt::print("{} ({})\n{}\n", t.name, t.origin, t.description);
  for (const auto& p : t.parameters) fmt::print("  {:<26} {:<12} {}\n", p.key, p.value, p.source);
  return {};
}

}  // namespace

Command add_targets_command(CLI::App& app) {
  auto options = std::make_shared<TargetsOptions>();
  CLI::App* cmd = app.add_subcommand("targets", "List the SoC targets for `inspect --target` and their parameters");
  cmd->add_option("--show", options->show, "Show one target (name or JSON file) with every parameter's source");
  cmd->add_option("--rules", options->rules_trt, "List the DLA rules of a TensorRT release (8.5, 8.6, 10)");
  cmd->add_option("--format", options->format, "Output format: table | json")->capture_default_str();
  cmd->footer(
      "Examples:\n"
      "  edgescope targets\n"
      "  edgescope targets --show orin-agx-32gb\n"
      "  edgescope targets --rules 8.5\n"
      "  edgescope inspect model.onnx --target orin-agx-32gb --allow-gpu-fallback");
  return {cmd, [options] { return run_targets(*options); }};
}

}  // namespace es::cli
