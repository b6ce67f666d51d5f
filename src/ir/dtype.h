// Element types. Values match ONNX TensorProto.DataType so the importer and exporter map 1:1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace es {

enum class DType : int32_t {
  undefined = 0,
  f32 = 1,
  u8 = 2,
  i8 = 3,
  u16 = 4,
  i16 = 5,
  i32 = 6,
  i64 = 7,
  string = 8,
  boolean = 9,
  f16 = 10,
  f64 = 11,
  u32 = 12,
  u64 = 13,
  bf16 = 16,
};

// Bytes per element; 0 for undefined and string (which have no fixed-size storage).
size_t dtype_size(DType t);
std::string_view dtype_name(DType t);  // "f32", "i64", ...
bool dtype_is_float(DType t);
bool dtype_is_integer(DType t);  // signed or unsigned integer, not bool
// Parses an ONNX data type number; returns DType::undefined for unknown values.
DType dtype_from_onnx(int32_t onnx_type);

template <typename T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }
template <> constexpr DType dtype_of<int8_t>() { return DType::i8; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::u8; }
template <> constexpr DType dtype_of<int16_t>() { return DType::i16; }
template <> constexpr DType dtype_of<uint16_t>() { return DType::u16; }
template <> constexpr DType dtype_of<int32_t>() { return DType::i32; }
template <> constexpr DType dtype_of<uint32_t>() { return DType::u32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::i64; }
template <> constexpr DType dtype_of<uint64_t>() { return DType::u64; }
template <> constexpr DType dtype_of<bool>() { return DType::boolean; }

}  // namespace es
