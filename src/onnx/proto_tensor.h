// TensorProto <-> Tensor, shared by the importer, the exporter and tensor files. Internal to es_onnx:
// it is the only header besides proto_attribute.h that names ONNX protobuf types.
#pragma once

#include "base/status.h"
#include "ir/tensor.h"

#include <onnx/onnx_pb.h>

#include <string>
#include <string_view>

namespace es::onnx_io {

// Largest tensor edgescope loads (bytes). A bound on declared sizes, so a corrupt dims field cannot make
// us allocate terabytes; real data must also be present in the file for the size to be accepted.
inline constexpr int64_t kMaxTensorBytes = int64_t{16} << 30;

// Reads a TensorProto's contents: raw_data, the typed fields (float_data, int32_data for the narrow
// types, int64_data, double_data, uint64_data) or external data (location/offset/length relative to
// `base_dir`, which must stay inside it). `what` names the tensor in messages ("initializer 'w'").
Result<Tensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir, std::string_view what);

// Writes the tensor as raw_data (little-endian, as ONNX specifies).
void tensor_to_proto(const Tensor& tensor, const std::string& name, onnx::TensorProto& proto);

// "FLOAT", "INT64", ... for messages about ONNX data type numbers.
std::string onnx_type_name(int32_t data_type);

}  // namespace es::onnx_io
