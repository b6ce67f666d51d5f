// Static shapes for graph inputs: the model's dims, dynamic ones bound by ImportOptions::input_shapes
// (--shape NAME:DIMS) or, for an unbound leading (batch) dimension, by 1.
#pragma once

#include "base/status.h"
#include "ir/tensor.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <string>
#include <vector>

namespace es::onnx_io {

// The concrete shape of graph input `input`. `binding` is the user's shape for it, or null; `batch`, when
// > 0, replaces the leading dimension of an input without a binding (static or symbolic).
// Errors: a binding whose rank or static dims disagree with the model (names the input and both shapes),
// a dynamic non-leading dimension left unbound (says which --shape to pass), an input without a shape.
Result<Shape> bind_input_shape(const onnx::ValueInfoProto& input, const Shape* binding, int64_t batch);

// Every name in `bindings` must be a graph input; the error lists the real ones.
Status check_binding_names(const std::map<std::string, Shape>& bindings, const std::vector<std::string>& input_names);

}  // namespace es::onnx_io
