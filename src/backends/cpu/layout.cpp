#include "backends/cpu/layout.h"

#include "base/assert.h"
#include "ir/tensor.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace es::cpu {

std::optional<memory::data_type> onednn_type(DType dtype) {
  switch (dtype) {
    case DType::f32: return memory::data_type::f32;
    case DType::f16: return memory::data_type::f16;
    case DType::bf16: return memory::data_type::bf16;
    case DType::i32: return memory::data_type::s32;
    case DType::i8: return memory::data_type::s8;
    case DType::u8: return memory::data_type::u8;
    default: return std::nullopt;
  }
}

memory::dims to_dims(std::span<const int64_t> shape) {
  if (shape.empty()) return {1};
  return memory::dims(shape.begin(), shape.end());
}

memory::desc plain_desc(DType dtype, std::span<const int64_t> shape) {
  auto type = onednn_type(dtype);
  ES_ASSERT_MSG(type.has_value(), "plain_desc of a dtype oneDNN does not have");
  memory::dims dims = to_dims(shape);
  memory::dims strides(dims.size(), 1);
  for (size_t i = dims.size() - 1; i > 0; --i) strides[i - 1] = strides[i] * std::max<int64_t>(dims[i], 1);
  return memory::desc(dims, *type, strides);
}

Layout Layout::of(const memory::desc& desc, DType dtype, std::span<const int64_t> shape) {
  Layout layout;
  if (desc != plain_desc(dtype, shape)) layout.blocked_ = desc;
  return layout;
}

memory::desc Layout::desc(DType dtype, std::span<const int64_t> shape) const {
  return blocked_ ? *blocked_ : plain_desc(dtype, shape);
}

size_t Layout::bytes(DType dtype, std::span<const int64_t> shape) const {
  if (blocked_) return blocked_->get_size();
  return static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype);
}

bool Layout::operator==(const Layout& other) const {
  if (is_plain() || other.is_plain()) return is_plain() == other.is_plain();
  return *blocked_ == *other.blocked_;
}

namespace {

// The stride of each dimension when the layout is a plain strided one in disguise: an inner block
// acts as a stride when it covers the whole dimension or when its outer stride continues it
// (nChw16c with H = W = 1 is C-contiguous). nullopt for layouts that are not.
std::optional<std::vector<int64_t>> effective_strides(const dnnl_memory_desc_t& md) {
  if (md.format_kind != dnnl_blocked) return std::nullopt;
  const auto& blocking = md.format_desc.blocking;
  std::vector<int64_t> strides(blocking.strides, blocking.strides + md.ndims);
  std::vector<bool> blocked(static_cast<size_t>(md.ndims), false);
  int64_t inner_stride = 1;  // of block k: the product of the blocks inside it
  for (int k = blocking.inner_nblks - 1; k >= 0; --k) {
    const int d = static_cast<int>(blocking.inner_idxs[k]);
    const int64_t size = blocking.inner_blks[k];
    if (blocked[static_cast<size_t>(d)]) return std::nullopt;  // two blocks on one dimension
    blocked[static_cast<size_t>(d)] = true;
    if (md.dims[d] > size && strides[static_cast<size_t>(d)] != size * inner_stride) return std::nullopt;
    strides[static_cast<size_t>(d)] = inner_stride;
    inner_stride *= size;
  }
  return strides;
}

}  // namespace

bool Layout::same_bytes(const Layout& other, DType dtype, std::span<const int64_t> shape) const {
  if (*this == other) return true;
  const dnnl_memory_desc_t a = desc(dtype, shape).data, b = other.desc(dtype, shape).data;
  auto sa = effective_strides(a), sb = effective_strides(b);
  if (!sa || !sb || a.offset0 != b.offset0) return false;
  // A dimension of size 1 is never stepped along, so its stride does not matter.
  for (int d = 0; d < a.ndims; ++d)
    if (a.dims[d] > 1 && (*sa)[static_cast<size_t>(d)] != (*sb)[static_cast<size_t>(d)]) return false;
  return true;
}

std::string Layout::str() const {
  if (!blocked_) return "plain";
  const dnnl_memory_desc_t& md = blocked_->data;
  if (md.format_kind != dnnl_blocked) return "opaque";
  const auto& blocking = md.format_desc.blocking;
  std::vector<int> order(static_cast<size_t>(md.ndims));
  std::iota(order.begin(), order.end(), 0);
  // Outer dimensions from the largest stride to the smallest; ties keep the logical order.
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return blocking.strides[a] > blocking.strides[b]; });
  std::string text;
  for (int d : order) text += static_cast<char>('a' + d);
  for (int i = 0; i < blocking.inner_nblks; ++i)
    text += fmt::format(":{}{}", blocking.inner_blks[i], static_cast<char>('a' + blocking.inner_idxs[i]));
  return text;
}

}  // namespace es::cpu
