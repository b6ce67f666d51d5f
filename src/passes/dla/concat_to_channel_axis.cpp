// concat_to_channel_axis: a Concat of 4-D tensors along H or W, which the DLA refuses (dla-rules.md §1.3:
// "Channel axis only"), becomes a Concat along C between transposes that swap C with that axis:
//   Concat_h(x1..xn) = T(Concat_c(T(x1) .. T(xn))),  T = Transpose(perm swapping axes 1 and h)
// Transposes are Shuffle layers that keep the batch dimension and stay 4-D, which the DLA runs. Pure data
// movement: exact. Concat along the batch axis and of other ranks is left alone (the DLA's shuffles need
// 4-D tensors and cannot move the batch dimension).
#include "passes/dla/dla_passes.h"
#include "passes/dla/graph_editor.h"

namespace es::passes::dla {
namespace {

bool rewrite(GraphEditor& e, NodeId id) {
  Graph& g = e.graph();
  const Node n = g.node(id);
  if (n.op != OpKind::Concat || n.inputs.size() < 2) return false;
  if (static_shape(g, n.outputs.at(0)) == nullptr || g.value(n.outputs[0]).rank() != 4) return false;
  const Shape out = g.value(n.outputs[0]).shape;  // a copy: adding values below moves them
  int64_t axis = n.attrs.get_int("axis", 0);
  if (axis < 0) axis += 4;
  if (axis != 2 && axis != 3) return false;
  for (ValueId in : n.inputs)
    if (static_shape(g, in) == nullptr || g.value(in).data != nullptr) return false;
  std::vector<int64_t> perm = {0, 1, 2, 3};
  std::swap(perm[1], perm[static_cast<size_t>(axis)]);
  auto swapped = [&](Shape s) {
    std::swap(s[1], s[static_cast<size_t>(axis)]);
    return s;
  };
  e.remove(id);
  std::vector<ValueId> moved;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Value& in = g.value(n.inputs[i]);
    ValueId t = e.value(n.name + "_in" + std::to_string(i), in.dtype, swapped(in.shape));
    e.add(OpKind::Transpose, n.name + "_to_c" + std::to_string(i), {n.inputs[i]}, {t}, attrs_of({{"perm", perm}}), n);
    moved.push_back(t);
  }
  ValueId joined = e.value(n.name + "_c", g.value(n.outputs[0]).dtype, swapped(out));
  e.add(OpKind::Concat, n.name, moved, {joined}, attrs_of({{"axis", int64_t{1}}}), n);
  e.add(OpKind::Transpose, n.name + "_back", {joined}, {n.outputs[0]}, attrs_of({{"perm", perm}}), n);
  return true;
}

}  // namespace

Result<bool> concat_to_channel_axis(Graph& graph) {
  GraphEditor editor(graph);
  const size_t count = graph.nodes.size();
  for (size_t i = 0; i < count; ++i) rewrite(editor, static_cast<NodeId>(i));
  return editor.finish();
}

}  // namespace es::passes::dla
