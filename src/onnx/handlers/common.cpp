// Handlers shared by many ops: nodes whose semantics did not change, and Constant.
#include "onnx/handlers/handler.h"

namespace es::onnx_io {

Status pass_through(ImportContext& ctx, NodeDraft node) {
  ctx.emit(std::move(node));
  return {};
}

// Constant carries its tensor in exactly one of value, value_float(s), value_int(s) (value_string(s)
// cannot be represented); the IR always uses a "value" tensor.
Status constant(ImportContext& ctx, NodeDraft node) {
  const auto& attrs = node.attrs.all();
  if (attrs.size() != 1)
    return error(StatusCode::invalid_model, "Constant needs exactly one value attribute, it has {}", attrs.size());
  const auto& [key, value] = *attrs.begin();
  Tensor tensor;
  if (key == "value" && std::holds_alternative<Tensor>(value)) {
    tensor = std::get<Tensor>(value);
  } else if (key == "value_float" && std::holds_alternative<float>(value)) {
    tensor = Tensor::scalar(std::get<float>(value));
  } else if (key == "value_int" && std::holds_alternative<int64_t>(value)) {
    tensor = Tensor::scalar(std::get<int64_t>(value));
  } else if (key == "value_floats" && std::holds_alternative<std::vector<float>>(value)) {
    const auto& v = std::get<std::vector<float>>(value);
    tensor = Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v);
  } else if (key == "value_ints" && std::holds_alternative<std::vector<int64_t>>(value)) {
    const auto& v = std::get<std::vector<int64_t>>(value);
    tensor = Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
  } else {
    return error(StatusCode::unsupported, "Constant attribute '{}' of this type is not supported", key);
  }
  node.attrs = Attributes();
  node.attrs.set("value", std::move(tensor));
  ctx.emit(std::move(node));
  return {};
}

}  // namespace es::onnx_io
