// eliminate_identity: removes nodes that provably copy their first input to their output: Identity,
// inference-mode Dropout, and Reshape/Expand/Transpose/Cast/Pad whose attributes or constant operands
// make them no-ops. Readers of the output read the input instead; a graph output keeps its name (see
// bypass()). One forward sweep removes whole chains.
#include "passes/passes.h"
#include "passes/rewrite.h"

#include <algorithm>

namespace es::passes {
namespace {

bool same_type(const Graph& graph, ValueId a, ValueId b) {
  const Value& va = graph.value(a);
  const Value& vb = graph.value(b);
  return va.shape_known && vb.shape_known && va.dtype == vb.dtype && va.shape == vb.shape;
}

bool all_zero(const Tensor* t) {
  if (t == nullptr) return false;
  std::vector<int64_t> v = t->to_int64_vector();
  return std::all_of(v.begin(), v.end(), [](int64_t x) { return x == 0; });
}

bool is_identity_permutation(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// Dropout copies its input unless training_mode is true; its mask output must be unused.
bool is_inference_dropout(const Graph& graph, const Node& node) {
  if (node.outputs.size() > 1 && node.outputs[1] != kNoValue) {
    ValueId mask = node.outputs[1];
    if (graph.is_graph_output(mask) || !graph.consumers(mask).empty()) return false;
  }
  if (!node.has_input(2)) return true;
  const Tensor* training = constant_data(graph, node.inputs[2]);
  return training != nullptr && all_zero(training);
}

bool is_noop(const Graph& graph, const Node& node) {
  ValueId in = node.inputs.empty() ? kNoValue : node.inputs[0];
  ValueId out = node.outputs.empty() ? kNoValue : node.outputs[0];
  if (in == kNoValue || out == kNoValue) return false;
  // Every op below returns its input unchanged when its output has the input's type; the per-op check
  // rules out the cases where it would still move or convert elements.
  if (!same_type(graph, in, out)) return false;
  switch (node.op) {
    case OpKind::Identity:
    case OpKind::Reshape:
    case OpKind::Expand:
    case OpKind::Cast:
      return true;
    case OpKind::Dropout:
      return is_inference_dropout(graph, node);
    case OpKind::Transpose:
      // Without perm, Transpose reverses the axes: a no-op only up to rank 1.
      if (!node.attrs.has("perm")) return graph.value(in).rank() <= 1;
      return is_identity_permutation(node.attrs.get_ints("perm"));
    case OpKind::Pad:
      return all_zero(constant_data(graph, node.has_input(1) ? node.inputs[1] : kNoValue));
    default:  // any other op may change its input even when the types agree
      return false;
  }
}

}  // namespace

Result<bool> eliminate_identity(Graph& graph) {
  std::vector<bool> removed(graph.nodes.size(), false);
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (!is_noop(graph, node) || !bypass(graph, node.inputs[0], node.outputs[0])) continue;
    removed[i] = true;
    changed = true;
  }
  if (!changed) return false;
  graph.remove_nodes(removed);
  graph.remove_unused_values();
  return true;
}

}  // namespace es::passes
