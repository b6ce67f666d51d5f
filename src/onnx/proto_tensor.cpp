#include "onnx/proto_tensor.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

namespace es::onnx_io {
namespace {

namespace fs = std::filesystem;

// Calls go(field, name, Dst{}) with the typed repeated field that holds `dtype`'s values (the narrow types live
// in int32_data, f16/bf16 as bits) and the element type they are stored as.
template <typename F>
auto with_typed_field(const onnx::TensorProto& p, DType dtype, F&& go) {
  switch (dtype) {
    case DType::f32: return go(p.float_data(), "float_data", float{});
    case DType::f64: return go(p.double_data(), "double_data", double{});
    case DType::i64: return go(p.int64_data(), "int64_data", int64_t{});
    case DType::u64: return go(p.uint64_data(), "uint64_data", uint64_t{});
    case DType::u32: return go(p.uint64_data(), "uint64_data", uint32_t{});
    case DType::i32: return go(p.int32_data(), "int32_data", int32_t{});
    case DType::i16: return go(p.int32_data(), "int32_data", int16_t{});
    case DType::i8: return go(p.int32_data(), "int32_data", int8_t{});
    case DType::u16: return go(p.int32_data(), "int32_data", uint16_t{});
    case DType::u8: return go(p.int32_data(), "int32_data", uint8_t{});
    case DType::boolean: return go(p.int32_data(), "int32_data", bool{});
    case DType::f16: case DType::bf16: return go(p.int32_data(), "int32_data", uint16_t{});
    case DType::undefined: case DType::string: break;
  }
  ES_UNREACHABLE();
}

// The typed field must hold exactly the values the shape needs; checked before the tensor is allocated, so
// that a small file cannot make the importer allocate and clear gigabytes (the fuzzer found one).
Status check_typed_data(const onnx::TensorProto& p, DType dtype, const Shape& shape, int64_t numel,
                        std::string_view what) {
  return with_typed_field(p, dtype, [&](const auto& field, std::string_view name, auto) -> Status {
    if (static_cast<int64_t>(field.size()) != numel)
      return error(StatusCode::invalid_model, "{}: {} holds {} values but shape {} needs {}", what, name,
                   field.size(), shape_str(shape), numel);
    return {};
  });
}

void copy_typed_data(const onnx::TensorProto& p, Tensor& t) {
  with_typed_field(p, t.dtype(), [&](const auto& field, std::string_view, auto tag) {
    using Dst = decltype(tag);
    auto* out = static_cast<Dst*>(t.raw());
    for (int i = 0; i < field.size(); ++i) out[i] = static_cast<Dst>(field.Get(i));
  });
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

struct ExternalRange {
  fs::path path;
  int64_t offset = 0;
};

// Where a tensor's external bytes lie, checked against the file before the tensor is allocated.
Result<ExternalRange> external_range(const onnx::TensorProto& p, const Shape& shape, DType dtype, int64_t needed,
                                     const std::string& base_dir, std::string_view what) {
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
  if (length >= 0 && length != needed)
    return error(StatusCode::invalid_model, "{}: external data length {} but shape {} ({}) needs {} bytes", what,
                 length, shape_str(shape), dtype_name(dtype), needed);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return error(StatusCode::not_found, "{}: external data file '{}' not found", what, path.string());
  const auto file_size = static_cast<int64_t>(fs::file_size(path, ec));
  if (ec) return error(StatusCode::not_found, "{}: cannot read external data file '{}'", what, path.string());
  if (offset > file_size || needed > file_size - offset)
    return error(StatusCode::invalid_model, "{}: external data range [{}, {}) is outside '{}' ({} bytes)", what,
                 offset, offset + needed, path.string(), file_size);
  return ExternalRange{path, offset};
}

Status read_external_data(const ExternalRange& range, Tensor& t, std::string_view what) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(range.path.c_str(), "rb"), &std::fclose);
  if (!file || fseeko(file.get(), range.offset, SEEK_SET) != 0 ||
      std::fread(t.raw(), 1, t.nbytes(), file.get()) != t.nbytes())
    return error(StatusCode::not_found, "{}: cannot read {} bytes of external data from '{}'", what, t.nbytes(),
                 range.path.string());
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

  const int64_t bytes = *numel * static_cast<int64_t>(dtype_size(dtype));
  // Every source of bytes is checked against the shape before the tensor is allocated.
  std::optional<ExternalRange> external;
  if (p.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
    ES_ASSIGN_OR_RETURN(external, external_range(p, shape, dtype, bytes, base_dir, what));
  } else if (p.has_raw_data()) {
    if (static_cast<int64_t>(p.raw_data().size()) != bytes)
      return error(StatusCode::invalid_model, "{}: raw_data has {} bytes but shape {} ({}) needs {}", what,
                   p.raw_data().size(), shape_str(shape), dtype_name(dtype), bytes);
  } else {
    ES_TRY(check_typed_data(p, dtype, shape, *numel, what));
  }
  Tensor tensor(dtype, std::move(shape));
  if (external)
    ES_TRY(read_external_data(*external, tensor, what));
  else if (!p.has_raw_data())
    copy_typed_data(p, tensor);
  else if (tensor.nbytes() > 0)
    std::memcpy(tensor.raw(), p.raw_data().data(), tensor.nbytes());
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
