// Reference kernels for reductions (Reduce*), ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax, CumSum, TopK.
// Reductions accumulate in double for floats and in 64-bit integers for integers, so results match ONNX's
// expected outputs without summation drift.
#include "backends/ref/ref_util_a.h"

#include <algorithm>
#include <numeric>

namespace es::ref {
namespace {

// Accumulator type: double for floats, 64-bit integer of the same signedness otherwise.
template <class T>
using acc_t = std::conditional_t<is_float_storage_v<T>, double,
                                 std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

// ---- Reduce* --------------------------------------------------------------------------------------
// A reducer over accumulator type A: init(), add(acc, x) and finish(acc, count) -> A.

template <class A, class Op>
struct Summing {
  using Acc = A;
  static Acc init() { return A{0}; }
  static void add(Acc& acc, A x) { acc += Op::term(x); }
};
struct Plain {
  template <class A> static A term(A x) { return x; }
};
struct Square {
  template <class A> static A term(A x) { return x * x; }
};
struct Magnitude {
  template <class A> static A term(A x) {
    if constexpr (std::is_unsigned_v<A>) return x;
    else return x < 0 ? -x : x;
  }
};

template <class A>
struct SumR : Summing<A, Plain> {
  static A finish(A acc, int64_t) { return acc; }
};
template <class A>
struct SumSquareR : Summing<A, Square> {
  static A finish(A acc, int64_t) { return acc; }
};
template <class A>
struct L1R : Summing<A, Magnitude> {
  static A finish(A acc, int64_t) { return acc; }
};
template <class A>
struct L2R : Summing<A, Square> {
  static A finish(A acc, int64_t) { return static_cast<A>(std::sqrt(static_cast<double>(acc))); }
};
template <class A>
struct LogSumR : Summing<A, Plain> {
  static A finish(A acc, int64_t) { return static_cast<A>(std::log(static_cast<double>(acc))); }
};
template <class A>
struct MeanR : Summing<A, Plain> {
  static A finish(A acc, int64_t n) {
    if constexpr (std::is_integral_v<A>)
      if (n == 0) return 0;
    return acc / static_cast<A>(n);
  }
};
template <class A>
struct ProdR {
  using Acc = A;
  static Acc init() { return A{1}; }
  static void add(Acc& acc, A x) { acc *= x; }
  static A finish(A acc, int64_t) { return acc; }
};
// Max/Min propagate NaN (numpy semantics); the empty reduction yields the identity (-inf / +inf).
template <class A, bool kMax>
struct ExtremumR {
  using Acc = A;
  static Acc init() {
    if constexpr (std::is_floating_point_v<A>)
      return kMax ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::infinity();
    else
      return kMax ? std::numeric_limits<A>::lowest() : std::numeric_limits<A>::max();
  }
  static void add(Acc& acc, A x) {
    if constexpr (std::is_floating_point_v<A>)
      if (std::isnan(x) || std::isnan(acc)) {
        acc = std::numeric_limits<A>::quiet_NaN();
        return;
      }
    acc = kMax ? std::max(acc, x) : std::min(acc, x);
  }
  static A finish(A acc, int64_t) { return acc; }
};
template <class A>
using MaxR = ExtremumR<A, true>;
template <class A>
using MinR = ExtremumR<A, false>;
// Streaming log-sum-exp: keeps the running maximum m and sum s of exp(x - m), so large inputs do not
// overflow.
template <class A>
struct LogSumExpR {
  struct Acc {
    double m = -std::numeric_limits<double>::infinity();
    double s = 0;
  };
  static Acc init() { return {}; }
  static void add(Acc& acc, A x) {
    const double v = static_cast<double>(x);
    if (v > acc.m) {
      acc.s = acc.s * std::exp(acc.m - v) + 1.0;
      acc.m = v;
    } else {
      acc.s += std::exp(v - acc.m);
    }
  }
  static A finish(const Acc& acc, int64_t) { return static_cast<A>(acc.m + std::log(acc.s)); }
};

// Which axes a Reduce* node reduces; empty means "no axes given".
Result<std::vector<int64_t>> reduce_axes(const Node& node, std::span<const TensorView> in) {
  if (in.size() > 1 && in[1].present()) return read_ints(node, in[1], "axes");
  return node.attrs.get_ints("axes");
}

template <template <class> class Reducer>
Status reduce_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& x = in[0];
  const TensorView& y = out[0];
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> axes, reduce_axes(node, in));
  const int64_t rank = x.rank();
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
  if (axes.empty() && node.attrs.get_int("noop_with_empty_axes", 0) != 0) reduced.assign(reduced.size(), false);
  for (int64_t a : axes) {
    ES_ASSIGN_OR_RETURN(int64_t axis, resolve_axis(node, a, rank));
    reduced[static_cast<size_t>(axis)] = true;
  }
  // Output strides in the keepdims layout (same element order with or without keepdims), 0 on reduced axes.
  Shape kept(x.shape.begin(), x.shape.end());
  int64_t count = 1;
  for (size_t d = 0; d < kept.size(); ++d)
    if (reduced[d]) {
      count *= kept[d];
      kept[d] = 1;
    }
  ES_ASSERT(shape_numel(kept) == y.numel());
  std::vector<int64_t> out_strides = contiguous_strides(kept);
  for (size_t d = 0; d < kept.size(); ++d)
    if (reduced[d]) out_strides[d] = 0;

  return dispatch<kNumeric>(x.dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    using R = Reducer<A>;
    ES_ASSERT(y.dtype == storage_dtype<T>());
    std::vector<typename R::Acc> acc(static_cast<size_t>(y.numel()), R::init());
    const T* px = cdata<T>(x);
    std::array<std::vector<int64_t>, 2> strides{contiguous_strides(x.shape), out_strides};
    for_each_offset<2>(x.shape, strides,
                       [&](const auto& o) { R::add(acc[o[1]], static_cast<A>(load(px[o[0]]))); });
    T* py = mdata<T>(y);
    for (size_t i = 0; i < acc.size(); ++i) py[i] = store<T>(R::finish(acc[i], count));
    return {};
  });
}

// ---- along one axis -------------------------------------------------------------------------------

// Calls f(base, stride) for every 1-D line along `axis`: its elements are base + k * stride.
template <class F>
void for_each_line(const AxisSplit& s, F&& f) {
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) f(o * s.axis * s.inner + i, s.inner);
}

template <bool kMax>
Status arg_extremum_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& x = in[0];
  ES_ASSIGN_OR_RETURN(int64_t axis, resolve_axis(node, node.attrs.get_int("axis", 0), x.rank()));
  const bool last = node.attrs.get_int("select_last_index", 0) != 0;
  const AxisSplit s = split_at_axis(x.shape, axis);
  if (s.axis == 0 && out[0].numel() != 0)
    return node_error(node, StatusCode::invalid_model, "cannot reduce an empty axis");
  ES_ASSERT(out[0].dtype == DType::i64 && out[0].numel() == s.outer * s.inner);
  int64_t* py = mdata<int64_t>(out[0]);
  return dispatch<kNumeric>(x.dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* px = cdata<T>(x);
    for_each_line(s, [&](int64_t base, int64_t stride) {
      int64_t best = 0;
      auto best_value = load(px[base]);
      for (int64_t k = 1; k < s.axis; ++k) {
        auto v = load(px[base + k * stride]);
        bool better = kMax ? v > best_value : v < best_value;
        if (better || (last && v == best_value)) {
          best = k;
          best_value = v;
        }
      }
      // Output index of this line: lines are visited in output order (outer-major, then inner).
      py[(base / (s.axis * s.inner)) * s.inner + base % s.inner] = best;
    });
    return {};
  });
}

enum class SoftmaxKind { softmax, log_softmax, hardmax };

// Softmax family with opset-13 semantics: normalised along the single axis `axis` (default -1).
template <SoftmaxKind kKind>
Status softmax_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& x = in[0];
  ES_ASSIGN_OR_RETURN(int64_t axis, resolve_axis(node, node.attrs.get_int("axis", -1), x.rank()));
  const AxisSplit s = split_at_axis(x.shape, axis);
  return dispatch<kFloats>(x.dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* px = cdata<T>(x);
    T* py = mdata<T>(out[0]);
    for_each_line(s, [&](int64_t base, int64_t stride) {
      int64_t arg = 0;
      double max = -std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < s.axis; ++k) {
        double v = load(px[base + k * stride]);
        if (v > max) {
          max = v;
          arg = k;
        }
      }
      if constexpr (kKind == SoftmaxKind::hardmax) {
        for (int64_t k = 0; k < s.axis; ++k) py[base + k * stride] = store<T>(k == arg ? 1.0 : 0.0);
      } else {
        double sum = 0;
        for (int64_t k = 0; k < s.axis; ++k) sum += std::exp(load(px[base + k * stride]) - max);
        for (int64_t k = 0; k < s.axis; ++k) {
          double shifted = load(px[base + k * stride]) - max;
          py[base + k * stride] = store<T>(kKind == SoftmaxKind::softmax ? std::exp(shifted) / sum
                                                                         : shifted - std::log(sum));
        }
      }
    });
    return {};
  });
}

// CumSum(x, axis): running sums along axis; `exclusive` leaves out the current element, `reverse` runs
// from the end.
Status cumsum_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& x = in[0];
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> axis_values, read_ints(node, in[1], "axis"));
  if (axis_values.size() != 1) return node_error(node, StatusCode::invalid_model, "axis must be a scalar");
  ES_ASSIGN_OR_RETURN(int64_t axis, resolve_axis(node, axis_values[0], x.rank()));
  const bool exclusive = node.attrs.get_int("exclusive", 0) != 0;
  const bool reverse = node.attrs.get_int("reverse", 0) != 0;
  const AxisSplit s = split_at_axis(x.shape, axis);
  return dispatch<kNumeric>(x.dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    using A = acc_t<T>;
    const T* px = cdata<T>(x);
    T* py = mdata<T>(out[0]);
    for_each_line(s, [&](int64_t base, int64_t stride) {
      A sum{0};
      for (int64_t j = 0; j < s.axis; ++j) {
        const int64_t at = base + (reverse ? s.axis - 1 - j : j) * stride;
        const A v = static_cast<A>(load(px[at]));
        if (!exclusive) sum += v;
        py[at] = store<T>(sum);
        if (exclusive) sum += v;
      }
    });
    return {};
  });
}

// TopK(x, k): the k largest (or smallest) along axis, ties broken by the lower index; always sorted.
Status topk_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& x = in[0];
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> k_values, read_ints(node, in[1], "K"));
  if (k_values.size() != 1) return node_error(node, StatusCode::invalid_model, "K must hold one value");
  ES_ASSIGN_OR_RETURN(int64_t axis, resolve_axis(node, node.attrs.get_int("axis", -1), x.rank()));
  const int64_t k = k_values[0];
  const AxisSplit s = split_at_axis(x.shape, axis);
  if (k < 0 || k > s.axis)
    return node_error(node, StatusCode::invalid_model, "K={} is out of range for axis size {}", k, s.axis);
  const bool largest = node.attrs.get_int("largest", 1) != 0;
  ES_ASSERT(out[1].dtype == DType::i64 && out[0].numel() == s.outer * k * s.inner);
  return dispatch<kNumeric>(x.dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* px = cdata<T>(x);
    T* values = mdata<T>(out[0]);
    int64_t* indices = mdata<int64_t>(out[1]);
    std::vector<int64_t> order(static_cast<size_t>(s.axis));
    for_each_line(s, [&](int64_t base, int64_t stride) {
      auto at = [&](int64_t j) { return load(px[base + j * stride]); };
      std::iota(order.begin(), order.end(), 0);
      std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
        auto va = at(a), vb = at(b);
        if (va != vb) return largest ? va > vb : va < vb;
        return a < b;
      });
      // The output line has k elements along the axis: same outer/inner position, axis size k.
      const int64_t out_base = (base / (s.axis * s.inner)) * k * s.inner + base % s.inner;
      for (int64_t j = 0; j < k; ++j) {
        values[out_base + j * stride] = px[base + order[static_cast<size_t>(j)] * stride];
        indices[out_base + j * stride] = order[static_cast<size_t>(j)];
      }
    });
    return {};
  });
}

}  // namespace

void register_reduce(KernelTable& t) {
  auto set = [&t](OpKind op, Kernel k) { t[static_cast<size_t>(op)] = k; };
  set(OpKind::ReduceL1, &reduce_kernel<L1R>);
  set(OpKind::ReduceL2, &reduce_kernel<L2R>);
  set(OpKind::ReduceLogSum, &reduce_kernel<LogSumR>);
  set(OpKind::ReduceLogSumExp, &reduce_kernel<LogSumExpR>);
  set(OpKind::ReduceMax, &reduce_kernel<MaxR>);
  set(OpKind::ReduceMean, &reduce_kernel<MeanR>);
  set(OpKind::ReduceMin, &reduce_kernel<MinR>);
  set(OpKind::ReduceProd, &reduce_kernel<ProdR>);
  set(OpKind::ReduceSum, &reduce_kernel<SumR>);
  set(OpKind::ReduceSumSquare, &reduce_kernel<SumSquareR>);
  set(OpKind::ArgMax, &arg_extremum_kernel<true>);
  set(OpKind::ArgMin, &arg_extremum_kernel<false>);
  set(OpKind::Softmax, &softmax_kernel<SoftmaxKind::softmax>);
  set(OpKind::LogSoftmax, &softmax_kernel<SoftmaxKind::log_softmax>);
  set(OpKind::Hardmax, &softmax_kernel<SoftmaxKind::hardmax>);
  set(OpKind::CumSum, &cumsum_kernel);
  set(OpKind::TopK, &topk_kernel);
}

}  // namespace es::ref
