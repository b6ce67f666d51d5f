// Reference kernels for QuantizeLinear and DequantizeLinear, per tensor or per axis (opset 13 `axis`).
// Arithmetic is done in float, as ONNX Runtime does, so rounding at exact halves matches its outputs.
#include "backends/ref/kernel_support.h"

namespace es::ref {
namespace {

// Scale and zero point of every element: one pair (per tensor) or one per index along `axis`.
struct QuantParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int64_t inner = 1;     // elements after the axis
  int64_t axis_size = 1; // 1 for per-tensor quantization

  size_t index_of(int64_t element) const { return static_cast<size_t>((element / inner) % axis_size); }
};

Result<QuantParams> quant_params(const Node& node, const TensorView& x, const TensorView& scale,
                                 const TensorView& zero_point) {
  QuantParams q;
  ES_ASSIGN_OR_RETURN(std::vector<double> scales, read_floats(node, scale, "scale"));
  q.scale.assign(scales.begin(), scales.end());
  if (zero_point.present()) {
    ES_ASSIGN_OR_RETURN(q.zero_point, read_ints(node, zero_point, "zero_point"));
  } else {
    q.zero_point.assign(q.scale.size(), 0);
  }
  if (q.zero_point.size() != q.scale.size())
    return node_error(node, StatusCode::invalid_model, "zero point has {} elements, scale has {}",
                      q.zero_point.size(), q.scale.size());
  // One scale is per-tensor quantization (a 1-element 1-D scale along a size-1 axis means the same).
  if (q.scale.size() == 1) return q;
  if (scale.rank() != 1) return node_error(node, StatusCode::invalid_model, "scale must be a scalar or 1-D");
  ES_ASSIGN_OR_RETURN(int64_t axis, resolve_axis(node, node.attrs.get_int("axis", 1), x.rank()));
  const AxisSplit s = split_at_axis(x.shape, axis);
  if (static_cast<int64_t>(q.scale.size()) != s.axis)
    return node_error(node, StatusCode::invalid_model, "scale has {} elements, axis {} has size {}", q.scale.size(),
                      axis, s.axis);
  q.inner = s.inner;
  q.axis_size = s.axis;
  return q;
}

// y = saturate(round_half_to_even(x / scale) + zero_point), saturated to the output type.
Status quantize_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& x = in[0];
  const TensorView none;
  ES_ASSIGN_OR_RETURN(QuantParams q, quant_params(node, x, in[1], in.size() > 2 ? in[2] : none));
  if (in.size() > 2 && in[2].present() && in[2].dtype != out[0].dtype)
    return node_error(node, StatusCode::invalid_model, "zero point dtype {} differs from output dtype {}",
                      dtype_name(in[2].dtype), dtype_name(out[0].dtype));
  return dispatch<kFloats | kI32>(x.dtype, node, [&](auto in_tag) -> Status {
    using X = typename decltype(in_tag)::type;
    return dispatch<kInts>(out[0].dtype, node, [&](auto out_tag) -> Status {
      using Y = typename decltype(out_tag)::type;
      const X* px = cdata<X>(x);
      Y* py = mdata<Y>(out[0]);
      for (int64_t i = 0, n = x.numel(); i < n; ++i) {
        const size_t c = q.index_of(i);
        const float scaled = static_cast<float>(load(px[i])) / q.scale[c];
        // nearbyint rounds halves to even in the default rounding mode; store<Y> saturates.
        py[i] = store<Y>(static_cast<double>(std::nearbyint(scaled)) + static_cast<double>(q.zero_point[c]));
      }
      return {};
    });
  });
}

// y = (x - zero_point) * scale.
Status dequantize_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& x = in[0];
  const TensorView none;
  ES_ASSIGN_OR_RETURN(QuantParams q, quant_params(node, x, in[1], in.size() > 2 ? in[2] : none));
  return dispatch<kInts>(x.dtype, node, [&](auto tag) -> Status {
    using X = typename decltype(tag)::type;
    const X* px = cdata<X>(x);
    for (int64_t i = 0, n = x.numel(); i < n; ++i) {
      const size_t c = q.index_of(i);
      const float centred = static_cast<float>(static_cast<int64_t>(px[i]) - q.zero_point[c]);
      store_double(out[0].dtype, out[0].data, i, static_cast<double>(centred * q.scale[c]));
    }
    return {};
  });
}

}  // namespace

void register_quantize(KernelTable& t) {
  t[static_cast<size_t>(OpKind::QuantizeLinear)] = &quantize_kernel;
  t[static_cast<size_t>(OpKind::DequantizeLinear)] = &dequantize_kernel;
}

}  // namespace es::ref
