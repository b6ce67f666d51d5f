// Element-wise work on oneDNN in whatever layout the input has, so that unfused graphs (--passes none)
// do not bounce between blocked and plain layouts: activations (eltwise), two-input arithmetic
// (binary, with broadcasting of the second input) and inference BatchNormalization.
#include "backends/cpu/activation.h"
#include "backends/cpu/lowering.h"

#include <cfloat>

namespace es::cpu {

namespace {

using dnnl::algorithm;
constexpr auto f32 = memory::data_type::f32;

// A constant scalar input (Clip's min/max), or `fallback` when omitted; nullopt when not constant.
std::optional<float> constant_scalar(const ProgramBuilder& b, const Node& node, size_t index, float fallback) {
  if (!node.has_input(index)) return fallback;
  const Value& v = b.value(node.inputs[index]);
  if (!b.is_constant(node.inputs[index]) || v.data->numel() != 1) return std::nullopt;
  return v.data->to_float_vector().front();
}

std::optional<std::vector<float>> activation_params(const ProgramBuilder& b, const Node& node) {
  switch (node.op) {
    case OpKind::LeakyRelu: return std::vector<float>{node.attrs.get_float("alpha", 0.01f)};
    case OpKind::Elu: return std::vector<float>{node.attrs.get_float("alpha", 1.0f)};
    case OpKind::Clip: {
      auto low = constant_scalar(b, node, 1, -FLT_MAX), high = constant_scalar(b, node, 2, FLT_MAX);
      if (!low || !high) return std::nullopt;
      return std::vector<float>{*low, *high};
    }
    default: return std::vector<float>{};
  }
}

Result<bool> lower_activation(ProgramBuilder& b, const Node& node) {
  const ValueId x = node.inputs[0], y = node.outputs[0];
  if (!all_f32(b, node.inputs) || !all_f32(b, node.outputs) || node.outputs.size() != 1) return false;
  auto params = activation_params(b, node);
  if (!params) return false;
  auto ops = activation_ops(op_name(node.op), *params);
  if (!ops || ops->size() != 1) return false;

  const Value& in = b.value(x);
  const Layout layout = b.layout_of(x).value_or(Layout::plain());
  const EltwiseOp& op = ops->front();
  auto pd = try_create<dnnl::eltwise_forward::primitive_desc>([&] {
    dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, op.algorithm, layout.desc(in.dtype, in.shape),
                                  op.alpha, op.beta);
    return dnnl::eltwise_forward::primitive_desc(d, ProgramBuilder::primitive_attr(), b.engine());
  });
  if (!pd) return false;
  const SlotId src = b.use(x, layout);
  const SlotId dst = b.define(y, layout);
  PrimitiveStep& step = b.add_primitive(node, *pd, dnnl::eltwise_forward(*pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  step.inplace = InPlace{src, dst};
  return true;
}

std::optional<algorithm> binary_algorithm(OpKind op) {
  switch (op) {
    case OpKind::Add: return algorithm::binary_add;
    case OpKind::Sub: return algorithm::binary_sub;
    case OpKind::Mul: return algorithm::binary_mul;
    case OpKind::Div: return algorithm::binary_div;
    case OpKind::Max: return algorithm::binary_max;
    case OpKind::Min: return algorithm::binary_min;
    default: return std::nullopt;
  }
}

// `shape` with leading ones up to `rank` (numpy broadcasting).
memory::dims padded_dims(const Shape& shape, size_t rank) {
  memory::dims dims(rank - shape.size(), 1);
  dims.insert(dims.end(), shape.begin(), shape.end());
  return dims;
}

// The first input must have the output's shape (oneDNN broadcasts only the second); commutative ops swap.
Result<bool> lower_binary(ProgramBuilder& b, const Node& node) {
  if (node.inputs.size() != 2 || !all_f32(b, node.inputs) || !all_f32(b, node.outputs)) return false;
  const algorithm alg = *binary_algorithm(node.op);
  const Value& out = b.value(node.outputs[0]);
  if (out.rank() == 0 || out.rank() > 6) return false;
  ValueId first = node.inputs[0], second = node.inputs[1];
  const size_t rank = static_cast<size_t>(out.rank());
  const bool commutative = node.op != OpKind::Sub && node.op != OpKind::Div;
  if (b.value(first).shape != out.shape && commutative && b.value(second).shape == out.shape) std::swap(first, second);
  if (b.value(first).shape != out.shape) return false;

  const Layout layout = b.layout_of(first).value_or(Layout::plain());
  const memory::desc src0 = layout.desc(DType::f32, out.shape);
  const bool same_shape = b.value(second).shape == out.shape;
  const Layout second_layout = same_shape ? layout : Layout::plain();
  const memory::desc src1 = same_shape ? src0 : plain_desc(DType::f32, padded_dims(b.value(second).shape, rank));
  auto pd = try_create<dnnl::binary::primitive_desc>([&] {
    return dnnl::binary::primitive_desc(dnnl::binary::desc(alg, src0, src1, src0), ProgramBuilder::primitive_attr(),
                                        b.engine());
  });
  if (!pd) return false;
  const SlotId a = b.use(first, layout);
  const SlotId c = b.use(second, second_layout);
  const SlotId dst = b.define(node.outputs[0], layout);
  std::vector<SlotArg> args = {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_DST, dst}};
  args.push_back(same_shape ? SlotArg{DNNL_ARG_SRC_1, c} : SlotArg{DNNL_ARG_SRC_1, c, src1});
  PrimitiveStep& step = b.add_primitive(node, *pd, dnnl::binary(*pd), std::move(args));
  if (first != second) step.inplace = InPlace{a, dst};
  return true;
}

Result<bool> lower_batchnorm(ProgramBuilder& b, const Node& node) {
  if (!all_f32(b, node.inputs) || !all_f32(b, node.outputs) || node.outputs.size() != 1 || node.inputs.size() != 5)
    return false;
  for (size_t i = 1; i < 5; ++i)
    if (!b.is_constant(node.inputs[i])) return false;
  const ValueId x = node.inputs[0], y = node.outputs[0];
  const Value& in = b.value(x);
  if (in.rank() < 2) return false;
  const Layout layout = b.layout_of(x).value_or(Layout::plain());
  const auto flags = dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
                     dnnl::normalization_flags::use_shift;
  auto pd = try_create<dnnl::batch_normalization_forward::primitive_desc>([&] {
    dnnl::batch_normalization_forward::desc d(dnnl::prop_kind::forward_inference, layout.desc(in.dtype, in.shape),
                                              node.attrs.get_float("epsilon", 1e-5f), flags);
    return dnnl::batch_normalization_forward::primitive_desc(d, ProgramBuilder::primitive_attr(), b.engine());
  });
  if (!pd) return false;

  const memory::desc channel({in.shape[1]}, f32, memory::format_tag::a);
  auto constant_arg = [&](int arg, size_t input) {
    return FixedArg{arg, b.constant(*b.value(node.inputs[input]).data, channel, channel)};
  };
  std::vector<FixedArg> fixed = {constant_arg(DNNL_ARG_SCALE, 1), constant_arg(DNNL_ARG_SHIFT, 2),
                                 constant_arg(DNNL_ARG_MEAN, 3), constant_arg(DNNL_ARG_VARIANCE, 4)};
  const SlotId src = b.use(x, layout);
  const SlotId dst = b.define(y, layout);
  PrimitiveStep& step = b.add_primitive(node, *pd, dnnl::batch_normalization_forward(*pd),
                                        {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}}, std::move(fixed));
  step.inplace = InPlace{src, dst};
  return true;
}

}  // namespace

void register_eltwise_lowerings(LoweringTable& table) {
  for (OpKind op : {OpKind::Relu, OpKind::LeakyRelu, OpKind::Clip, OpKind::Sigmoid, OpKind::Tanh, OpKind::HardSwish,
                    OpKind::Elu, OpKind::Abs, OpKind::Sqrt, OpKind::Exp, OpKind::Log})
    table[static_cast<size_t>(op)] = lower_activation;
  for (OpKind op : {OpKind::Add, OpKind::Sub, OpKind::Mul, OpKind::Div, OpKind::Max, OpKind::Min})
    table[static_cast<size_t>(op)] = lower_binary;
  table[static_cast<size_t>(OpKind::BatchNormalization)] = lower_batchnorm;
}

}  // namespace es::cpu
