#include "onnx/tensor_file.h"

#include "onnx/file_bytes.h"
#include "onnx/proto_tensor.h"

#include <climits>

namespace es::onnx_io {

Result<NamedTensor> read_tensor_file(const std::string& path) {
  ES_ASSIGN_OR_RETURN(std::string bytes, read_file_bytes(path));
  onnx::TensorProto proto;
  if (bytes.size() > static_cast<size_t>(INT_MAX) || !proto.ParseFromString(bytes))
    return error(StatusCode::invalid_argument, "{}: not a TensorProto file (truncated or corrupt)", path);
  auto tensor = tensor_from_proto(proto, folder_of(path), fmt::format("tensor '{}'", proto.name()));
  if (!tensor.ok()) return tensor.status().with_context(path);
  return NamedTensor{proto.name(), std::move(tensor).value()};
}

Status write_tensor_file(const std::string& path, const std::string& name, const Tensor& tensor) {
  if (tensor.dtype() == DType::undefined || tensor.dtype() == DType::string)
    return error(StatusCode::invalid_argument, "{}: cannot write a tensor of dtype {}", path, dtype_name(tensor.dtype()));
  onnx::TensorProto proto;
  tensor_to_proto(tensor, name, proto);
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) return error(StatusCode::resource, "{}: tensor too large to serialise", path);
  return write_file_bytes(path, bytes);
}

}  // namespace es::onnx_io
