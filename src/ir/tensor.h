// Tensor: a dense, row-major, 64-byte-aligned block of elements with a dtype and a static shape.
// Used for initializers, constants found by shape inference, test inputs/outputs and reference kernels.
// Copies share the buffer (it is immutable by convention once published as a Value's data);
// use clone() for a private copy.
#pragma once

#include "base/assert.h"
#include "base/status.h"
#include "ir/dtype.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace es {

using Shape = std::vector<int64_t>;

// Number of elements; 1 for a scalar (empty shape). Asserts no negative (unbound) dimension.
int64_t shape_numel(std::span<const int64_t> shape);
// Like shape_numel, but fails instead of overflowing int64 or exceeding `limit` elements.
Result<int64_t> checked_numel(std::span<const int64_t> shape, int64_t limit = (int64_t{1} << 40));
std::string shape_str(std::span<const int64_t> shape);  // "1x3x224x224", "scalar" for rank 0
// Parses "1x3x224x224"; fails with a message naming `what` on anything else.
Result<Shape> parse_shape(std::string_view text, std::string_view what);
// Row-major strides in elements.
std::vector<int64_t> shape_strides(std::span<const int64_t> shape);

class Tensor {
 public:
  Tensor() = default;
  // Zero-initialised storage. Asserts the size is sane: callers validate untrusted sizes first.
  Tensor(DType dtype, Shape shape);
  // Over storage allocated elsewhere (e.g. a device's pinned host memory), which must hold the shape's bytes
  // and be zeroed by its allocator; the tensor shares its ownership.
  Tensor(DType dtype, Shape shape, std::shared_ptr<std::byte[]> storage);

  template <typename T>
  static Tensor from_vector(Shape shape, const std::vector<T>& values) {
    Tensor t(dtype_of<T>(), std::move(shape));
    ES_ASSERT(static_cast<int64_t>(values.size()) == t.numel());
    std::copy(values.begin(), values.end(), t.data<T>());
    return t;
  }
  template <typename T>
  static Tensor scalar(T value) { return from_vector<T>({}, {value}); }

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[static_cast<size_t>(i)]; }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }
  bool empty() const { return buffer_ == nullptr; }

  void* raw() { return buffer_.get(); }
  const void* raw() const { return buffer_.get(); }
  template <typename T> T* data() { ES_ASSERT(dtype_of<T>() == dtype_); return static_cast<T*>(raw()); }
  template <typename T> const T* data() const { ES_ASSERT(dtype_of<T>() == dtype_); return static_cast<const T*>(raw()); }
  template <typename T> std::span<const T> values() const { return {data<T>(), static_cast<size_t>(numel_)}; }
  template <typename T> std::span<T> values() { return {data<T>(), static_cast<size_t>(numel_)}; }

  // Integer tensor (any int dtype) read as int64: for shape tensors, axes, indices.
  std::vector<int64_t> to_int64_vector() const;
  // Float tensor (f32/f64/f16) read as float.
  std::vector<float> to_float_vector() const;

  Tensor clone() const;
  // Same buffer, new shape with the same element count.
  Tensor reshaped(Shape shape) const;

 private:
  DType dtype_ = DType::undefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<std::byte[]> buffer_;
};

// IEEE half conversions used by f16 tensors on the CPU.
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);

}  // namespace es
