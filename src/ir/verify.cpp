#include "ir/graph.h"

#include <unordered_set>

namespace es {

Status verify(const Graph& graph, VerifyOptions options) {
  const auto value_count = static_cast<ValueId>(graph.values.size());
  auto valid = [&](ValueId id) { return id >= 0 && id < value_count; };
  std::vector<bool> defined(graph.values.size(), false);
  for (ValueId in : graph.inputs) {
    if (!valid(in)) return error(StatusCode::internal, "graph input id {} out of range", in);
    defined[in] = true;
  }
  for (size_t i = 0; i < graph.values.size(); ++i)
    if (graph.values[i].is_initializer()) defined[i] = true;

  std::unordered_set<std::string> node_names;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& n = graph.nodes[i];
    if (!node_names.insert(n.name).second)
      return error(StatusCode::internal, "node name '{}' is used twice", n.name);
    for (ValueId in : n.inputs) {
      if (in == kNoValue) continue;
      if (!valid(in)) return error(StatusCode::internal, "node '{}' reads value id {} out of range", n.name, in);
      if (!defined[in])
        return error(StatusCode::internal, "node '{}' ({}) reads '{}' before it is defined", n.name,
                     op_name(n.op), graph.value(in).name);
    }
    for (ValueId out : n.outputs) {
      if (out == kNoValue) continue;
      if (!valid(out)) return error(StatusCode::internal, "node '{}' writes value id {} out of range", n.name, out);
      if (defined[out] && graph.value(out).producer != static_cast<NodeId>(i))
        return error(StatusCode::internal, "value '{}' is defined twice (node '{}')", graph.value(out).name, n.name);
      if (graph.value(out).producer != static_cast<NodeId>(i))
        return error(StatusCode::internal, "value '{}' has a stale producer (node '{}')", graph.value(out).name, n.name);
      defined[out] = true;
    }
    if (options.require_shapes) {
      for (auto ids : {&n.inputs, &n.outputs})
        for (ValueId id : *ids) {
          if (id == kNoValue) continue;
          const Value& v = graph.value(id);
          if (!v.shape_known || v.dtype == DType::undefined)
            return error(StatusCode::internal, "value '{}' at node '{}' ({}) has no static shape or dtype", v.name,
                         n.name, op_name(n.op));
          for (int64_t d : v.shape)
            if (d < 0)
              return error(StatusCode::internal, "value '{}' at node '{}' has an unbound dimension ({})", v.name,
                           n.name, shape_str(v.shape));
        }
    }
  }
  for (ValueId out : graph.outputs) {
    if (!valid(out)) return error(StatusCode::internal, "graph output id {} out of range", out);
    if (!defined[out]) return error(StatusCode::internal, "graph output '{}' is never defined", graph.value(out).name);
  }
  return {};
}

}  // namespace es
