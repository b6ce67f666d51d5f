#include "onnx/type_hints.h"

#include "base/log.h"

#include <onnx/shape_inference/implementation.h>

namespace es::onnx_io {

TypeHints::TypeHints(const onnx::ModelProto& model) : model_(model) {
  const onnx::GraphProto& g = model.graph();
  for (const auto& info : g.input()) add(info);
  for (const auto& info : g.output()) add(info);
  for (const auto& info : g.value_info()) add(info);
  for (const auto& init : g.initializer())
    hints_[init.name()] = TypeHint{dtype_from_onnx(init.data_type()), static_cast<int64_t>(init.dims_size())};
}

void TypeHints::add(const onnx::ValueInfoProto& info) {
  if (!info.type().has_tensor_type()) return;
  const auto& tensor_type = info.type().tensor_type();
  TypeHint& hint = hints_[info.name()];
  if (hint.dtype == DType::undefined) hint.dtype = dtype_from_onnx(tensor_type.elem_type());
  if (!hint.rank && tensor_type.has_shape()) hint.rank = tensor_type.shape().dim_size();
}

TypeHint TypeHints::declared(const std::string& name) const {
  auto it = hints_.find(name);
  return it == hints_.end() ? TypeHint{} : it->second;
}

TypeHint TypeHints::best_effort(const std::string& name) {
  TypeHint hint = declared(name);
  if ((hint.dtype != DType::undefined && hint.rank) || inferred_) return hint;
  inferred_ = true;
  onnx::ModelProto copy = model_;
  try {
    onnx::ShapeInferenceOptions options{/*check_type=*/false, /*error_mode=*/0, /*enable_data_propagation=*/false};
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    log::debug("ONNX shape inference gave up: {}", e.what());
  }
  for (const auto& info : copy.graph().value_info()) add(info);
  for (const auto& info : copy.graph().output()) add(info);
  return declared(name);
}

}  // namespace es::onnx_io
