#include "onnx/input_binding.h"

#include "base/log.h"

#include <fmt/format.h>

#include <algorithm>

namespace es::onnx_io {
namespace {

using Dim = onnx::TensorShapeProto::Dimension;

bool is_static(const Dim& d) { return d.has_dim_value(); }

// A dimension as the model writes it: its size, its symbolic name, or '?'.
std::string dim_text(const Dim& d) {
  if (d.has_dim_value()) return std::to_string(d.dim_value());
  return d.dim_param().empty() ? std::string("?") : d.dim_param();
}

std::string model_shape_text(const onnx::TensorShapeProto& shape) {
  std::vector<std::string> dims;
  for (const Dim& d : shape.dim()) dims.push_back(dim_text(d));
  return fmt::format("[{}]", fmt::join(dims, ","));
}

// The --shape argument that would bind this input, with the known dims filled in and the batch at 1.
std::string shape_hint(const onnx::TensorShapeProto& shape) {
  std::vector<std::string> dims;
  for (int i = 0; i < shape.dim_size(); ++i) {
    const Dim& d = shape.dim(i);
    dims.push_back(i == 0 && !is_static(d) ? "1" : dim_text(d));
  }
  return fmt::format("{}", fmt::join(dims, "x"));
}

Status check_binding(const std::string& name, const onnx::TypeProto_Tensor& type, const Shape& binding) {
  if (!type.has_shape()) return {};
  const auto& shape = type.shape();
  bool matches = shape.dim_size() == static_cast<int>(binding.size());
  for (int i = 0; matches && i < shape.dim_size(); ++i)
    matches = !is_static(shape.dim(i)) || shape.dim(i).dim_value() == binding[static_cast<size_t>(i)];
  if (!matches)
    return error(StatusCode::invalid_argument, "--shape {}:{} does not match the model's input '{}' of shape {}", name,
                 shape_str(binding), name, model_shape_text(shape));
  return {};
}

}  // namespace

Result<Shape> bind_input_shape(const onnx::ValueInfoProto& input, const Shape* binding, int64_t batch) {
  const std::string& name = input.name();
  const auto& type = input.type().tensor_type();
  Shape shape;
  if (binding) {
    ES_TRY(check_binding(name, type, *binding));
    shape = *binding;
  } else {
    if (!type.has_shape())
      return error(StatusCode::invalid_argument, "input '{}' has no shape in the model: pass --shape {}:DIMS", name,
                   name);
    const auto& dims = type.shape();
    for (int i = 0; i < dims.dim_size(); ++i) {
      const Dim& d = dims.dim(i);
      if (i == 0 && batch > 0) {
        shape.push_back(batch);
      } else if (is_static(d)) {
        if (d.dim_value() < 0)
          return error(StatusCode::invalid_model, "input '{}' dimension {} is negative ({})", name, i, d.dim_value());
        shape.push_back(d.dim_value());
      } else if (i == 0) {
        log::info("input '{}': batch dimension '{}' set to 1 (use --shape {}:{})", name, dim_text(d), name,
                  shape_hint(dims));
        shape.push_back(1);
      } else {
        return error(StatusCode::invalid_argument, "input '{}' dimension {} ('{}') is not bound: pass --shape {}:{}",
                     name, i, dim_text(d), name, shape_hint(dims));
      }
    }
  }
  auto numel = checked_numel(shape);
  if (!numel.ok()) return numel.status().with_context(fmt::format("input '{}'", name));
  return shape;
}

Status check_binding_names(const std::map<std::string, Shape>& bindings, const std::vector<std::string>& input_names) {
  for (const auto& [name, shape] : bindings)
    if (std::find(input_names.begin(), input_names.end(), name) == input_names.end())
      return error(StatusCode::invalid_argument, "--shape {}: the model has no input '{}' (inputs: {})", name, name,
                   fmt::join(input_names, ", "));
  return {};
}

}  // namespace es::onnx_io
