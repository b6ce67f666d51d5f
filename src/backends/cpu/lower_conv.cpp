// Conv, FusedConv (bias, residual sum and activation as post-ops) and ConvTranspose on oneDNN.
// Weights are reordered once, here, into the layout the primitive chose; activations use the layout
// the primitive prefers (format_tag::any), normally the blocked layout of the producing convolution.
#include "backends/cpu/activation.h"
#include "backends/cpu/lowering.h"
#include "backends/cpu/window.h"

namespace es::cpu {

namespace {

using dnnl::algorithm;
using dnnl::prop_kind;
using tag = memory::format_tag;

// Weights dims for oneDNN ({g, O/g, I/g, k...} when grouped) with strides that describe the ONNX
// array: Conv W is [O, I/g, k...]; ConvTranspose W is [I, O/g, k...] (input channels first).
memory::desc onnx_weights_desc(const memory::dims& kernel, int64_t out_channels, int64_t in_channels, int64_t group,
                               bool input_channels_first) {
  const int64_t o = out_channels / group, i = in_channels / group;
  int64_t k = 1;
  for (int64_t d : kernel) k *= d;
  memory::dims dims, strides;
  if (group > 1) {
    dims.push_back(group);
    strides.push_back(o * i * k);
  }
  dims.insert(dims.end(), {o, i});
  if (input_channels_first) strides.insert(strides.end(), {k, o * k});
  else strides.insert(strides.end(), {i * k, k});
  int64_t stride = k;
  for (int64_t d : kernel) {
    stride /= d;
    dims.push_back(d);
    strides.push_back(stride);
  }
  return memory::desc(dims, memory::data_type::f32, strides);
}

memory::desc any_desc(const memory::dims& dims) { return memory::desc(dims, memory::data_type::f32, tag::any); }

bool is_reference_impl(const dnnl::primitive_desc_base& pd) {
  return std::string_view(pd.impl_info_str()).starts_with("ref");
}

// Creates the primitive descriptor with `src` in the layout the input already has when that gives
// an optimized implementation, else lets oneDNN choose the input layout.
template <typename PrimitiveDesc>
std::optional<PrimitiveDesc> create_preferring_input_layout(
    ProgramBuilder& b, ValueId input, const std::function<PrimitiveDesc(const memory::desc& src)>& make) {
  const Value& v = b.value(input);
  std::optional<Layout> current = b.layout_of(input);
  if (current && !current->is_plain()) {
    auto pd = try_create<PrimitiveDesc>([&] { return make(current->desc(v.dtype, v.shape)); });
    if (pd && !is_reference_impl(*pd)) return pd;
  }
  return try_create<PrimitiveDesc>([&] { return make(any_desc(to_dims(v.shape))); });
}

struct ConvGeometry {
  Window window;
  memory::desc user_weights;  // the ONNX weights array
  memory::dims weights_dims;
};

std::optional<ConvGeometry> conv_geometry(const ProgramBuilder& b, const Node& node, bool transposed) {
  const Value& x = b.value(node.inputs[0]);
  const Value& w = b.value(node.inputs[1]);
  const Value& y = b.value(node.outputs[0]);
  if (x.rank() < 3 || x.rank() > 5 || w.rank() != x.rank() || y.rank() != x.rank()) return std::nullopt;
  const int64_t group = node.attrs.get_int("group", 1);
  std::span<const int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  std::span<const int64_t> in(x.shape.begin() + 2, x.shape.end()), out(y.shape.begin() + 2, y.shape.end());
  auto window = transposed ? transposed_window(node, kernel, in, out) : forward_window(node, kernel, in, out);
  if (!window || group < 1 || x.shape[1] % group != 0 || y.shape[1] % group != 0) return std::nullopt;
  memory::desc user = onnx_weights_desc(window->kernel, y.shape[1], x.shape[1], group, transposed);
  return ConvGeometry{*window, user, user.dims()};
}

// Winograd F(4x4, 3x3) (oneDNN's jit_wino kernels) computes a 3x3 stride-1 convolution with 2.25x fewer
// multiplications. In ResNet-50 v1 at batch 1 on this project's 2-core AVX-512 machine (`es_cpu_latency --layers`)
// its 56x56-14x14 3x3 layers took 0.31-0.42 ms instead of 0.60-0.69 ms with the direct kernels (7x7: 0.63-0.66
// instead of 0.79-0.89). Its transforms only pay off with enough channels on both sides. It rounds differently
// from a direct sum; cpu_backend_test holds it to the backend's 1e-5 relative L2 against the reference kernels.
// Only for forward convolutions (the caller asks for convolution_direct).
bool suits_winograd(const Node& node, const ConvGeometry& geometry, const Value& x, const Value& y) {
  const Window& win = geometry.window;
  constexpr int64_t kMinChannels = 64;
  return x.rank() == 4 && node.attrs.get_int("group", 1) == 1 &&
         win.kernel == memory::dims{3, 3} && win.strides == memory::dims{1, 1} && win.dilations == memory::dims{0, 0} &&
         x.shape[1] >= kMinChannels && y.shape[1] >= kMinChannels;
}

// The channel-blocked layout (16 channels innermost) that oneDNN's Winograd kernels read and write.
memory::desc blocked16_desc(const Value& v) { return memory::desc(to_dims(v.shape), memory::data_type::f32, tag::nChw16c); }

Result<bool> lower_conv(ProgramBuilder& b, const Node& node) {
  const bool transposed = node.op == OpKind::ConvTranspose;
  if (!transposed) {
    ES_ASSIGN_OR_RETURN(bool fused, lower_inverted_residual(b, node));
    if (fused) return true;
  }
  const ValueId x = node.inputs[0], w = node.inputs[1], y = node.outputs[0];
  const ValueId bias = node.has_input(2) ? node.inputs[2] : kNoValue;
  const ValueId sum = node.op == OpKind::FusedConv && node.has_input(3) ? node.inputs[3] : kNoValue;
  if (!all_f32(b, node.inputs) || !all_f32(b, node.outputs) || node.outputs.size() != 1) return false;
  if (!b.is_constant(w) || (bias != kNoValue && !b.is_constant(bias))) return false;
  if (sum != kNoValue && (b.is_constant(sum) || b.value(sum).shape != b.value(y).shape)) return false;
  auto geometry = conv_geometry(b, node, transposed);
  if (!geometry) return false;
  auto activation = activation_ops(node.attrs.get_string("activation"), node.attrs.get_floats("activation_params"));
  if (!activation) return false;

  dnnl::post_ops post_ops;
  if (sum != kNoValue) post_ops.append_sum(1.0f);
  append_eltwise_post_ops(post_ops, *activation);
  dnnl::primitive_attr attr = ProgramBuilder::primitive_attr();
  attr.set_post_ops(post_ops);

  const Window& win = geometry->window;
  const memory::desc weights = any_desc(geometry->weights_dims);
  const memory::desc bias_desc =
      bias == kNoValue ? memory::desc() : memory::desc({b.value(y).shape[1]}, memory::data_type::f32, tag::a);
  const memory::desc dst = any_desc(to_dims(b.value(y).shape));

  // Both primitive kinds take the same arguments; only the descriptor types differ.
  auto lower_with = [&]<typename Primitive>(algorithm alg) -> bool {
    using PD = typename Primitive::primitive_desc;
    auto make = [&](algorithm a, const memory::desc& src, const memory::desc& out) {
      typename Primitive::desc d(prop_kind::forward_inference, a, src, weights, bias_desc, out, win.strides,
                                 win.dilations, win.padding_l, win.padding_r);
      return PD(d, attr, b.engine());
    };
    std::optional<PD> pd;
    if (alg == algorithm::convolution_direct && suits_winograd(node, *geometry, b.value(x), b.value(y))) {
      const memory::desc blocked_src = blocked16_desc(b.value(x)), blocked_dst = blocked16_desc(b.value(y));
      pd = try_create<PD>([&] { return make(algorithm::convolution_winograd, blocked_src, blocked_dst); });
    }
    if (!pd) pd = create_preferring_input_layout<PD>(b, x, [&](const memory::desc& src) { return make(alg, src, dst); });
    if (!pd) return false;

    std::vector<FixedArg> fixed = {
        {DNNL_ARG_WEIGHTS, b.constant(*b.value(w).data, geometry->user_weights, pd->weights_desc())}};
    if (bias != kNoValue)
      fixed.push_back({DNNL_ARG_BIAS, b.constant(*b.value(bias).data, bias_desc, pd->bias_desc())});
    const SlotId src_slot = b.use(x, Layout::of(pd->src_desc(), DType::f32, b.value(x).shape));
    const Layout dst_layout = Layout::of(pd->dst_desc(), DType::f32, b.value(y).shape);
    const SlotId sum_slot = sum == kNoValue ? kNoSlot : b.use(sum, *b.layout_of(sum));
    const SlotId dst_slot = b.define(y, dst_layout);

    PrimitiveStep& step = b.add_primitive(node, *pd, Primitive(*pd), {{DNNL_ARG_SRC, src_slot}, {DNNL_ARG_DST, dst_slot}},
                                          std::move(fixed));
    if (sum_slot != kNoSlot) {
      const Value& s = b.value(sum);
      step.reads.push_back(sum_slot);
      step.inplace = InPlace{sum_slot, dst_slot};
      step.prefill_destination(dnnl::reorder(dnnl::reorder::primitive_desc(
          b.engine(), b.layout_of(sum)->desc(s.dtype, s.shape), b.engine(), pd->dst_desc())));
    }
    return true;
  };
  if (transposed) return lower_with.template operator()<dnnl::deconvolution_forward>(algorithm::deconvolution_direct);
  return lower_with.template operator()<dnnl::convolution_forward>(algorithm::convolution_direct);
}

}  // namespace

void register_conv_lowerings(LoweringTable& table) {
  for (OpKind op : {OpKind::Conv, OpKind::FusedConv, OpKind::ConvTranspose})
    table[static_cast<size_t>(op)] = lower_conv;
}

}  // namespace es::cpu
