// Private helpers of the reference kernels in elementwise/reduce/normalization/quantize.cpp:
// element types for f16/bf16 storage, the "compute type" every kernel does its arithmetic in,
// compile-time dtype dispatch, broadcast/strided iteration and axis helpers.
#pragma once

#include "backends/ref/ref_kernels.h"
#include "ir/op_kind.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

namespace es::ref {

// Storage types for the 16-bit floats; kernels never compute in them (see compute_t).
struct Half {
  uint16_t bits;
};
struct BFloat16 {
  uint16_t bits;
};

inline float bf16_to_float(uint16_t b) {
  uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
// Truncates the low mantissa bits, as the ONNX 1.12 (opset 17) reference and its Cast test data do;
// NaN stays a quiet NaN even when its payload lies only in the dropped bits.
inline uint16_t float_to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  if (std::isnan(f)) return static_cast<uint16_t>((u >> 16) | 0x40);
  return static_cast<uint16_t>(u >> 16);
}

template <class T>
inline constexpr bool is_float_storage_v =
    std::is_floating_point_v<T> || std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

// The type kernels compute in: double for every float storage type (so f32 results are rounded once,
// like ONNX's float math, and reductions accumulate without drift), the type itself otherwise.
template <class T>
using compute_t = std::conditional_t<is_float_storage_v<T>, double, T>;

template <class T>
compute_t<T> load(T v) {
  if constexpr (std::is_same_v<T, Half>) return half_to_float(v.bits);
  else if constexpr (std::is_same_v<T, BFloat16>) return bf16_to_float(v.bits);
  else return v;
}

// Converts any compute value to storage type T: floats round, float->integer saturates (NaN -> 0)
// instead of invoking undefined behaviour, integer->integer wraps, anything->bool is "!= 0".
template <class T, class C>
T store(C v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != C{};
  } else if constexpr (std::is_same_v<T, Half>) {
    return Half{float_to_half(static_cast<float>(v))};
  } else if constexpr (std::is_same_v<T, BFloat16>) {
    return BFloat16{float_to_bf16(static_cast<float>(v))};
  } else if constexpr (std::is_integral_v<T> && std::is_floating_point_v<C>) {
    if (std::isnan(v)) return 0;
    // Bounds as doubles: 2^63 and 2^64 are exact, so ">=" catches everything out of range.
    constexpr double lo = static_cast<double>(std::numeric_limits<T>::lowest());
    constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
    if (v <= lo) return std::numeric_limits<T>::lowest();
    if (v >= hi) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  } else {
    return static_cast<T>(v);
  }
}

// ---- dtype dispatch -------------------------------------------------------------------------------

// Sets of element types a kernel accepts; dispatch only instantiates the kernel for types in the set.
enum TypeBits : uint32_t {
  kF16 = 1u << 0, kF32 = 1u << 1, kF64 = 1u << 2, kBF16 = 1u << 3,
  kI8 = 1u << 4, kI16 = 1u << 5, kI32 = 1u << 6, kI64 = 1u << 7,
  kU8 = 1u << 8, kU16 = 1u << 9, kU32 = 1u << 10, kU64 = 1u << 11,
  kBool = 1u << 12,
};
inline constexpr uint32_t kFloats = kF16 | kF32 | kF64 | kBF16;
inline constexpr uint32_t kSignedInts = kI8 | kI16 | kI32 | kI64;
inline constexpr uint32_t kUnsignedInts = kU8 | kU16 | kU32 | kU64;
inline constexpr uint32_t kInts = kSignedInts | kUnsignedInts;
inline constexpr uint32_t kSignedNumeric = kFloats | kSignedInts;
inline constexpr uint32_t kNumeric = kFloats | kInts;
inline constexpr uint32_t kAllTypes = kNumeric | kBool;

template <class T>
struct TypeTag {
  using type = T;
};

template <class... Args>
Status node_error(const Node& node, StatusCode code, fmt::format_string<Args...> format, Args&&... args) {
  return error(code, "node '{}' ({}): {}", node.name, op_name(node.op),
               fmt::format(format, std::forward<Args>(args)...));
}

inline Status unsupported_dtype(const Node& node, DType t, const char* what = "input") {
  return node_error(node, StatusCode::unsupported, "{} dtype {} is not supported", what, dtype_name(t));
}

namespace detail {
template <uint32_t Allowed, uint32_t Bit, class T, class F>
bool dispatch_case(F& f, Status& result) {
  if constexpr ((Allowed & Bit) != 0) {
    result = f(TypeTag<T>{});
    return true;
  } else {
    return false;
  }
}
}  // namespace detail

// Calls f(TypeTag<T>{}) for the storage type T of `t` if it is in `Allowed`; unsupported otherwise.
template <uint32_t Allowed, class F>
Status dispatch(DType t, const Node& node, F&& f) {
  Status result;
  bool handled = false;
  switch (t) {
    case DType::f16: handled = detail::dispatch_case<Allowed, kF16, Half>(f, result); break;
    case DType::bf16: handled = detail::dispatch_case<Allowed, kBF16, BFloat16>(f, result); break;
    case DType::f32: handled = detail::dispatch_case<Allowed, kF32, float>(f, result); break;
    case DType::f64: handled = detail::dispatch_case<Allowed, kF64, double>(f, result); break;
    case DType::i8: handled = detail::dispatch_case<Allowed, kI8, int8_t>(f, result); break;
    case DType::i16: handled = detail::dispatch_case<Allowed, kI16, int16_t>(f, result); break;
    case DType::i32: handled = detail::dispatch_case<Allowed, kI32, int32_t>(f, result); break;
    case DType::i64: handled = detail::dispatch_case<Allowed, kI64, int64_t>(f, result); break;
    case DType::u8: handled = detail::dispatch_case<Allowed, kU8, uint8_t>(f, result); break;
    case DType::u16: handled = detail::dispatch_case<Allowed, kU16, uint16_t>(f, result); break;
    case DType::u32: handled = detail::dispatch_case<Allowed, kU32, uint32_t>(f, result); break;
    case DType::u64: handled = detail::dispatch_case<Allowed, kU64, uint64_t>(f, result); break;
    case DType::boolean: handled = detail::dispatch_case<Allowed, kBool, bool>(f, result); break;
    case DType::undefined:
    case DType::string: break;
  }
  return handled ? result : unsupported_dtype(node, t);
}

// The DType a storage type is kept as (dtype_of<T> extended to the 16-bit float structs).
template <class T>
constexpr DType storage_dtype() {
  if constexpr (std::is_same_v<T, Half>) return DType::f16;
  else if constexpr (std::is_same_v<T, BFloat16>) return DType::bf16;
  else return dtype_of<T>();
}

template <class T>
const T* cdata(const TensorView& v) { return static_cast<const T*>(v.data); }
template <class T>
T* mdata(const TensorView& v) { return static_cast<T*>(v.data); }

// ---- iteration ------------------------------------------------------------------------------------

// Strides (in elements) with which `in` is read when broadcast to `out` (numpy rules, right-aligned):
// 0 along dimensions that `in` lacks or has as 1.
inline std::vector<int64_t> broadcast_strides(std::span<const int64_t> in, std::span<const int64_t> out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t stride = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    size_t i = in.size() - 1 - k;
    size_t o = out.size() - 1 - k;
    strides[o] = in[i] == 1 ? 0 : stride;
    stride *= in[i];
  }
  return strides;
}

inline bool broadcastable(std::span<const int64_t> in, std::span<const int64_t> out) {
  if (in.size() > out.size()) return false;
  for (size_t k = 0; k < in.size(); ++k) {
    int64_t d = in[in.size() - 1 - k];
    if (d != 1 && d != out[out.size() - 1 - k]) return false;
  }
  return true;
}

// Visits every index of `shape` in row-major order, calling f(offsets) where offsets[k] is the element
// offset of that index under strides[k]. Odometer with incremental offsets: O(1) amortised per element.
template <size_t N, class F>
void for_each_offset(std::span<const int64_t> shape, const std::array<std::vector<int64_t>, N>& strides, F&& f) {
  if (shape_numel(shape) == 0) return;
  std::array<int64_t, N> off{};
  const size_t rank = shape.size();
  if (rank == 0) {
    f(off);
    return;
  }
  std::vector<int64_t> idx(rank, 0);
  const int64_t inner = shape[rank - 1];
  while (true) {
    std::array<int64_t, N> cur = off;
    for (int64_t i = 0; i < inner; ++i) {
      f(cur);
      for (size_t k = 0; k < N; ++k) cur[k] += strides[k][rank - 1];
    }
    // Advance the outer dimensions.
    size_t d = rank - 1;
    while (true) {
      if (d == 0) return;
      --d;
      ++idx[d];
      for (size_t k = 0; k < N; ++k) off[k] += strides[k][d];
      if (idx[d] < shape[d]) break;
      for (size_t k = 0; k < N; ++k) off[k] -= strides[k][d] * shape[d];
      idx[d] = 0;
    }
  }
}

inline std::vector<int64_t> contiguous_strides(std::span<const int64_t> shape) { return shape_strides(shape); }

// Resolves a possibly negative axis against `rank`.
inline Result<int64_t> resolve_axis(const Node& node, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return node_error(node, StatusCode::invalid_model, "axis {} is out of range for rank {}", axis, rank);
  return axis < 0 ? axis + rank : axis;
}

// A shape split around one axis: [outer, axis, inner] element counts (row-major).
struct AxisSplit {
  int64_t outer = 1, axis = 1, inner = 1;
};
inline AxisSplit split_at_axis(std::span<const int64_t> shape, int64_t axis) {
  AxisSplit s;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < axis) s.outer *= shape[d];
    else if (d == axis) s.axis = shape[d];
    else s.inner *= shape[d];
  }
  return s;
}

// Reads an integer tensor (any integer dtype) as int64 values.
inline Result<std::vector<int64_t>> read_ints(const Node& node, const TensorView& v, const char* what) {
  std::vector<int64_t> values;
  Status s = dispatch<kInts>(v.dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* p = cdata<T>(v);
    values.assign(p, p + v.numel());
    return {};
  });
  if (!s.ok()) return node_error(node, StatusCode::invalid_model, "{} must be an integer tensor", what);
  return values;
}

}  // namespace es::ref
