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

// The concrete shape of graph input `input`. `binding` is the user's shape for it, or null.
// Errors: a binding whose rank or static dims disagree with the model (names the input and both shapes),
// a dynamic non-leading dimension left unbound (says which --shape to pass), an input without a shape.
Result<Shape> bind_input_shape(const onnx::ValueInfoProto& input, const Shape* binding);

// Every name in `bindings` must be a graph input; the error lists the real ones.
Status check_binding_names(const std::map<std::string, Shape>& bindings, const std::vector<std::string>& input_names);

}  // namespace es::onnx_io
