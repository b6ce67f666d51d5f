// TensorView: a non-owning, dense row-major view that kernels read and write.
// Omitted optional inputs are views with data == nullptr.
#pragma once

#include "base/assert.h"
#include "ir/dtype.h"
#include "ir/tensor.h"

#include <span>

namespace es {

struct TensorView {
  DType dtype = DType::undefined;
  std::span<const int64_t> shape;
  void* data = nullptr;

  bool present() const { return data != nullptr; }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t numel() const { return shape_numel(shape); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype); }
  template <typename T> T* as() const { ES_ASSERT(dtype_of<T>() == dtype); return static_cast<T*>(data); }

  static TensorView of(const Tensor& t) { return {t.dtype(), t.shape(), const_cast<void*>(t.raw())}; }
  static TensorView of(Tensor& t) { return {t.dtype(), t.shape(), t.raw()}; }
};

}  // namespace es
