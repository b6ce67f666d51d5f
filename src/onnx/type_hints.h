// Element types and ranks of ONNX values as the model declares them (inputs, outputs, value_info,
// initializers), completed on demand by ONNX's own shape inference. Handlers that must rewrite a node
// differently depending on its input's rank or dtype (legacy Softmax, Clip-6 bounds) ask here; the IR
// shapes themselves come from es::infer_shapes.
#pragma once

#include "ir/dtype.h"

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>
#include <unordered_map>

namespace es::onnx_io {

struct TypeHint {
  DType dtype = DType::undefined;
  std::optional<int64_t> rank;
};

class TypeHints {
 public:
  explicit TypeHints(const onnx::ModelProto& model);

  // What the model itself declares about `name` (no inference).
  TypeHint declared(const std::string& name) const;
  // The declaration, completed by ONNX shape inference (run once, on a copy, the first time a value
  // lacks a declaration). Best effort: a field stays empty when ONNX cannot tell either.
  TypeHint best_effort(const std::string& name);

 private:
  void add(const onnx::ValueInfoProto& info);

  const onnx::ModelProto& model_;
  std::unordered_map<std::string, TypeHint> hints_;
  bool inferred_ = false;
};

}  // namespace es::onnx_io
