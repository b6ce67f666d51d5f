// The ResNet-family stem (a 7x7 stride-2 convolution of the image into 64 channels, ReLU, 3x3 stride-2
// MaxPool) as one step on the kernel of stem_conv_pool.h, in FP16 programs. Layer by layer, ResNet-50 v1 at batch
// 32 on the H100 profiled 98.6 us for the stem (cuDNN on the image packed to 4 channels) and 36.6 us for the
// backend's pool over the 51 MB it wrote; the fused kernel, which reads the image where it lies and writes only
// the pooled quarter, 71.2 us (docs/benchmarks.md).
#include "backends/cpu/window.h"
#include "backends/cuda/device_buffer.h"
#include "backends/cuda/lowering.h"
#include "backends/cuda/stem_conv_pool.h"
#include "base/assert.h"

namespace es::cuda {

namespace {

class StemConvPoolStep final : public Step {
 public:
  StemConvPool p;
  ValueId x = kNoValue, weights = kNoValue, bias = kNoValue;

  LayoutRule layout_rule() const override { return LayoutRule::nhwc_output; }
  void configure(const Graph& graph, const std::vector<Storage>& storage) override {
    const Storage& xs = storage[static_cast<size_t>(x)];
    const Storage& ws = storage[static_cast<size_t>(weights)];
    p.x_half = xs.half;
    p.x_strides = stored_strides(graph.value(x).shape, xs);
    weights_half_ = ws.half;
    weight_strides_ = stored_strides(graph.value(weights).shape, ws);
    bias_half_ = bias != kNoValue && storage[static_cast<size_t>(bias)].half;
    const Storage& ys = storage[static_cast<size_t>(writes[0])];
    ES_ASSERT_MSG(ys.half && ys.nhwc, "the stem kernel writes f16 channels-last (FP16 programs only)");
  }

  Status prepare(const Context& ctx, size_t& workspace_bytes) override {
    const DeviceMemory& m = *ctx.memory;
    // The filter [64, c, 7, 7] as the kernel reads it: [64][kh][kw padded to 8][c padded to 4], f16.
    ES_ASSIGN_OR_RETURN(filters_, zeroed_device_buffer(size_t{kStemChannelsOut} * kStemFilterSpan * 2, ctx.stream));
    Strides packed;
    packed.step[0] = kStemFilterSpan;
    packed.step[1] = 1;
    packed.step[2] = kStemTapsPerRow * kStemChannelsIn;
    packed.step[3] = kStemChannelsIn;
    launch_convert(ctx.stream, m.data(weights), weights_half_, weight_strides_, filters_.get(), true, packed,
                   Dims{4, {kStemChannelsOut, p.c, kStemKernel, kStemKernel}});
    ES_ASSIGN_OR_RETURN(bias_f32_, zeroed_device_buffer(size_t{kStemChannelsOut} * 4, ctx.stream));
    if (bias != kNoValue) {
      Strides dense;
      dense.step[0] = 1;
      launch_convert(ctx.stream, m.data(bias), bias_half_, dense, bias_f32_.get(), false, dense, Dims{1, {kStemChannelsOut}});
    }
    int device = 0;
    ES_CUDA_TRY(cudaGetDevice(&device));
    ES_CUDA_TRY(cudaDeviceGetAttribute(&sm_count_, cudaDevAttrMultiProcessorCount, device));
    workspace_bytes = 0;
    return check(cudaGetLastError(), name.c_str());
  }

  Status run(const Context& ctx) override {
    launch_stem_conv_pool(ctx.stream, p, ctx.memory->data(x), filters_.get(), static_cast<const float*>(bias_f32_.get()),
                          ctx.memory->data(writes[0]), sm_count_);
    return check(cudaGetLastError(), name.c_str());
  }

  std::string implementation() const override { return "edgescope:stem+maxpool"; }

 protected:
  void rebind_fields(ValueId from, ValueId to) override {
    if (x == from) x = to;
  }

 private:
  bool weights_half_ = false, bias_half_ = false;
  Strides weight_strides_;
  DeviceBuffer filters_, bias_f32_;
  int sm_count_ = 1;
};

// The window of `node` over 4-D `in` -> `out` when it is kernel x kernel, stride 2, `pad` on every side,
// undilated and without ceil_mode's extra padding.
bool is_stride2_window(const Node& node, int64_t kernel, int64_t pad, const Shape& in, const Shape& out) {
  const std::vector<int64_t> k{kernel, kernel};
  std::optional<cpu::Window> win = cpu::forward_window(node, k, std::span(in).subspan(2), std::span(out).subspan(2));
  const dnnl::memory::dims two{2, 2}, pads{pad, pad}, none{0, 0};
  return win && !win->padded_beyond_declared && win->strides == two && win->padding_l == pads &&
         win->padding_r == pads && win->dilations == none;
}

}  // namespace

std::optional<FusedPair> lower_stem_pool(const Graph& graph, const Node& conv) {
  if ((conv.op != OpKind::Conv && conv.op != OpKind::FusedConv) || !conv.has_input(1) || conv.has_input(3)) return std::nullopt;
  if (!all_f32(graph, conv.inputs) || !all_f32(graph, conv.outputs) || conv.attrs.get_int("group", 1) != 1) return std::nullopt;
  // The filter and bias are repacked once, when the step is prepared: only constant ones can be.
  const Value& w = graph.value(conv.inputs[1]);
  if (!w.is_initializer() || (conv.has_input(2) && !graph.value(conv.inputs[2]).is_initializer())) return std::nullopt;
  const Shape& xs = graph.value(conv.inputs[0]).shape;
  const Shape& ys = graph.value(conv.outputs[0]).shape;
  if (xs.size() != 4 || xs[1] > kStemChannelsIn || ys.size() != 4 ||
      w.shape != Shape{kStemChannelsOut, xs[1], kStemKernel, kStemKernel} ||
      !is_stride2_window(conv, kStemKernel, 3, xs, ys))
    return std::nullopt;
  const std::optional<UnaryFn> act = conv.op == OpKind::FusedConv ? fused_activation(conv) : UnaryFn{Unary::identity};
  if (!act || (act->op != Unary::identity && act->op != Unary::relu)) return std::nullopt;

  const ValueId mid = conv.outputs[0];
  const std::vector<NodeId> readers = graph.consumers(mid);
  if (readers.size() != 1 || std::find(graph.outputs.begin(), graph.outputs.end(), mid) != graph.outputs.end())
    return std::nullopt;
  const Node& pool = graph.node(readers[0]);
  if (pool.op != OpKind::MaxPool || pool.inputs[0] != mid || (pool.outputs.size() > 1 && pool.outputs[1] != kNoValue) ||
      pool.attrs.get_ints("kernel_shape") != std::vector<int64_t>{3, 3})
    return std::nullopt;
  const Shape& ps = graph.value(pool.outputs[0]).shape;
  if (ps.size() != 4 || !is_stride2_window(pool, 3, 1, ys, ps)) return std::nullopt;

  auto step = make_step<StemConvPoolStep>(conv);
  step->name += "+" + layer_name(pool);
  step->writes = pool.outputs;
  step->x = conv.inputs[0];
  step->weights = conv.inputs[1];
  step->bias = conv.has_input(2) ? conv.inputs[2] : kNoValue;
  StemConvPool& p = step->p;
  p.relu = act->op == Unary::relu;
  p.n = xs[0], p.c = xs[1], p.h = xs[2], p.w = xs[3];
  p.conv_h = ys[2], p.conv_w = ys[3], p.pool_h = ps[2], p.pool_w = ps[3];
  return FusedPair{std::move(step), readers[0]};
}

}  // namespace es::cuda
