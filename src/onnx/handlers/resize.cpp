// Upsample and the older Resize forms, rewritten as opset-13 Resize (X, roi, scales, sizes).
#include "onnx/handlers/handler.h"

namespace es::onnx_io {
namespace {

// Upsample and Resize-10 map output to input coordinates as x / scale ("asymmetric") and pick the
// nearest pixel by flooring, which opset 13 spells with these two attributes.
void set_legacy_coordinate_modes(NodeDraft& node) {
  node.attrs.set("coordinate_transformation_mode", std::string("asymmetric"));
  if (node.attrs.get_string("mode", "nearest") == "nearest") node.attrs.set("nearest_mode", std::string("floor"));
}

bool is_empty_constant(const ImportContext& ctx, ValueId id) {
  const Tensor* data = ctx.constant_data(id);
  return data != nullptr && data->numel() == 0;
}

}  // namespace

Status upsample_v7(ImportContext& ctx, NodeDraft node) {
  std::vector<float> scales = node.attrs.get_floats("scales");
  node.attrs.erase("scales");
  ValueId scales_value =
      ctx.add_constant(node.name + "_scales", Tensor::from_vector<float>({static_cast<int64_t>(scales.size())}, scales));
  node.inputs = {node.inputs.at(0), kNoValue, scales_value};
  set_legacy_coordinate_modes(node);
  return pass_through(ctx, std::move(node));
}

Status resize_v10(ImportContext& ctx, NodeDraft node) {
  node.inputs = {node.inputs.at(0), kNoValue, node.inputs.at(1)};
  set_legacy_coordinate_modes(node);
  return pass_through(ctx, std::move(node));
}

// Opset 11 required the roi and scales inputs even when unused (exporters pass empty tensors); opset 13
// lets them be omitted, which is the form shape inference and the backends expect.
Status resize_v11(ImportContext& ctx, NodeDraft node) {
  const bool uses_roi = node.attrs.get_string("coordinate_transformation_mode", "half_pixel") == "tf_crop_and_resize";
  if (node.inputs.size() > 1 && (!uses_roi || is_empty_constant(ctx, node.inputs[1]))) node.inputs[1] = kNoValue;
  if (node.inputs.size() > 2 && is_empty_constant(ctx, node.inputs[2])) node.inputs[2] = kNoValue;
  return pass_through(ctx, std::move(node));
}

}  // namespace es::onnx_io
