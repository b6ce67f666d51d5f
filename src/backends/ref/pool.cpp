// MaxPool (with Indices), AveragePool, LpPool and the Global* pools, for any number of spatial dims.
// Arithmetic is done in compute_t (double for float storage), like the other reference kernels.
#include "backends/ref/spatial.h"

#include <cmath>
#include <limits>

namespace es::ref {
namespace {

enum class PoolKind { max, average, lp };

constexpr uint32_t kPoolTypes = kF16 | kF32 | kF64;
constexpr uint32_t kMaxPoolTypes = kPoolTypes | kI8 | kU8;

// What a window reduces to, and how.
struct Reducer {
  PoolKind kind;
  double p;                // LpPool exponent
  bool count_include_pad;  // AveragePool divisor
};

// Windowed pooling over one (n, c) plane.
template <typename T>
void pool_plane(const Reducer& r, const T* x, T* y, int64_t* indices, int64_t index_base,
                std::span<const int64_t> in_spatial, std::span<const int64_t> out_spatial, const Window& w,
                const std::vector<int64_t>& index_strides) {
  using C = compute_t<T>;
  const size_t rank = in_spatial.size();
  const std::vector<int64_t> in_strides = shape_strides(in_spatial);
  std::vector<int64_t> o(rank, 0);
  int64_t out_pos = 0;
  do {
    C acc = r.kind == PoolKind::max ? std::numeric_limits<C>::lowest() : C(0);
    int64_t best = -1, counted = 0;
    bool first = true;
    std::vector<int64_t> k(rank, 0);
    do {
      bool inside = true, inside_padded = true;
      int64_t offset = 0, index_offset = 0;
      for (size_t d = 0; d < rank; ++d) {
        const int64_t i = o[d] * w.strides[d] - w.pad_begin[d] + k[d] * w.dilations[d];
        inside = inside && i >= 0 && i < in_spatial[d];
        inside_padded = inside_padded && i < in_spatial[d] + w.pad_end[d];
        offset += i * in_strides[d];
        index_offset += i * index_strides[d];
      }
      if (r.kind == PoolKind::average && (inside || (r.count_include_pad && inside_padded))) ++counted;
      if (!inside) continue;
      const C v = load(x[offset]);
      if (r.kind == PoolKind::max) {
        // NaN compares false, so a NaN only wins as the first value; matches max-with-ties-to-first.
        if (first || v > acc) {
          acc = v;
          best = index_offset;
        }
        first = false;
      } else if (r.kind == PoolKind::average) {
        acc += v;
      } else {
        acc += static_cast<C>(std::pow(std::abs(static_cast<double>(v)), r.p));
      }
    } while (next_index(k, w.kernel));
    if (r.kind == PoolKind::average) acc = counted ? acc / static_cast<C>(counted) : C(0);
    if (r.kind == PoolKind::lp) acc = static_cast<C>(std::pow(static_cast<double>(acc), 1.0 / r.p));
    y[out_pos] = store<T>(acc);
    if (indices) indices[out_pos] = best < 0 ? -1 : index_base + best;
    ++out_pos;
  } while (next_index(o, out_spatial));
}

template <typename T>
Status windowed_pool(const Node& node, PoolKind kind, const TensorView& x, std::span<const TensorView> out) {
  const TensorView& y = out[0];
  if (x.rank() < 3 || y.rank() != x.rank())
    return node_error(node, StatusCode::invalid_model, "X and Y must have the same rank >= 3");
  std::span<const int64_t> in_spatial = x.shape.subspan(2), out_spatial = y.shape.subspan(2);
  const std::vector<int64_t> kernel = node.attrs.get_ints("kernel_shape");
  ES_ASSIGN_OR_RETURN(Window w, forward_window(node, in_spatial, out_spatial, kernel));
  if (kind != PoolKind::max && node.attrs.has("dilations") &&
      std::any_of(w.dilations.begin(), w.dilations.end(), [](int64_t d) { return d != 1; }))
    return node_error(node, StatusCode::unsupported, "dilations are only supported by MaxPool");
  const Reducer r{kind, static_cast<double>(node.attrs.get_int("p", 2)),
                  node.attrs.get_int("count_include_pad", 0) != 0};

  int64_t* indices = out.size() > 1 && out[1].present() ? mdata<int64_t>(out[1]) : nullptr;
  // Indices flatten (n, c, spatial) with the spatial part row-major, or column-major for storage_order 1.
  std::vector<int64_t> index_strides = shape_strides(in_spatial);
  if (node.attrs.get_int("storage_order", 0) == 1) {
    int64_t stride = 1;
    for (size_t d = 0; d < in_spatial.size(); ++d) {
      index_strides[d] = stride;
      stride *= in_spatial[d];
    }
  }
  const int64_t planes = x.shape[0] * x.shape[1];
  const int64_t in_size = shape_numel(in_spatial), out_size = shape_numel(out_spatial);
  for (int64_t p = 0; p < planes; ++p)
    pool_plane<T>(r, cdata<T>(x) + p * in_size, mdata<T>(y) + p * out_size, indices ? indices + p * out_size : nullptr,
                  p * in_size, in_spatial, out_spatial, w, index_strides);
  return {};
}

template <typename T>
Status global_pool(const Node& node, PoolKind kind, const TensorView& x, const TensorView& y) {
  using C = compute_t<T>;
  if (x.rank() < 2 || y.numel() != x.shape[0] * x.shape[1])
    return node_error(node, StatusCode::invalid_model, "output {} does not match input {}", shape_str(y.shape),
                      shape_str(x.shape));
  const double p = static_cast<double>(node.attrs.get_int("p", 2));
  const int64_t size = shape_numel(x.shape.subspan(2));
  const T* xp = cdata<T>(x);
  T* yp = mdata<T>(y);
  for (int64_t plane = 0; plane < y.numel(); ++plane) {
    const T* v = xp + plane * size;
    C acc = kind == PoolKind::max ? std::numeric_limits<C>::lowest() : C(0);
    for (int64_t i = 0; i < size; ++i) {
      const C e = load(v[i]);
      if (kind == PoolKind::max) acc = (i == 0 || e > acc) ? e : acc;
      else if (kind == PoolKind::average) acc += e;
      else acc += static_cast<C>(std::pow(std::abs(static_cast<double>(e)), p));
    }
    if (kind == PoolKind::average) acc /= static_cast<C>(size);
    if (kind == PoolKind::lp) acc = static_cast<C>(std::pow(static_cast<double>(acc), 1.0 / p));
    yp[plane] = store<T>(acc);
  }
  return {};
}

template <PoolKind kind, bool global>
Status pool_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  if (in.empty() || out.empty()) return node_error(node, StatusCode::invalid_model, "needs input X and output Y");
  constexpr uint32_t types = kind == PoolKind::max ? kMaxPoolTypes : kPoolTypes;
  return dispatch<types>(in[0].dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    if constexpr (global) return global_pool<T>(node, kind, in[0], out[0]);
    else return windowed_pool<T>(node, kind, in[0], out);
  });
}

}  // namespace

void register_pool(KernelTable& table) {
  table[static_cast<size_t>(OpKind::MaxPool)] = pool_kernel<PoolKind::max, false>;
  table[static_cast<size_t>(OpKind::AveragePool)] = pool_kernel<PoolKind::average, false>;
  table[static_cast<size_t>(OpKind::LpPool)] = pool_kernel<PoolKind::lp, false>;
  table[static_cast<size_t>(OpKind::GlobalMaxPool)] = pool_kernel<PoolKind::max, true>;
  table[static_cast<size_t>(OpKind::GlobalAveragePool)] = pool_kernel<PoolKind::average, true>;
  table[static_cast<size_t>(OpKind::GlobalLpPool)] = pool_kernel<PoolKind::lp, true>;
}

}  // namespace es::ref
