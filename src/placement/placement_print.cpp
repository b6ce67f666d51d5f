#include "placement/placement_print.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace es::placement {
namespace {

using nlohmann::ordered_json;

std::string dims_text(const Shape& dims) {
  return dims.empty() ? "scalar" : fmt::format("{}", fmt::join(dims, "x"));
}

std::string headline(const PlacementReport& r) {
  return fmt::format("graph \"{}\" on {} {}, {}, TensorRT {} parser and DLA rules, GPU fallback {}{}", r.graph,
                     r.target, r.device, precision_name(r.precision), trt_version_name(r.trt),
                     r.allow_gpu_fallback ? "allowed" : "off", r.dynamic_batch ? ", symbolic batch" : "");
}

// The types sorted by how many layers fall back, then by total.
std::vector<std::pair<std::string, TypeCount>> sorted_types(const PlacementReport& r) {
  std::vector<std::pair<std::string, TypeCount>> types(r.by_type.begin(), r.by_type.end());
  std::stable_sort(types.begin(), types.end(), [](const auto& a, const auto& b) {
    return a.second.gpu != b.second.gpu ? a.second.gpu > b.second.gpu : a.second.total > b.second.total;
  });
  return types;
}

std::string segment_members(const PlacementReport& r, const EngineSegment& s) {
  std::vector<std::string> names;
  for (int e : s.layers) names.push_back(r.engine.layers[static_cast<size_t>(e)].name);
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string render_table(const PlacementReport& r) {
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  line("placement   " + headline(r));
  line("network level (the parser's layers, canRunOnDLA; the study's Table 1 counts)");
  line(fmt::format("  layers in total      {:>5}", r.network_layers));
  line(fmt::format("  on the DLA           {:>5}", r.network_dla));
  line(fmt::format("  falling back to GPU  {:>5}", r.network_gpu));
  line(fmt::format("  layers without the {} folded shape-tensor layers: {}", r.folded_shape_layers,
                   r.network_layers - r.folded_shape_layers));
  line(fmt::format("  {:<20} {:>5} {:>5} {:>5}", "by type", "total", "DLA", "GPU"));
  for (const auto& [type, c] : sorted_types(r)) line(fmt::format("  {:<20} {:>5} {:>5} {:>5}", type, c.total, c.dla, c.gpu));
  line("engine level (after constant folding and fusion)");
  line(fmt::format("  folded away          {:>5}", r.engine_folded));
  line(fmt::format("  engine layers        {:>5}  (on the GPU: {})", r.engine.layers.size(), r.engine.gpu_layers()));
  line(fmt::format("  DLA loadables        {:>5}", r.engine.dla_loadables()));
  line(fmt::format("  DLA/GPU boundaries   {:>5}", r.engine.boundaries.size()));
  for (const EngineSegment& s : r.engine.segments) {
    if (s.on_dla) {
      line(fmt::format("  [DLA] {}  ({} engine layers)", s.name, s.layers.size()));
      continue;
    }
    line(fmt::format("  [GPU] {}:", s.name));
    for (int e : s.layers) {
      const EngineLayer& el = r.engine.layers[static_cast<size_t>(e)];
      line(fmt::format("        {}  <- {}", el.name, el.verdict.rule.empty() ? "-" : el.verdict.rule));
    }
  }
  if (!r.engine.boundaries.empty()) {
    line("boundaries (tensors crossing between DLA and GPU)");
    for (const Boundary& b : r.engine.boundaries)
      line(fmt::format("  {} [{}]: {} -> {}; {} ({} B) -> {} ({} B)", b.tensor, dims_text(b.dims), b.from, b.to,
                       b.from_format, b.from_bytes, b.to_format, b.to_bytes));
  }
  line("layers (network level)");
  line(fmt::format("  {:>4}  {:<28} {:<28} {:<15} {:<6} {}", "#", "layer", "ONNX node", "type", "device", "rule: reason"));
  for (const LayerPlacement& l : r.layers)
    line(fmt::format("  {:>4}  {:<28} {:<28} {:<15} {:<6} {}", l.id, l.name, fmt::join(l.onnx_nodes, ","), l.type,
                     l.on_dla ? "DLA" : "GPU", l.on_dla ? "" : l.rule + ": " + l.reason));
  for (const std::string& n : r.notes) line("note: " + n);
  return out;
}

std::string md_escape(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\";
    out += c;
  }
  return out;
}

std::string render_md(const PlacementReport& r) {
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  line("## Placement: " + md_escape(headline(r)));
  line("");
  line("| level | layers | on the DLA | on the GPU |");
  line("| --- | ---: | ---: | ---: |");
  line(fmt::format("| network (canRunOnDLA) | {} | {} | {} |", r.network_layers, r.network_dla, r.network_gpu));
  line(fmt::format("| network without the {} folded shape-tensor layers | {} | | |", r.folded_shape_layers,
                   r.network_layers - r.folded_shape_layers));
  line(fmt::format("| engine (folded {}, fused) | {} | {} | {} |", r.engine_folded, r.engine.layers.size(),
                   r.engine.layers.size() - static_cast<size_t>(r.engine.gpu_layers()), r.engine.gpu_layers()));
  line("");
  line("| type | total | DLA | GPU |");
  line("| --- | ---: | ---: | ---: |");
  for (const auto& [type, c] : sorted_types(r)) line(fmt::format("| {} | {} | {} | {} |", type, c.total, c.dla, c.gpu));
  line("");
  line("### Engine segments");
  line("");
  line("| device | segment | engine layers |");
  line("| --- | --- | --- |");
  for (const EngineSegment& s : r.engine.segments)
    line(fmt::format("| {} | {} | {} |", s.on_dla ? "DLA" : "GPU", md_escape(s.name), md_escape(segment_members(r, s))));
  if (!r.engine.boundaries.empty()) {
    line("");
    line("### Boundaries");
    line("");
    line("| tensor | shape | from | to | format change | bytes |");
    line("| --- | --- | --- | --- | --- | ---: |");
    for (const Boundary& b : r.engine.boundaries)
      line(fmt::format("| {} | {} | {} | {} | {} -> {} | {} -> {} |", md_escape(b.tensor), dims_text(b.dims),
                       md_escape(b.from), md_escape(b.to), b.from_format, b.to_format, b.from_bytes, b.to_bytes));
  }
  line("");
  line("### Layers (network level)");
  line("");
  line("| # | layer | ONNX node | type | device | rule | reason |");
  line("| ---: | --- | --- | --- | --- | --- | --- |");
  for (const LayerPlacement& l : r.layers)
    line(fmt::format("| {} | {} | {} | {} | {} | {} | {} |", l.id, md_escape(l.name),
                     md_escape(fmt::format("{}", fmt::join(l.onnx_nodes, ", "))), l.type, l.on_dla ? "DLA" : "GPU",
                     l.rule, md_escape(l.reason)));
  for (const std::string& n : r.notes) line("\nNote: " + md_escape(n));
  return out;
}

ordered_json to_json(const PlacementReport& r) {
  ordered_json j;
  j["graph"] = r.graph;
  j["target"] = r.target;
  j["device"] = r.device;
  j["precision"] = precision_name(r.precision);
  j["trt"] = trt_version_name(r.trt);
  j["allow_gpu_fallback"] = r.allow_gpu_fallback;
  j["dynamic_batch"] = r.dynamic_batch;
  ordered_json by_type = ordered_json::object();
  for (const auto& [type, c] : r.by_type) by_type[type] = {{"total", c.total}, {"dla", c.dla}, {"gpu", c.gpu}};
  j["network"] = {{"layers", r.network_layers}, {"dla", r.network_dla}, {"gpu", r.network_gpu},
                  {"folded_shape_layers", r.folded_shape_layers}, {"by_type", by_type}};
  ordered_json layers = ordered_json::array();
  for (const LayerPlacement& l : r.layers) {
    ordered_json x = {{"id", l.id}, {"name", l.name}, {"type", l.type}, {"op", l.op}, {"onnx_nodes", l.onnx_nodes},
                      {"output", l.output}, {"device", l.on_dla ? "DLA" : "GPU"}};
    if (!l.on_dla) {
      x["rule"] = l.rule;
      x["reason"] = l.reason;
    }
    if (!l.note.empty()) x["note"] = l.note;
    layers.push_back(std::move(x));
  }
  j["network"]["layers_detail"] = std::move(layers);
  ordered_json engine_layers = ordered_json::array();
  for (const EngineLayer& e : r.engine.layers) {
    ordered_json x = {{"name", e.name}, {"device", e.on_dla ? "DLA" : "GPU"}, {"segment", e.segment},
                      {"members", e.members}};
    if (!e.on_dla) x["rule"] = e.verdict.rule;
    engine_layers.push_back(std::move(x));
  }
  ordered_json segments = ordered_json::array();
  for (const EngineSegment& s : r.engine.segments)
    segments.push_back({{"device", s.on_dla ? "DLA" : "GPU"}, {"name", s.name}, {"engine_layers", s.layers}});
  ordered_json boundaries = ordered_json::array();
  for (const Boundary& b : r.engine.boundaries)
    boundaries.push_back({{"tensor", b.tensor}, {"dims", b.dims}, {"from", b.from}, {"to", b.to},
                          {"from_format", b.from_format}, {"to_format", b.to_format}, {"from_bytes", b.from_bytes},
                          {"to_bytes", b.to_bytes}});
  j["engine"] = {{"folded", r.engine_folded},
                 {"layers", r.engine.layers.size()},
                 {"gpu_layers", r.engine.gpu_layers()},
                 {"dla_loadables", r.engine.dla_loadables()},
                 {"loadables_moved_to_gpu", r.engine.loadables_moved_to_gpu},
                 {"layers_detail", std::move(engine_layers)},
                 {"segments", std::move(segments)},
                 {"boundaries", std::move(boundaries)}};
  j["notes"] = r.notes;
  return j;
}

}  // namespace

Result<std::string> render_placement(const PlacementReport& report, std::string_view format) {
  if (format == "table") return render_table(report);
  if (format == "md") return render_md(report);
  if (format == "json") return to_json(report).dump(2) + "\n";
  return error(StatusCode::invalid_argument, "--format '{}': expected table, json or md", format);
}

}  // namespace es::placement
