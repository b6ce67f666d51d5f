// How the CPU backend stores a runtime value: plain (dense row-major, the layout of the caller, of
// initializers and of the reference kernels) or a oneDNN descriptor that a primitive chose (blocked
// layouts such as nChw16c). Values stay blocked between consecutive oneDNN primitives; reorders
// happen only where a plain consumer (reference kernel, view op, graph output) needs them.
#pragma once

#include "ir/dtype.h"

#include <dnnl.hpp>

#include <optional>
#include <span>
#include <string>

namespace es::cpu {

using dnnl::memory;

// oneDNN's type for an edgescope dtype; nullopt where oneDNN has none (i64, f64, bool, ...).
std::optional<memory::data_type> onednn_type(DType dtype);
memory::dims to_dims(std::span<const int64_t> shape);
// The dense row-major descriptor of an f32/i8/... tensor (a scalar is described as {1}).
memory::desc plain_desc(DType dtype, std::span<const int64_t> shape);

class Layout {
 public:
  static Layout plain() { return Layout(); }
  // A descriptor equal to the plain one becomes plain, so equal layouts compare equal.
  static Layout of(const memory::desc& desc, DType dtype, std::span<const int64_t> shape);

  bool is_plain() const { return !blocked_.has_value(); }
  // The descriptor for a value of this dtype and shape (the plain one when plain).
  memory::desc desc(DType dtype, std::span<const int64_t> shape) const;
  // Bytes a buffer of this layout needs (blocked layouts pad channels up to the block).
  size_t bytes(DType dtype, std::span<const int64_t> shape) const;
  bool operator==(const Layout& other) const;
  // True when both layouts put every element of a value at the same byte (e.g. NHWC and NCHW of a
  // 1xCx1x1 tensor), so one can be read as the other without a reorder.
  bool same_bytes(const Layout& other, DType dtype, std::span<const int64_t> shape) const;
  // "plain", or the dimension order with inner blocks, e.g. "abcd:16b" for nChw16c (the debug log).
  std::string str() const;

 private:
  std::optional<memory::desc> blocked_;
};

}  // namespace es::cpu
