// MaxPool, AveragePool and the global pools on oneDNN's pooling (v2, with dilation), in whatever
// layout the input already has.
#include "backends/cpu/lowering.h"
#include "backends/cpu/window.h"

namespace es::cpu {

namespace {

using dnnl::algorithm;

Result<bool> lower_pool(ProgramBuilder& b, const Node& node) {
  if (!all_f32(b, node.inputs) || !all_f32(b, node.outputs) || node.outputs.size() != 1) return false;  // MaxPool Indices
  const ValueId x = node.inputs[0], y = node.outputs[0];
  const Value& in = b.value(x);
  const Value& out = b.value(y);
  if (in.rank() < 3 || in.rank() > 5 || out.rank() != in.rank()) return false;
  std::span<const int64_t> in_spatial(in.shape.begin() + 2, in.shape.end());
  std::span<const int64_t> out_spatial(out.shape.begin() + 2, out.shape.end());
  const bool global = node.op == OpKind::GlobalAveragePool || node.op == OpKind::GlobalMaxPool;
  const std::vector<int64_t> kernel = global ? std::vector<int64_t>(in_spatial.begin(), in_spatial.end())
                                             : node.attrs.get_ints("kernel_shape");
  auto window = forward_window(node, kernel, in_spatial, out_spatial);
  if (!window) return false;

  algorithm alg = algorithm::pooling_max;
  if (node.op == OpKind::AveragePool || node.op == OpKind::GlobalAveragePool) {
    const bool count_padding = node.attrs.get_int("count_include_pad", 0) != 0;
    // oneDNN divides by the whole kernel; ONNX does not count the extra ceil_mode padding.
    if (count_padding && window->padded_beyond_declared) return false;
    alg = count_padding ? algorithm::pooling_avg_include_padding : algorithm::pooling_avg_exclude_padding;
  }

  const Layout src_layout = b.layout_of(x).value_or(Layout::plain());
  const memory::desc dst_any(to_dims(out.shape), memory::data_type::f32, memory::format_tag::any);
  auto pd = try_create<dnnl::pooling_v2_forward::primitive_desc>([&] {
    dnnl::pooling_v2_forward::desc d(dnnl::prop_kind::forward_inference, alg, src_layout.desc(in.dtype, in.shape),
                                     dst_any, window->strides, window->kernel, window->dilations,
                                     window->padding_l, window->padding_r);
    return dnnl::pooling_v2_forward::primitive_desc(d, ProgramBuilder::primitive_attr(), b.engine());
  });
  if (!pd) return false;

  const SlotId src = b.use(x, src_layout);
  const SlotId dst = b.define(y, Layout::of(pd->dst_desc(), out.dtype, out.shape));
  b.add_primitive(node, *pd, dnnl::pooling_v2_forward(*pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  return true;
}

}  // namespace

void register_pool_lowerings(LoweringTable& table) {
  for (OpKind op : {OpKind::MaxPool, OpKind::AveragePool, OpKind::GlobalAveragePool, OpKind::GlobalMaxPool})
    table[static_cast<size_t>(op)] = lower_pool;
}

}  // namespace es::cpu
