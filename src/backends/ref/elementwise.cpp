// Reference kernels for element-wise ops: unary math and activations, broadcast binary arithmetic,
// comparisons and logic, variadic Max/Min/Sum/Mean, Pow, Clip, Where, Cast/CastLike, Identity, Dropout.
//
// Each op is a small functor constructed from the node (reading its attributes) and applied by one of a
// few generic drivers; the drivers dispatch over the element types the op accepts in ONNX opset 17.
// Arithmetic happens in compute_t<T> (double for every float type), see ref_util_a.h.
#include "backends/ref/kernel_support.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace es::ref {
namespace {

// ---- functor building blocks ----------------------------------------------------------------------

struct NoAttrs {
  explicit NoAttrs(const Node&) {}
};

// A float-only unary function given as a captureless lambda.
template <auto F>
struct Math : NoAttrs {
  using NoAttrs::NoAttrs;
  double operator()(double x) const { return F(x); }
};

template <class C>
C wrapping_neg(C a) {
  if constexpr (std::is_integral_v<C>) return static_cast<C>(uint64_t{0} - static_cast<uint64_t>(a));
  else return -a;
}

// Integer + - * wrap around (two's complement) instead of overflowing, which is undefined for signed types.
template <class C, class Op>
C wrapping(C a, C b, Op op) {
  if constexpr (std::is_integral_v<C>)
    return static_cast<C>(op(static_cast<uint64_t>(a), static_cast<uint64_t>(b)));
  else
    return op(a, b);
}

// ---- unary functors that accept integers or read attributes ---------------------------------------

struct AbsFn : NoAttrs {
  using NoAttrs::NoAttrs;
  template <class C> C operator()(C x) const {
    if constexpr (std::is_unsigned_v<C>) return x;
    else return x < 0 ? wrapping_neg(x) : x;
  }
};
struct NegFn : NoAttrs {
  using NoAttrs::NoAttrs;
  template <class C> C operator()(C x) const { return wrapping_neg(x); }
};
struct SignFn : NoAttrs {
  using NoAttrs::NoAttrs;
  template <class C> C operator()(C x) const { return static_cast<C>((C{0} < x) - (x < C{0})); }
};
struct ReluFn : NoAttrs {
  using NoAttrs::NoAttrs;
  template <class C> C operator()(C x) const { return x < C{0} ? C{0} : x; }
};
struct NotFn : NoAttrs {
  using NoAttrs::NoAttrs;
  bool operator()(bool x) const { return !x; }
};
struct IsNaNFn : NoAttrs {
  using NoAttrs::NoAttrs;
  bool operator()(double x) const { return std::isnan(x); }
};
struct IsInfFn {
  bool negative, positive;
  explicit IsInfFn(const Node& n)
      : negative(n.attrs.get_int("detect_negative", 1) != 0), positive(n.attrs.get_int("detect_positive", 1) != 0) {}
  bool operator()(double x) const { return std::isinf(x) && (x > 0 ? positive : negative); }
};
struct CeluFn {
  double alpha;
  explicit CeluFn(const Node& n) : alpha(n.attrs.get_float("alpha", 1.0f)) {}
  double operator()(double x) const { return std::max(0.0, x) + std::min(0.0, alpha * std::expm1(x / alpha)); }
};
struct EluFn {
  double alpha;
  explicit EluFn(const Node& n) : alpha(n.attrs.get_float("alpha", 1.0f)) {}
  double operator()(double x) const { return x < 0 ? alpha * std::expm1(x) : x; }
};
struct HardSigmoidFn {
  double alpha, beta;
  explicit HardSigmoidFn(const Node& n)
      : alpha(n.attrs.get_float("alpha", 0.2f)), beta(n.attrs.get_float("beta", 0.5f)) {}
  double operator()(double x) const { return std::clamp(alpha * x + beta, 0.0, 1.0); }
};
struct LeakyReluFn {
  double alpha;
  explicit LeakyReluFn(const Node& n) : alpha(n.attrs.get_float("alpha", 0.01f)) {}
  double operator()(double x) const { return x < 0 ? alpha * x : x; }
};
struct SeluFn {
  double alpha, gamma;
  explicit SeluFn(const Node& n)
      : alpha(n.attrs.get_float("alpha", 1.67326319217681884765625f)),
        gamma(n.attrs.get_float("gamma", 1.05070102214813232421875f)) {}
  double operator()(double x) const { return x > 0 ? gamma * x : gamma * alpha * std::expm1(x); }
};
struct ThresholdedReluFn {
  double alpha;
  explicit ThresholdedReluFn(const Node& n) : alpha(n.attrs.get_float("alpha", 1.0f)) {}
  double operator()(double x) const { return x > alpha ? x : 0.0; }
};
struct ShrinkFn {
  double bias, lambd;
  explicit ShrinkFn(const Node& n) : bias(n.attrs.get_float("bias", 0.0f)), lambd(n.attrs.get_float("lambd", 0.5f)) {}
  template <class C> C operator()(C x) const {
    double v = static_cast<double>(x);
    return static_cast<C>(v < -lambd ? v + bias : v > lambd ? v - bias : 0.0);
  }
};

// ---- binary functors ------------------------------------------------------------------------------

struct AddFn : NoAttrs {
  using NoAttrs::NoAttrs;
  template <class C> C operator()(C a, C b) const { return wrapping(a, b, [](auto x, auto y) { return x + y; }); }
};
struct SubFn : NoAttrs {
  using NoAttrs::NoAttrs;
  template <class C> C operator()(C a, C b) const { return wrapping(a, b, [](auto x, auto y) { return x - y; }); }
};
struct MulFn : NoAttrs {
  using NoAttrs::NoAttrs;
  template <class C> C operator()(C a, C b) const { return wrapping(a, b, [](auto x, auto y) { return x * y; }); }
};
// Integer division truncates toward zero (like ONNX Runtime); division by zero, undefined in ONNX, gives 0.
struct DivFn : NoAttrs {
  using NoAttrs::NoAttrs;
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>) {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<C>)
        if (b == -1) return wrapping_neg(a);
    }
    return a / b;
  }
};
// fmod=1: the remainder takes the dividend's sign (C fmod); fmod=0: the divisor's sign (Python %).
struct ModFn {
  bool c_style;
  explicit ModFn(const Node& n) : c_style(n.attrs.get_int("fmod", 0) != 0) {}
  template <class C> C operator()(C a, C b) const {
    C r;
    if constexpr (std::is_floating_point_v<C>) {
      r = std::fmod(a, b);
    } else {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<C>)
        if (b == -1) return 0;
      r = static_cast<C>(a % b);
    }
    if (!c_style && r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
};
struct PReluFn : NoAttrs {
  using NoAttrs::NoAttrs;
  template <class C> C operator()(C x, C slope) const { return x < C{0} ? wrapping(x, slope, [](auto p, auto q) { return p * q; }) : x; }
};
struct BitShiftFn {
  bool left;
  explicit BitShiftFn(const Node& n) : left(n.attrs.get_string("direction") == "LEFT") {}
  template <class C> C operator()(C a, C b) const {
    if (b >= sizeof(C) * 8) return 0;  // shifting by the width or more is undefined in C++
    return static_cast<C>(left ? a << b : a >> b);
  }
};

template <class Cmp>
struct Compare : NoAttrs {
  using NoAttrs::NoAttrs;
  template <class C> bool operator()(C a, C b) const { return Cmp{}(a, b); }
};

// Max/Min propagate NaN like numpy.maximum/minimum (the ONNX reference).
template <bool kMax>
struct Extremum : NoAttrs {
  using NoAttrs::NoAttrs;
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_floating_point_v<C>)
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<C>::quiet_NaN();
    return kMax ? std::max(a, b) : std::min(a, b);
  }
};

// ---- drivers --------------------------------------------------------------------------------------

// Result storage type of applying Fn to T: bool for predicates, T otherwise.
template <class Fn, class T, class... Args>
using result_storage_t =
    std::conditional_t<std::is_same_v<std::invoke_result_t<const Fn&, Args...>, bool>, bool, T>;

template <class Fn, uint32_t Types>
Status unary_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const Fn fn(node);
  return dispatch<Types>(in[0].dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    using R = result_storage_t<Fn, T, compute_t<T>>;
    ES_ASSERT(out[0].dtype == storage_dtype<R>() && out[0].numel() == in[0].numel());
    const T* x = cdata<T>(in[0]);
    R* y = mdata<R>(out[0]);
    for (int64_t i = 0, n = in[0].numel(); i < n; ++i) y[i] = store<R>(fn(load(x[i])));
    return {};
  });
}

// y[i] = f(a[i], b[i]) with numpy broadcasting of a and b to y's shape.
template <class A, class B, class R, class F>
void broadcast_apply(const TensorView& a, const TensorView& b, const TensorView& y, F&& f) {
  const A* pa = cdata<A>(a);
  const B* pb = cdata<B>(b);
  R* py = mdata<R>(y);
  std::array<std::vector<int64_t>, 3> strides{contiguous_strides(y.shape), broadcast_strides(a.shape, y.shape),
                                              broadcast_strides(b.shape, y.shape)};
  for_each_offset<3>(y.shape, strides,
                     [&](const auto& o) { py[o[0]] = store<R>(f(load(pa[o[1]]), load(pb[o[2]]))); });
}

Status check_broadcast(const Node& node, std::span<const TensorView> in, const TensorView& y, size_t first = 0) {
  for (size_t i = first; i < in.size(); ++i)
    if (in[i].present() && !broadcastable(in[i].shape, y.shape))
      return node_error(node, StatusCode::invalid_model, "input {} of shape {} does not broadcast to {}", i,
                        shape_str(in[i].shape), shape_str(y.shape));
  return {};
}

Status check_same_dtype(const Node& node, std::span<const TensorView> in, size_t first, size_t last) {
  for (size_t i = first + 1; i <= last && i < in.size(); ++i)
    if (in[i].present() && in[i].dtype != in[first].dtype)
      return node_error(node, StatusCode::invalid_model, "input {} has dtype {}, expected {}", i,
                        dtype_name(in[i].dtype), dtype_name(in[first].dtype));
  return {};
}

template <class Fn, uint32_t Types>
Status binary_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  ES_TRY(check_same_dtype(node, in, 0, 1));
  ES_TRY(check_broadcast(node, in, out[0]));
  const Fn fn(node);
  return dispatch<Types>(in[0].dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    using R = result_storage_t<Fn, T, compute_t<T>, compute_t<T>>;
    ES_ASSERT(out[0].dtype == storage_dtype<R>());
    broadcast_apply<T, T, R>(in[0], in[1], out[0], fn);
    return {};
  });
}

// Max, Min, Sum, Mean: folds the inputs pairwise into the output (which broadcasts all of them).
template <class Fn, uint32_t Types, bool kMean>
Status variadic_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  ES_TRY(check_same_dtype(node, in, 0, in.size() - 1));
  ES_TRY(check_broadcast(node, in, out[0]));
  const Fn fn(node);
  const TensorView& y = out[0];
  return dispatch<Types>(in[0].dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    ES_ASSERT(y.dtype == storage_dtype<T>());
    broadcast_apply<T, T, T>(in[0], in[0], y, [](auto a, auto) { return a; });
    for (size_t k = 1; k < in.size(); ++k) broadcast_apply<T, T, T>(y, in[k], y, fn);
    if constexpr (kMean) {
      T* p = mdata<T>(y);
      const double count = static_cast<double>(in.size());
      for (int64_t i = 0, n = y.numel(); i < n; ++i) p[i] = store<T>(load(p[i]) / count);
    }
    return {};
  });
}

// Pow allows the exponent to have another type than the base; the result has the base's type.
Status pow_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  ES_TRY(check_broadcast(node, in, out[0]));
  constexpr uint32_t kPowTypes = kFloats | kI32 | kI64 | kU8 | kU16 | kU32 | kU64 | kI8 | kI16;
  return dispatch<kPowTypes>(in[0].dtype, node, [&](auto base_tag) -> Status {
    using T = typename decltype(base_tag)::type;
    return dispatch<kPowTypes>(in[1].dtype, node, [&](auto exp_tag) -> Status {
      using U = typename decltype(exp_tag)::type;
      broadcast_apply<T, U, T>(in[0], in[1], out[0], [](auto a, auto b) {
        return std::pow(static_cast<double>(a), static_cast<double>(b));
      });
      return {};
    });
  });
}

// Clip(x, min?, max?): a bound that is omitted does not clip.
Status clip_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  ES_TRY(check_same_dtype(node, in, 0, 2));
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i].present() && in[i].numel() != 1)
      return node_error(node, StatusCode::invalid_model, "input {} must be a scalar", i);
  return dispatch<kNumeric>(in[0].dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    using C = compute_t<T>;
    const bool has_lo = in.size() > 1 && in[1].present();
    const bool has_hi = in.size() > 2 && in[2].present();
    const C lo = has_lo ? load(cdata<T>(in[1])[0]) : C{};
    const C hi = has_hi ? load(cdata<T>(in[2])[0]) : C{};
    const T* x = cdata<T>(in[0]);
    T* y = mdata<T>(out[0]);
    for (int64_t i = 0, n = in[0].numel(); i < n; ++i) {
      C v = load(x[i]);
      if (has_lo && v < lo) v = lo;
      if (has_hi && v > hi) v = hi;
      y[i] = store<T>(v);
    }
    return {};
  });
}

Status where_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  if (in[0].dtype != DType::boolean) return unsupported_dtype(node, in[0].dtype, "condition");
  ES_TRY(check_same_dtype(node, in, 1, 2));
  ES_TRY(check_broadcast(node, in, out[0]));
  return dispatch<kAllTypes>(in[1].dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const TensorView& y = out[0];
    const bool* c = cdata<bool>(in[0]);
    const T* a = cdata<T>(in[1]);
    const T* b = cdata<T>(in[2]);
    T* py = mdata<T>(y);
    std::array<std::vector<int64_t>, 4> strides{contiguous_strides(y.shape), broadcast_strides(in[0].shape, y.shape),
                                                broadcast_strides(in[1].shape, y.shape),
                                                broadcast_strides(in[2].shape, y.shape)};
    for_each_offset<4>(y.shape, strides, [&](const auto& o) { py[o[0]] = c[o[1]] ? a[o[2]] : b[o[3]]; });
    return {};
  });
}

// Cast and CastLike: converts input 0 to the output's dtype (inferred from `to` or from input 1).
Status cast_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  return dispatch<kAllTypes>(in[0].dtype, node, [&](auto from_tag) -> Status {
    using From = typename decltype(from_tag)::type;
    return dispatch<kAllTypes>(out[0].dtype, node, [&](auto to_tag) -> Status {
      using To = typename decltype(to_tag)::type;
      const From* x = cdata<From>(in[0]);
      To* y = mdata<To>(out[0]);
      for (int64_t i = 0, n = in[0].numel(); i < n; ++i) y[i] = store<To>(load(x[i]));
      return {};
    });
  });
}

Status copy_input(const Node& node, const TensorView& x, const TensorView& y) {
  if (dtype_size(x.dtype) == 0) return unsupported_dtype(node, x.dtype);
  ES_ASSERT(x.dtype == y.dtype && x.numel() == y.numel());
  if (x.data != y.data) std::memcpy(y.data, x.data, x.nbytes());
  return {};
}

Status identity_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  return copy_input(node, in[0], out[0]);
}

// Dropout in inference: the output is the input, the optional mask is all true. Training mode with a
// non-zero ratio draws random numbers, which no reference can reproduce, so it is refused.
Status dropout_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  if (in.size() > 2 && in[2].present()) {
    if (in[2].dtype != DType::boolean) return unsupported_dtype(node, in[2].dtype, "training_mode");
    ES_ASSIGN_OR_RETURN(std::vector<double> ratio, read_floats(node, in[1], "ratio"));
    const bool drops = ratio.empty() || ratio[0] != 0.0;  // the default ratio is 0.5
    if (cdata<bool>(in[2])[0] && drops)
      return node_error(node, StatusCode::unsupported, "training_mode=true (random dropout) is not supported");
  }
  ES_TRY(copy_input(node, in[0], out[0]));
  if (out.size() > 1 && out[1].present()) std::fill_n(mdata<bool>(out[1]), out[1].numel(), true);
  return {};
}

}  // namespace

void register_elementwise(KernelTable& t) {
  auto set = [&t](OpKind op, Kernel k) { t[static_cast<size_t>(op)] = k; };

  // Float-only math.
  set(OpKind::Acos, &unary_kernel<Math<[](double x) { return std::acos(x); }>, kFloats>);
  set(OpKind::Acosh, &unary_kernel<Math<[](double x) { return std::acosh(x); }>, kFloats>);
  set(OpKind::Asin, &unary_kernel<Math<[](double x) { return std::asin(x); }>, kFloats>);
  set(OpKind::Asinh, &unary_kernel<Math<[](double x) { return std::asinh(x); }>, kFloats>);
  set(OpKind::Atan, &unary_kernel<Math<[](double x) { return std::atan(x); }>, kFloats>);
  set(OpKind::Atanh, &unary_kernel<Math<[](double x) { return std::atanh(x); }>, kFloats>);
  set(OpKind::Cos, &unary_kernel<Math<[](double x) { return std::cos(x); }>, kFloats>);
  set(OpKind::Cosh, &unary_kernel<Math<[](double x) { return std::cosh(x); }>, kFloats>);
  set(OpKind::Sin, &unary_kernel<Math<[](double x) { return std::sin(x); }>, kFloats>);
  set(OpKind::Sinh, &unary_kernel<Math<[](double x) { return std::sinh(x); }>, kFloats>);
  set(OpKind::Tan, &unary_kernel<Math<[](double x) { return std::tan(x); }>, kFloats>);
  set(OpKind::Tanh, &unary_kernel<Math<[](double x) { return std::tanh(x); }>, kFloats>);
  set(OpKind::Exp, &unary_kernel<Math<[](double x) { return std::exp(x); }>, kFloats>);
  set(OpKind::Log, &unary_kernel<Math<[](double x) { return std::log(x); }>, kFloats>);
  set(OpKind::Sqrt, &unary_kernel<Math<[](double x) { return std::sqrt(x); }>, kFloats>);
  set(OpKind::Erf, &unary_kernel<Math<[](double x) { return std::erf(x); }>, kFloats>);
  set(OpKind::Ceil, &unary_kernel<Math<[](double x) { return std::ceil(x); }>, kFloats>);
  set(OpKind::Floor, &unary_kernel<Math<[](double x) { return std::floor(x); }>, kFloats>);
  // nearbyint in the default rounding mode rounds halves to even, as ONNX Round requires.
  set(OpKind::Round, &unary_kernel<Math<[](double x) { return std::nearbyint(x); }>, kFloats>);
  set(OpKind::Reciprocal, &unary_kernel<Math<[](double x) { return 1.0 / x; }>, kFloats>);
  set(OpKind::Sigmoid, &unary_kernel<Math<[](double x) { return 1.0 / (1.0 + std::exp(-x)); }>, kFloats>);
  set(OpKind::Softplus, &unary_kernel<Math<[](double x) { return std::log1p(std::exp(x)); }>, kFloats>);
  set(OpKind::Softsign, &unary_kernel<Math<[](double x) { return x / (1.0 + std::fabs(x)); }>, kFloats>);
  set(OpKind::Mish, &unary_kernel<Math<[](double x) { return x * std::tanh(std::log1p(std::exp(x))); }>, kFloats>);
  set(OpKind::HardSwish,
      &unary_kernel<Math<[](double x) { return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0); }>, kFloats>);

  // Activations with attributes, and ops that also accept integers or bool.
  set(OpKind::Celu, &unary_kernel<CeluFn, kFloats>);
  set(OpKind::Elu, &unary_kernel<EluFn, kFloats>);
  set(OpKind::HardSigmoid, &unary_kernel<HardSigmoidFn, kFloats>);
  set(OpKind::LeakyRelu, &unary_kernel<LeakyReluFn, kFloats>);
  set(OpKind::Selu, &unary_kernel<SeluFn, kFloats>);
  set(OpKind::ThresholdedRelu, &unary_kernel<ThresholdedReluFn, kFloats>);
  set(OpKind::Shrink, &unary_kernel<ShrinkFn, kNumeric>);
  set(OpKind::Abs, &unary_kernel<AbsFn, kNumeric>);
  set(OpKind::Neg, &unary_kernel<NegFn, kSignedNumeric>);
  set(OpKind::Sign, &unary_kernel<SignFn, kNumeric>);
  set(OpKind::Relu, &unary_kernel<ReluFn, kSignedNumeric>);
  set(OpKind::Not, &unary_kernel<NotFn, kBool>);
  set(OpKind::IsNaN, &unary_kernel<IsNaNFn, kFloats>);
  set(OpKind::IsInf, &unary_kernel<IsInfFn, kFloats>);

  // Broadcast binary ops.
  set(OpKind::Add, &binary_kernel<AddFn, kNumeric>);
  set(OpKind::Sub, &binary_kernel<SubFn, kNumeric>);
  set(OpKind::Mul, &binary_kernel<MulFn, kNumeric>);
  set(OpKind::Div, &binary_kernel<DivFn, kNumeric>);
  set(OpKind::Mod, &binary_kernel<ModFn, kNumeric>);
  set(OpKind::PRelu, &binary_kernel<PReluFn, kNumeric>);
  set(OpKind::BitShift, &binary_kernel<BitShiftFn, kUnsignedInts>);
  set(OpKind::Equal, &binary_kernel<Compare<std::equal_to<>>, kAllTypes>);
  set(OpKind::Greater, &binary_kernel<Compare<std::greater<>>, kNumeric>);
  set(OpKind::GreaterOrEqual, &binary_kernel<Compare<std::greater_equal<>>, kNumeric>);
  set(OpKind::Less, &binary_kernel<Compare<std::less<>>, kNumeric>);
  set(OpKind::LessOrEqual, &binary_kernel<Compare<std::less_equal<>>, kNumeric>);
  set(OpKind::And, &binary_kernel<Compare<std::logical_and<>>, kBool>);
  set(OpKind::Or, &binary_kernel<Compare<std::logical_or<>>, kBool>);
  set(OpKind::Xor, &binary_kernel<Compare<std::not_equal_to<>>, kBool>);
  set(OpKind::Pow, &pow_kernel);

  // Variadic.
  set(OpKind::Max, &variadic_kernel<Extremum<true>, kNumeric, false>);
  set(OpKind::Min, &variadic_kernel<Extremum<false>, kNumeric, false>);
  set(OpKind::Sum, &variadic_kernel<AddFn, kFloats, false>);
  set(OpKind::Mean, &variadic_kernel<AddFn, kFloats, true>);

  set(OpKind::Clip, &clip_kernel);
  set(OpKind::Where, &where_kernel);
  set(OpKind::Cast, &cast_kernel);
  set(OpKind::CastLike, &cast_kernel);
  set(OpKind::Identity, &identity_kernel);
  set(OpKind::Dropout, &dropout_kernel);
}

}  // namespace es::ref
