// Element-wise ops: activations and unary math on one kernel (UnaryFn), binary arithmetic with numpy
// broadcasting on another.
#include "backends/cuda/lowering.h"

#include <limits>

namespace es::cuda {

namespace {

// Runs over the bytes as they lie: the output takes the input's layout.
class UnaryStep final : public Step {
 public:
  UnaryFn fn;
  int64_t numel = 0;
  bool half = false;
  LayoutRule layout_rule() const override { return LayoutRule::follow_first; }
  void configure(const Graph&, const std::vector<Storage>& storage) override {
    half = storage[static_cast<size_t>(writes[0])].half;
  }
  Status run(const Context& ctx) override {
    launch_unary(ctx.stream, half, fn, ctx.memory->data(reads[0]), ctx.memory->data(writes[0]), numel);
    return check(cudaGetLastError(), name.c_str());
  }
};

// Each operand is read through its stored strides (broadcast dims: 0), the output walked in memory order.
class BinaryStep final : public Step {
 public:
  Binary fn = Binary::add;
  Strides a_strides, b_strides, y_strides;
  Dims out;
  bool half = false;
  LayoutRule layout_rule() const override { return LayoutRule::follow_any; }
  void configure(const Graph& graph, const std::vector<Storage>& storage) override {
    const Shape& ys = graph.value(writes[0]).shape;
    out = *dims_of(ys);
    auto strides = [&](ValueId v) {
      Strides own = stored_strides(graph.value(v).shape, storage[static_cast<size_t>(v)]);
      const Shape& s = graph.value(v).shape;
      Strides over_out;
      const size_t lead = ys.size() - s.size();
      for (size_t d = 0; d < s.size(); ++d) over_out.step[lead + d] = s[d] == 1 ? 0 : own.step[d];
      return over_out;
    };
    a_strides = strides(reads[0]);
    b_strides = strides(reads[1]);
    y_strides = stored_strides(ys, storage[static_cast<size_t>(writes[0])]);
    order_by_destination(out, y_strides, {&a_strides, &b_strides});
    half = storage[static_cast<size_t>(writes[0])].half;
  }
  Status run(const Context& ctx) override {
    launch_binary(ctx.stream, half, fn, ctx.memory->data(reads[0]), a_strides, ctx.memory->data(reads[1]), b_strides,
                  ctx.memory->data(writes[0]), out);
    return check(cudaGetLastError(), name.c_str());
  }
};

// The activation parameters of a standalone node, in the order of FusedConv's activation_params.
std::optional<UnaryFn> unary_fn(const Graph& graph, const Node& node) {
  const Attributes& a = node.attrs;
  switch (node.op) {
    case OpKind::Relu: return UnaryFn{Unary::relu};
    case OpKind::Sigmoid: return UnaryFn{Unary::sigmoid};
    case OpKind::Tanh: return UnaryFn{Unary::tanh};
    case OpKind::HardSwish: return UnaryFn{Unary::hard_swish};
    case OpKind::HardSigmoid: return UnaryFn{Unary::hard_sigmoid, a.get_float("alpha", 0.2f), a.get_float("beta", 0.5f)};
    case OpKind::LeakyRelu: return UnaryFn{Unary::leaky_relu, a.get_float("alpha", 0.01f)};
    case OpKind::Elu: return UnaryFn{Unary::elu, a.get_float("alpha", 1.0f)};
    case OpKind::Softplus: return UnaryFn{Unary::softplus};
    case OpKind::Mish: return UnaryFn{Unary::mish};
    case OpKind::Exp: return UnaryFn{Unary::exp};
    case OpKind::Log: return UnaryFn{Unary::log};
    case OpKind::Sqrt: return UnaryFn{Unary::sqrt};
    case OpKind::Abs: return UnaryFn{Unary::abs};
    case OpKind::Neg: return UnaryFn{Unary::neg};
    case OpKind::Reciprocal: return UnaryFn{Unary::reciprocal};
    case OpKind::Floor: return UnaryFn{Unary::floor};
    case OpKind::Ceil: return UnaryFn{Unary::ceil};
    case OpKind::Erf: return UnaryFn{Unary::erf};
    case OpKind::Sin: return UnaryFn{Unary::sin};
    case OpKind::Cos: return UnaryFn{Unary::cos};
    case OpKind::Clip: {
      // min and max are inputs (opset 11+); they must be known at compile time here.
      UnaryFn fn{Unary::clip, -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
      for (size_t i : {size_t{1}, size_t{2}}) {
        if (!node.has_input(i)) continue;
        const Value& v = graph.value(node.inputs[i]);
        if (v.data == nullptr || v.dtype != DType::f32 || v.data->numel() != 1) return std::nullopt;
        (i == 1 ? fn.a : fn.b) = v.data->to_float_vector()[0];
      }
      return fn;
    }
    default: return std::nullopt;
  }
}

std::optional<Lowered> lower_unary(const Graph& graph, const Node& node) {
  if (!all_f32(graph, {node.inputs.data(), 1}) || !all_f32(graph, node.outputs)) return std::nullopt;
  std::optional<UnaryFn> fn = unary_fn(graph, node);
  if (!fn) return std::nullopt;
  auto step = make_step<UnaryStep>(node);
  step->fn = *fn;
  step->numel = shape_numel(graph.value(node.outputs[0]).shape);
  step->reads.resize(1);  // Clip's min/max are baked into the function
  return Lowered{std::move(step)};
}

std::optional<Binary> binary_op(OpKind op) {
  switch (op) {
    case OpKind::Add: case OpKind::Sum: return Binary::add;
    case OpKind::Sub: return Binary::sub;
    case OpKind::Mul: return Binary::mul;
    case OpKind::Div: return Binary::div;
    case OpKind::Pow: return Binary::pow;
    case OpKind::Max: return Binary::max;
    case OpKind::Min: return Binary::min;
    case OpKind::PRelu: return Binary::prelu;
    default: return std::nullopt;
  }
}

std::optional<Lowered> lower_binary(const Graph& graph, const Node& node) {
  std::optional<Binary> op = binary_op(node.op);
  if (!op || node.inputs.size() != 2 || !node.has_input(0) || !node.has_input(1)) return std::nullopt;
  if (!all_f32(graph, node.inputs) || !all_f32(graph, node.outputs)) return std::nullopt;
  const Shape& out = graph.value(node.outputs[0]).shape;
  std::optional<Dims> dims = dims_of(out);
  if (!dims) return std::nullopt;
  auto step = make_step<BinaryStep>(node);
  step->fn = *op;
  return Lowered{std::move(step)};
}

}  // namespace

void register_eltwise_lowerings(LoweringTable& table) {
  for (OpKind op : {OpKind::Relu, OpKind::Sigmoid, OpKind::Tanh, OpKind::HardSwish, OpKind::HardSigmoid,
                    OpKind::LeakyRelu, OpKind::Elu, OpKind::Softplus, OpKind::Mish, OpKind::Exp, OpKind::Log,
                    OpKind::Sqrt, OpKind::Abs, OpKind::Neg, OpKind::Reciprocal, OpKind::Floor, OpKind::Ceil,
                    OpKind::Erf, OpKind::Sin, OpKind::Cos, OpKind::Clip})
    table[static_cast<size_t>(op)] = lower_unary;
  for (OpKind op : {OpKind::Add, OpKind::Sum, OpKind::Sub, OpKind::Mul, OpKind::Div, OpKind::Pow, OpKind::Max,
                    OpKind::Min, OpKind::PRelu})
    table[static_cast<size_t>(op)] = lower_binary;
}

}  // namespace es::cuda
