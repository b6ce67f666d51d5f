#include "onnx/proto_tensor.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace es::onnx_io {
namespace {

namespace fs = std::filesystem;

// Copies one typed repeated field into the tensor; the narrow types live in int32_data, f16/bf16 as bits.
template <typename Dst, typename Field>
Status copy_typed_field(const Field& field, std::string_view field_name, Tensor& tensor, std::string_view what) {
  if (static_cast<int64_t>(field.size()) != tensor.numel())
    return error(StatusCode::invalid_model, "{}: {} holds {} values but shape {} needs {}", what, field_name,
                 field.size(), shape_str(tensor.shape()), tensor.numel());
  auto* out = static_cast<Dst*>(tensor.raw());
  for (int i = 0; i < field.size(); ++i) out[i] = static_cast<Dst>(field.Get(i));
  return {};
}

Status copy_typed_data(const onnx::TensorProto& p, Tensor& t, std::string_view what) {
  switch (t.dtype()) {
    case DType::f32: return copy_typed_field<float>(p.float_data(), "float_data", t, what);
    case DType::f64: return copy_typed_field<double>(p.double_data(), "double_data", t, what);
    case DType::i64: return copy_typed_field<int64_t>(p.int64_data(), "int64_data", t, what);
    case DType::u64: return copy_typed_field<uint64_t>(p.uint64_data(), "uint64_data", t, what);
    case DType::u32: return copy_typed_field<uint32_t>(p.uint64_data(), "uint64_data", t, what);
    case DType::i32: return copy_typed_field<int32_t>(p.int32_data(), "int32_data", t, what);
    case DType::i16: return copy_typed_field<int16_t>(p.int32_data(), "int32_data", t, what);
    case DType::i8: return copy_typed_field<int8_t>(p.int32_data(), "int32_data", t, what);
    case DType::u16: return copy_typed_field<uint16_t>(p.int32_data(), "int32_data", t, what);
    case DType::u8: return copy_typed_field<uint8_t>(p.int32_data(), "int32_data", t, what);
    case DType::boolean: return copy_typed_field<bool>(p.int32_data(), "int32_data", t, what);
    case DType::f16: case DType::bf16: return copy_typed_field<uint16_t>(p.int32_data(), "int32_data", t, what);
    case DType::undefined: case DType::string: break;
  }
  ES_UNREACHABLE();
}

// Bools must be 0 or 1 in memory; raw bytes from a file may hold anything.
void normalise_bools(Tensor& t) {
  if (t.dtype() != DType::boolean) return;
  auto* bytes = static_cast<uint8_t*>(t.raw());
  for (int64_t i = 0; i < t.numel(); ++i) bytes[i] = bytes[i] != 0;
}

Result<int64_t> parse_external_int(const std::string& text, std::string_view key, std::string_view what) {
  int64_t v = 0;
  size_t used = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || v > (INT64_MAX - 9) / 10)
      return error(StatusCode::invalid_model, "{}: external data {} '{}' is not a valid number", what, key, text);
    v = v * 10 + (c - '0');
    ++used;
  }
  if (used == 0) return error(StatusCode::invalid_model, "{}: external data {} is empty", what, key);
  return v;
}

// A location must name a file inside the model's folder: no absolute paths, no "..".
Result<fs::path> external_path(const std::string& location, const std::string& base_dir, std::string_view what) {
  fs::path rel(location);
  if (location.empty() || rel.is_absolute() || rel.has_root_name())
    return error(StatusCode::invalid_model, "{}: external data location '{}' must be a relative path", what, location);
  for (const fs::path& part : rel)
    if (part == "..")
      return error(StatusCode::invalid_model, "{}: external data location '{}' leaves the model's folder", what,
                   location);
  return fs::path(base_dir.empty() ? "." : base_dir) / rel;
}

Status read_external_data(const onnx::TensorProto& p, Tensor& t, const std::string& base_dir, std::string_view what) {
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;
  for (const auto& entry : p.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset") {
      ES_ASSIGN_OR_RETURN(offset, parse_external_int(entry.value(), "offset", what));
    } else if (entry.key() == "length") {
      ES_ASSIGN_OR_RETURN(length, parse_external_int(entry.value(), "length", what));
    }
  }
  if (location.empty()) return error(StatusCode::invalid_model, "{}: external data without a location", what);
  ES_ASSIGN_OR_RETURN(fs::path path, external_path(location, base_dir, what));
  const auto needed = static_cast<int64_t>(t.nbytes());
  if (length >= 0 && length != needed)
    return error(StatusCode::invalid_model, "{}: external data length {} but shape {} ({}) needs {} bytes", what,
                 length, shape_str(t.shape()), dtype_name(t.dtype()), needed);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return error(StatusCode::not_found, "{}: external data file '{}' not found", what, path.string());
  const auto file_size = static_cast<int64_t>(fs::file_size(path, ec));
  if (ec) return error(StatusCode::not_found, "{}: cannot read external data file '{}'", what, path.string());
  if (offset > file_size || needed > file_size - offset)
    return error(StatusCode::invalid_model, "{}: external data range [{}, {}) is outside '{}' ({} bytes)", what,
                 offset, offset + needed, path.string(), file_size);
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file || fseeko(file.get(), offset, SEEK_SET) != 0 ||
      std::fread(t.raw(), 1, t.nbytes(), file.get()) != t.nbytes())
    return error(StatusCode::not_found, "{}: cannot read {} bytes of external data from '{}'", what, needed,
                 path.string());
  return {};
}

}  // namespace

std::string onnx_type_name(int32_t data_type) {
  if (onnx::TensorProto_DataType_IsValid(data_type))
    return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(data_type));
  return fmt::format("type {}", data_type);
}

Result<Tensor> tensor_from_proto(const onnx::TensorProto& p, const std::string& base_dir, std::string_view what) {
  const DType dtype = dtype_from_onnx(p.data_type());
  if (dtype == DType::string)
    return error(StatusCode::unsupported, "{}: string tensors are not supported", what);
  if (dtype == DType::undefined)
    return error(StatusCode::unsupported, "{}: data type {} is not supported", what, onnx_type_name(p.data_type()));
  if (p.has_segment()) return error(StatusCode::unsupported, "{}: segmented tensors are not supported", what);
  Shape shape(p.dims().begin(), p.dims().end());
  auto numel = checked_numel(shape, kMaxTensorBytes / static_cast<int64_t>(dtype_size(dtype)));
  if (!numel.ok()) return numel.status().with_context(std::string(what));

  Tensor tensor(dtype, std::move(shape));
  if (p.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
    ES_TRY(read_external_data(p, tensor, base_dir, what));
  } else if (p.has_raw_data()) {
    if (p.raw_data().size() != tensor.nbytes())
      return error(StatusCode::invalid_model, "{}: raw_data has {} bytes but shape {} ({}) needs {}", what,
                   p.raw_data().size(), shape_str(tensor.shape()), dtype_name(dtype), tensor.nbytes());
    if (tensor.nbytes()) std::memcpy(tensor.raw(), p.raw_data().data(), tensor.nbytes());
  } else {
    ES_TRY(copy_typed_data(p, tensor, what));
  }
  normalise_bools(tensor);
  return tensor;
}

void tensor_to_proto(const Tensor& tensor, const std::string& name, onnx::TensorProto& proto) {
  proto.Clear();
  proto.set_name(name);
  proto.set_data_type(static_cast<int32_t>(tensor.dtype()));
  for (int64_t d : tensor.shape()) proto.add_dims(d);
  proto.set_raw_data(tensor.nbytes() ? std::string(static_cast<const char*>(tensor.raw()), tensor.nbytes()) : std::string());
}

}  // namespace es::onnx_io
