// Opset-17 takes as inputs what older opsets took as attributes (axes, split, min/max, pads, starts/ends,
// k, ratio). Each handler moves the attribute into an initializer input at the position the newer
// opset expects, so the rest of edgescope sees one form.
#include "onnx/handlers/handler.h"

namespace es::onnx_io {
namespace {

void set_input(NodeDraft& node, size_t index, ValueId value) {
  if (node.inputs.size() <= index) node.inputs.resize(index + 1, kNoValue);
  node.inputs[index] = value;
}

// An ints attribute becomes a 1-D i64 initializer at input `index`; absent attributes stay absent.
void ints_to_input(ImportContext& ctx, NodeDraft& node, const std::string& attr, size_t index) {
  if (!node.attrs.has(attr)) return;
  std::vector<int64_t> values = node.attrs.get_ints(attr);
  node.attrs.erase(attr);
  Tensor tensor = Tensor::from_vector<int64_t>({static_cast<int64_t>(values.size())}, values);
  set_input(node, index, ctx.add_constant(node.name + "_" + attr, std::move(tensor)));
}

// A scalar of the data input's float type (f32 when ONNX cannot tell), as Clip/Pad bounds must match it.
Tensor float_scalar_like(ImportContext& ctx, ValueId like, float value) {
  DType dtype = ctx.hint(like).dtype;
  if (dtype == DType::f64) return Tensor::scalar(static_cast<double>(value));
  if (dtype == DType::f16) {
    Tensor t(DType::f16, {});
    *static_cast<uint16_t*>(t.raw()) = float_to_half(value);
    return t;
  }
  return Tensor::scalar(value);
}

void float_to_input(ImportContext& ctx, NodeDraft& node, const std::string& attr, size_t index) {
  if (!node.attrs.has(attr)) return;
  float value = node.attrs.get_float(attr, 0.0f);
  node.attrs.erase(attr);
  set_input(node, index, ctx.add_constant(node.name + "_" + attr, float_scalar_like(ctx, node.inputs.at(0), value)));
}

}  // namespace

Status squeeze_unsqueeze_v1(ImportContext& ctx, NodeDraft node) {
  ints_to_input(ctx, node, "axes", 1);
  return pass_through(ctx, std::move(node));
}

Status reduce_sum_v1(ImportContext& ctx, NodeDraft node) {
  ints_to_input(ctx, node, "axes", 1);
  return pass_through(ctx, std::move(node));
}

Status split_v2(ImportContext& ctx, NodeDraft node) {
  ints_to_input(ctx, node, "split", 1);
  return pass_through(ctx, std::move(node));
}

Status clip_v6(ImportContext& ctx, NodeDraft node) {
  float_to_input(ctx, node, "min", 1);
  float_to_input(ctx, node, "max", 2);
  return pass_through(ctx, std::move(node));
}

Status pad_v2(ImportContext& ctx, NodeDraft node) {
  ints_to_input(ctx, node, "pads", 1);
  float_to_input(ctx, node, "value", 2);
  return pass_through(ctx, std::move(node));
}

Status slice_v1(ImportContext& ctx, NodeDraft node) {
  ints_to_input(ctx, node, "starts", 1);
  ints_to_input(ctx, node, "ends", 2);
  ints_to_input(ctx, node, "axes", 3);
  return pass_through(ctx, std::move(node));
}

Status topk_v1(ImportContext& ctx, NodeDraft node) {
  const int64_t k = node.attrs.get_int("k", 0);
  node.attrs.erase("k");
  set_input(node, 1, ctx.add_constant(node.name + "_k", Tensor::from_vector<int64_t>({1}, {k})));
  return pass_through(ctx, std::move(node));
}

Status dropout_v7(ImportContext& ctx, NodeDraft node) {
  if (node.attrs.has("ratio")) {
    set_input(node, 1, ctx.add_constant(node.name + "_ratio", Tensor::scalar(node.attrs.get_float("ratio", 0.5f))));
    node.attrs.erase("ratio");
  }
  return pass_through(ctx, std::move(node));
}

}  // namespace es::onnx_io
