// Softmax, LogSoftmax and Hardmax before opset 13 coerce the input to 2-D at `axis` (default 1) and
// normalise over the second dimension. When `axis` is the last axis that is the opset-13 op on that
// axis; otherwise the node becomes Flatten -> op(axis=1) -> Reshape back to Shape(input).
#include "onnx/handlers/handler.h"

namespace es::onnx_io {

Status softmax_v1(ImportContext& ctx, NodeDraft node) {
  const int64_t axis = node.attrs.get_int("axis", 1);
  const ValueId x = node.inputs.at(0);
  const TypeHint hint = (axis == -1) ? TypeHint{} : ctx.hint(x);
  const bool last_axis = axis == -1 || (hint.rank && (axis < 0 ? axis + *hint.rank : axis) == *hint.rank - 1);
  if (last_axis) {
    node.attrs.set("axis", int64_t{-1});
    return pass_through(ctx, std::move(node));
  }
  const ValueId y = node.outputs.at(0);
  const std::string base = node.name;
  ValueId shape = ctx.add_value(base + "_input_shape", DType::i64);
  ValueId flat = ctx.add_value(base + "_flat", hint.dtype);
  ValueId normalised = ctx.add_value(base + "_flat_out", hint.dtype);
  Attributes flatten_attrs;
  flatten_attrs.set("axis", axis);
  ctx.emit({OpKind::Shape, ctx.unique_node_name(base + "_shape"), {x}, {shape}, {}});
  ctx.emit({OpKind::Flatten, ctx.unique_node_name(base + "_flatten"), {x}, {flat}, std::move(flatten_attrs)});
  node.attrs.set("axis", int64_t{1});
  node.inputs = {flat};
  node.outputs = {normalised};
  ctx.emit(std::move(node));
  ctx.emit({OpKind::Reshape, ctx.unique_node_name(base + "_reshape"), {normalised, shape}, {y}, {}});
  return {};
}

}  // namespace es::onnx_io
