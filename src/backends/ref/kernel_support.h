// Helpers of the reference kernels in conv/pool/linalg/shape_ops/resize.cpp, on top of the shared ones in
// ref_util_a.h (node_error, dispatch, read_ints, resolve_axis, broadcast iteration): reading optional
// operand tensors, and dtype-generic element access for data-movement ops (which work on bytes, not on
// one typed copy per dtype).
#pragma once

#include "backends/ref/ref_util_a.h"

#include <cstring>
#include <vector>

namespace es::ref {

// Values of a float tensor (f16/f32/f64) as double; empty when the input is omitted.
Result<std::vector<double>> read_floats(const Node& node, const TensorView& view, const char* what);
// read_ints (ref_util_a.h) that returns no values for an omitted optional input.
Result<std::vector<int64_t>> read_optional_ints(const Node& node, const TensorView& view, const char* what);

// Any numeric/bool element read or written as double (int64 values beyond 2^53 lose precision, so
// index-like data uses load_int instead).
double load_double(DType dtype, const void* data, int64_t index);
void store_double(DType dtype, void* data, int64_t index, double value);
int64_t load_int(DType dtype, const void* data, int64_t index);

inline std::byte* bytes_of(const TensorView& view) { return static_cast<std::byte*>(view.data); }

// Copies one element of `size` bytes; the switch lets the compiler emit a plain load/store.
inline void copy_element(std::byte* dst, const std::byte* src, size_t size) {
  switch (size) {
    case 1: *dst = *src; break;
    case 2: std::memcpy(dst, src, 2); break;
    case 4: std::memcpy(dst, src, 4); break;
    case 8: std::memcpy(dst, src, 8); break;
    default: std::memcpy(dst, src, size); break;
  }
}

// Advances a row-major multi-index over `shape`; returns false after the last index.
inline bool next_index(std::vector<int64_t>& index, std::span<const int64_t> shape) {
  for (size_t d = index.size(); d-- > 0;) {
    if (++index[d] < shape[d]) return true;
    index[d] = 0;
  }
  return false;
}

// out[index] = in_base[sum(index[d] * in_strides[d])] for every output index (Transpose, Slice, Expand).
void strided_copy(const TensorView& out, const std::byte* in_base, std::vector<int64_t> in_strides);

// out[index] = in[source(index)] (an element offset) for every output index, in row-major order.
template <typename F>
void mapped_copy(const TensorView& out, const TensorView& in, F&& source) {
  if (out.numel() == 0) return;
  const size_t es = dtype_size(out.dtype);
  std::vector<int64_t> index(out.shape.size(), 0);
  std::byte* dst = bytes_of(out);
  do {
    copy_element(dst, bytes_of(in) + source(index) * static_cast<int64_t>(es), es);
    dst += es;
  } while (next_index(index, out.shape));
}

}  // namespace es::ref
