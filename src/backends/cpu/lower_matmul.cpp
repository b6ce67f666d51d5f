// Gemm and MatMul on oneDNN's matmul primitive. Constant weights are reordered once into the layout
// the primitive chose; Gemm's alpha and beta are folded into the constant B and C.
#include "backends/cpu/lowering.h"
#include "backends/cpu/skinny_gemm.h"

#include <omp.h>

namespace es::cpu {

namespace {

using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;

// A row-major [rows, cols] matrix, or its transpose stored as [cols, rows].
memory::desc matrix_desc(int64_t rows, int64_t cols, bool transposed) {
  return memory::desc({rows, cols}, f32, transposed ? memory::dims{1, rows} : memory::dims{cols, 1});
}

Tensor scaled(const Tensor& t, float factor) {
  Tensor copy = t.clone();
  for (float& v : copy.values<float>()) v *= factor;
  return copy;
}

struct MatmulPlan {
  memory::desc src, weights_user, dst;  // descs over the plain buffers of A, B and Y
  bool weights_constant = false;
  Tensor weights;                       // the constant B (scaled by Gemm's alpha)
  std::optional<Tensor> bias;           // Gemm's C scaled by beta
  memory::desc bias_desc;
};

// A few rows of A (not transposed) against constant weights, with a bias that is one row: edgescope's own
// kernel (skinny_gemm.h). false when the product is not of that kind.
bool emit_skinny(ProgramBuilder& b, const Node& node, const MatmulPlan& plan) {
  const int64_t rows = plan.src.dims()[0], depth = plan.src.dims()[1], columns = plan.dst.dims()[1];
  if (!plan.weights_constant || rows > kSkinnyGemmMaxRows || !SkinnyGemmStep::supported()) return false;
  if (plan.src != memory::desc({rows, depth}, f32, tag::ab) || (plan.bias && plan.bias_desc.dims()[0] != 1))
    return false;
  const auto& strides = plan.weights_user.data.format_desc.blocking.strides;  // B may be stored transposed
  const float* weights = plan.weights.data<float>();
  const float* bias = plan.bias ? plan.bias->data<float>() : nullptr;
  const int64_t bias_columns = plan.bias ? plan.bias_desc.dims()[1] : 1;  // 1: one value for every column
  SkinnyGemmWeights packed = pack_skinny_gemm(
      depth, columns, [&](int64_t k, int64_t n) { return weights[k * strides[0] + n * strides[1]]; },
      [&](int64_t n) { return bias ? bias[n % bias_columns] : 0.0f; });
  const SlotId input = b.use_plain(node.inputs[0]);
  const SlotId output = b.define(node.outputs[0], Layout::plain());
  // build_program set OpenMP's thread count for this compilation; the step runs with the same.
  auto step = std::make_unique<SkinnyGemmStep>(std::move(packed), rows, input, output, omp_get_max_threads());
  step->name = layer_name(node);
  step->op = std::string(op_name(node.op));
  step->implementation = "edgescope:avx512";
  step->nodes = {&node};
  b.add_step(std::move(step));
  return true;
}

Result<bool> emit(ProgramBuilder& b, const Node& node, const MatmulPlan& plan) {
  if (emit_skinny(b, node, plan)) return true;
  const memory::desc weights = plan.weights_constant ? memory::desc(plan.weights_user.dims(), f32, tag::any)
                                                     : plan.weights_user;
  auto pd = try_create<dnnl::matmul::primitive_desc>([&] {
    dnnl::matmul::desc d = plan.bias ? dnnl::matmul::desc(plan.src, weights, plan.bias_desc, plan.dst)
                                     : dnnl::matmul::desc(plan.src, weights, plan.dst);
    return dnnl::matmul::primitive_desc(d, ProgramBuilder::primitive_attr(), b.engine());
  });
  if (!pd) return false;

  std::vector<FixedArg> fixed;
  if (plan.bias) fixed.push_back({DNNL_ARG_BIAS, b.constant(*plan.bias, plan.bias_desc, pd->bias_desc())});
  std::vector<SlotArg> args = {{DNNL_ARG_SRC, b.use_plain(node.inputs[0]), plan.src}};
  if (plan.weights_constant) fixed.push_back({DNNL_ARG_WEIGHTS, b.constant(plan.weights, plan.weights_user, pd->weights_desc())});
  else args.push_back({DNNL_ARG_WEIGHTS, b.use_plain(node.inputs[1]), plan.weights_user});
  args.push_back({DNNL_ARG_DST, b.define(node.outputs[0], Layout::plain()), plan.dst});
  b.add_primitive(node, *pd, dnnl::matmul(*pd), std::move(args), std::move(fixed));
  return true;
}

Result<bool> lower_gemm(ProgramBuilder& b, const Node& node) {
  if (!all_f32(b, node.inputs) || !all_f32(b, node.outputs)) return false;
  const Value& a = b.value(node.inputs[0]);
  const Value& w = b.value(node.inputs[1]);
  const Value& y = b.value(node.outputs[0]);
  if (a.rank() != 2 || w.rank() != 2 || y.rank() != 2) return false;
  const bool trans_a = node.attrs.get_int("transA", 0) != 0, trans_b = node.attrs.get_int("transB", 0) != 0;
  const float alpha = node.attrs.get_float("alpha", 1.0f), beta = node.attrs.get_float("beta", 1.0f);
  const int64_t m = y.shape[0], n = y.shape[1], k = trans_a ? a.shape[0] : a.shape[1];

  MatmulPlan plan;
  plan.src = matrix_desc(m, k, trans_a);
  plan.weights_user = matrix_desc(k, n, trans_b);
  plan.dst = memory::desc({m, n}, f32, tag::ab);
  plan.weights_constant = b.is_constant(node.inputs[1]);
  if (plan.weights_constant) plan.weights = alpha == 1.0f ? *w.data : scaled(*w.data, alpha);
  else if (alpha != 1.0f) return false;
  if (node.has_input(2)) {
    const Value& c = b.value(node.inputs[2]);
    if (!b.is_constant(node.inputs[2]) || c.rank() > 2) return false;
    plan.bias = beta == 1.0f ? *c.data : scaled(*c.data, beta);
    const int64_t rows = c.rank() == 2 ? c.shape[0] : 1;
    const int64_t cols = c.rank() >= 1 ? c.shape.back() : 1;
    plan.bias_desc = memory::desc({rows, cols}, f32, tag::ab);
  }
  return emit(b, node, plan);
}

// MatMul with a 2-D B (batch dims of A folded into rows) or with operands of equal rank.
Result<bool> lower_matmul(ProgramBuilder& b, const Node& node) {
  if (!all_f32(b, node.inputs) || !all_f32(b, node.outputs)) return false;
  const Value& a = b.value(node.inputs[0]);
  const Value& w = b.value(node.inputs[1]);
  const Value& y = b.value(node.outputs[0]);
  if (a.rank() < 2 || w.rank() < 2 || y.rank() != std::max(a.rank(), w.rank())) return false;

  MatmulPlan plan;
  if (w.rank() == 2) {
    const int64_t k = a.shape.back(), n = w.shape[1], rows = a.rank() == 2 ? a.shape[0] : shape_numel(a.shape) / k;
    plan.src = memory::desc({rows, k}, f32, tag::ab);
    plan.weights_user = memory::desc({k, n}, f32, tag::ab);
    plan.dst = memory::desc({rows, n}, f32, tag::ab);
    plan.weights_constant = b.is_constant(node.inputs[1]);
    if (plan.weights_constant) plan.weights = *w.data;
  } else if (a.rank() == w.rank() && a.rank() <= 6) {
    plan.src = plain_desc(DType::f32, a.shape);
    plan.weights_user = plain_desc(DType::f32, w.shape);
    plan.dst = plain_desc(DType::f32, y.shape);
  } else {
    return false;
  }
  return emit(b, node, plan);
}

}  // namespace

void register_matmul_lowerings(LoweringTable& table) {
  table[static_cast<size_t>(OpKind::Gemm)] = lower_gemm;
  table[static_cast<size_t>(OpKind::MatMul)] = lower_matmul;
}

}  // namespace es::cpu
