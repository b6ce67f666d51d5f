#include "ir/graph.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sstream>

namespace es {
namespace {

std::string type_str(const Value& v) {
  return fmt::format("{}[{}]", dtype_name(v.dtype), v.shape_known ? shape_str(v.shape) : std::string("?"));
}

template <typename T>
std::string list_str(const std::vector<T>& items) {
  return fmt::format("[{}]", fmt::join(items, ","));
}

std::string attr_str(const AttrValue& a) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) return fmt::format("\"{}\"", v);
        else if constexpr (std::is_same_v<T, Tensor>) return fmt::format("tensor<{}[{}]>", dtype_name(v.dtype()), shape_str(v.shape()));
        else if constexpr (std::is_same_v<T, std::vector<std::string>>) return list_str(v);
        else if constexpr (std::is_same_v<T, std::vector<int64_t>> || std::is_same_v<T, std::vector<float>>) return list_str(v);
        else return fmt::format("{}", v);
      },
      a);
}

}  // namespace

std::string print_graph(const Graph& g) {
  std::ostringstream out;
  out << fmt::format("graph \"{}\" opset {}\n", g.name, g.opset);
  for (ValueId in : g.inputs) out << fmt::format("input %{}: {}\n", g.value(in).name, type_str(g.value(in)));
  for (const Value& v : g.values)
    if (v.is_initializer()) out << fmt::format("init %{}: {}\n", v.name, type_str(v));
  for (const Node& n : g.nodes) {
    std::vector<std::string> outs, ins, attrs;
    for (ValueId o : n.outputs) outs.push_back(o == kNoValue ? "_" : fmt::format("%{}: {}", g.value(o).name, type_str(g.value(o))));
    for (ValueId i : n.inputs) ins.push_back(i == kNoValue ? "_" : "%" + g.value(i).name);
    for (const auto& [key, value] : n.attrs.all()) attrs.push_back(fmt::format("{}={}", key, attr_str(value)));
    out << fmt::format("{} = {}({})", fmt::join(outs, ", "), op_name(n.op), fmt::join(ins, ", "));
    if (!attrs.empty()) out << fmt::format(" {{{}}}", fmt::join(attrs, ", "));
    out << fmt::format("  # {}\n", n.name);
  }
  for (ValueId o : g.outputs) out << fmt::format("output %{}\n", g.value(o).name);
  return out.str();
}

}  // namespace es
