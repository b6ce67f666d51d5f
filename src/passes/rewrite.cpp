#include "passes/rewrite.h"

#include <algorithm>

namespace es::passes {

const Tensor* constant_data(const Graph& graph, ValueId id) {
  if (id == kNoValue) return nullptr;
  const Value& v = graph.value(id);
  if (v.data == nullptr) return nullptr;
  // A graph input may carry a default (an ONNX initializer of the same name); it is still fed at run time.
  if (std::find(graph.inputs.begin(), graph.inputs.end(), id) != graph.inputs.end()) return nullptr;
  return v.data.get();
}

bool has_single_use(const Graph& graph, ValueId id) {
  if (graph.is_graph_output(id)) return false;
  std::vector<NodeId> readers = graph.consumers(id);
  if (readers.size() != 1) return false;
  const std::vector<ValueId>& inputs = graph.node(readers.front()).inputs;
  return std::count(inputs.begin(), inputs.end(), id) == 1;
}

const Node* conv_producer(const Graph& graph, ValueId id, bool allow_sum) {
  NodeId producer = graph.value(id).producer;
  if (producer == kNoNode) return nullptr;
  const Node& node = graph.node(producer);
  if (node.op == OpKind::Conv) return &node;
  if (node.op != OpKind::FusedConv) return nullptr;
  if (!node.attrs.get_string("activation").empty()) return nullptr;
  if (!allow_sum && node.has_input(3)) return nullptr;
  return &node;
}

Node fuse_into_conv(const Node& conv, OpKind op, std::vector<ValueId> inputs, ValueId output,
                    std::initializer_list<const Node*> epilogue) {
  Node fused;
  fused.name = conv.name;
  fused.op = op;
  fused.inputs = std::move(inputs);
  fused.outputs = {output};
  fused.attrs = conv.attrs;
  fused.origin = conv.origin;
  for (const Node* n : epilogue) fused.origin.insert(fused.origin.end(), n->origin.begin(), n->origin.end());
  return fused;
}

bool apply_fusions(Graph& graph, FusionMatcher match) {
  std::vector<bool> removed(graph.nodes.size(), false);
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (removed[i]) continue;
    std::optional<Fusion> fusion = match(graph, static_cast<NodeId>(i));
    if (!fusion) continue;
    for (NodeId absorbed : fusion->absorbed) {
      ES_ASSERT(static_cast<size_t>(absorbed) < i && !removed[absorbed]);
      removed[absorbed] = true;
      // Emptied now so that later matches in this sweep do not count it as a reader.
      graph.node(absorbed).inputs.clear();
      graph.node(absorbed).outputs.clear();
    }
    graph.node(static_cast<NodeId>(i)) = std::move(fusion->replacement);
    changed = true;
  }
  if (!changed) return false;
  graph.remove_nodes(removed);
  graph.remove_unused_values();
  return true;
}

bool bypass(Graph& graph, ValueId in, ValueId out) {
  if (graph.is_graph_output(out)) {
    bool in_is_interface = graph.value(in).producer == kNoNode || graph.is_graph_output(in);
    if (in_is_interface) return false;
    std::swap(graph.value(in).name, graph.value(out).name);
  }
  graph.replace_uses(out, in);
  return true;
}

}  // namespace es::passes
