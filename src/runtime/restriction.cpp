#include "runtime/restriction.h"

#include <charconv>
#include <map>

namespace es {

namespace {

// The study's board and settings: Orin AGX, DLA core 0, fp16, TensorRT 8.5.
constexpr const char* kDefaultDlaTarget = "orin-agx-32gb";

Result<RuleSet> parse_rule_set(const std::string& text) {
  RuleSet rules{text, {}, {}};
  rules.options.allow_gpu_fallback = true;  // the point: what falls back runs elsewhere
  std::string target = text, core = "dla0";
  if (text == "dla") {
    target = kDefaultDlaTarget;
  } else if (text.size() > 3 && text.rfind("dla", 0) == 0 && text.find_first_not_of("0123456789", 3) == std::string::npos) {
    target = kDefaultDlaTarget;
    core = text;
  } else if (const size_t colon = text.rfind(':'); colon != std::string::npos && text.compare(colon + 1, 3, "dla") == 0) {
    target = text.substr(0, colon);
    core = text.substr(colon + 1);
  }
  Result<placement::Target> found = placement::find_target(target);
  if (!found.ok())
    return error(StatusCode::invalid_argument,
                 "rule set '{}': expected dla or TARGET[:dlaN] with TARGET a built-in target that has a DLA "
                 "(see `edgescope targets`) or a target file; '{}' is neither",
                 text, target);
  rules.target = std::move(found).value();
  if (rules.target.dla_cores == 0)
    return error(StatusCode::invalid_argument, "rule set '{}': target '{}' has no DLA", text, rules.target.name);
  int index = -1;
  const auto [end, ec] = std::from_chars(core.data() + 3, core.data() + core.size(), index);
  if (ec != std::errc() || end != core.data() + core.size() || index < 0 || index >= rules.target.dla_cores)
    return error(StatusCode::invalid_argument, "rule set '{}': '{}' is not a DLA core of {} (dla0..dla{})", text, core,
                 rules.target.name, rules.target.dla_cores - 1);
  rules.options.device = core;
  return rules;
}

}  // namespace

Result<Restriction> parse_restriction(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return error(StatusCode::invalid_argument, "--restrict '{}': expected DEVICE=RULESET (e.g. cuda=dla)", text);
  Restriction r;
  r.device = text.substr(0, eq);
  if (r.device != "cuda" && r.device.rfind("cuda:", 0) != 0)
    return error(StatusCode::invalid_argument,
                 "--restrict '{}': device '{}' cannot be restricted (expected cuda or cuda:N; the CPU is where "
                 "restricted nodes go)",
                 text, r.device);
  Result<RuleSet> rules = parse_rule_set(text.substr(eq + 1));
  if (!rules.ok()) return rules.status().with_context("--restrict " + text);
  r.rules = std::move(rules).value();
  return r;
}

Result<std::vector<RestrictedNode>> restricted_nodes(const Graph& imported, const Graph& graph, const RuleSet& rules) {
  Result<placement::PlacementReport> report = placement::analyze_placement(imported, rules.target, rules.options);
  if (!report.ok()) return report.status().with_context("--restrict " + rules.name);

  // TensorRT's layers name the imported graph's nodes; those nodes name the ONNX nodes they came from.
  std::map<std::string, const std::vector<std::string>*> origins_of;
  for (const Node& n : imported.nodes) origins_of[n.name] = &n.origin;
  std::map<std::string, const placement::EngineLayer*> refused;  // ONNX node -> an engine layer on the GPU
  for (const placement::EngineLayer& layer : report->engine.layers) {
    if (layer.on_dla) continue;
    for (placement::LayerId member : layer.members)
      for (const std::string& node : report->layers[static_cast<size_t>(member)].onnx_nodes)
        if (auto it = origins_of.find(node); it != origins_of.end())
          for (const std::string& origin : *it->second) refused.emplace(origin, &layer);
  }

  std::vector<RestrictedNode> out;
  for (const Node& node : graph.nodes)
    for (const std::string& origin : node.origin)
      if (auto it = refused.find(origin); it != refused.end()) {
        const placement::EngineLayer& layer = *it->second;
        out.push_back({node.name, std::string(op_name(node.op)), layer.name, layer.verdict.rule, layer.verdict.reason});
        break;
      }
  return out;
}

}  // namespace es
