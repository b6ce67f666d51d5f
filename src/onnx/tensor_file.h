// TensorProto files (.pb), as used by ONNX's test data and by `run --input/--output`.
#pragma once

#include "base/status.h"
#include "ir/tensor.h"

#include <string>

namespace es::onnx_io {

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

Result<NamedTensor> read_tensor_file(const std::string& path);
Status write_tensor_file(const std::string& path, const std::string& name, const Tensor& tensor);

}  // namespace es::onnx_io
