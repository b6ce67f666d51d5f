// fuse_conv_add: Add(conv(x), r) -> FusedConv(x, W, B, Sum = r) when r has exactly the conv output's
// shape and dtype (no broadcasting: the backends add Sum element by element) and the conv has no
// epilogue yet. Either Add operand may be the conv; the first that qualifies is fused.
#include "passes/passes.h"
#include "passes/rewrite.h"

namespace es::passes {
namespace {

bool same_static_type(const Value& a, const Value& b) {
  return a.shape_known && b.shape_known && a.dtype == b.dtype && a.shape == b.shape;
}

std::optional<Fusion> match(Graph& graph, NodeId anchor) {
  const Node& add = graph.node(anchor);
  if (add.op != OpKind::Add || add.inputs.size() != 2) return std::nullopt;
  for (size_t side = 0; side < 2; ++side) {
    ValueId conv_out = add.inputs[side];
    ValueId residual = add.inputs[1 - side];
    if (residual == conv_out || !same_static_type(graph.value(conv_out), graph.value(residual))) continue;
    const Node* conv = conv_producer(graph, conv_out, /*allow_sum=*/false);
    if (conv == nullptr || !has_single_use(graph, conv_out)) continue;
    ValueId bias = conv->has_input(2) ? conv->inputs[2] : kNoValue;
    NodeId conv_id = graph.value(conv_out).producer;
    return Fusion{{conv_id}, fuse_into_conv(*conv, OpKind::FusedConv, {conv->inputs[0], conv->inputs[1], bias, residual},
                                            add.outputs[0], {&add})};
  }
  return std::nullopt;
}

}  // namespace

Result<bool> fuse_conv_add(Graph& graph) { return apply_fusions(graph, match); }

}  // namespace es::passes
