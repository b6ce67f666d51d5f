// Gemm and MatMul on cuBLAS. cuBLAS is column-major: a row-major [M,N] = [M,K] x [K,N] product is computed
// as its transpose, Y^T = B^T A^T, which needs no data movement. FP16: f16 operands, f32 accumulation.
#include "backends/cuda/lowering.h"

namespace es::cuda {

namespace {

class GemmStep final : public Step {
 public:
  ValueId a = kNoValue, b = kNoValue, c = kNoValue, y = kNoValue;
  bool trans_a = false, trans_b = false;
  int m = 0, n = 0, k = 0, batch = 1;
  int64_t stride_a = 0, stride_b = 0;  // elements between batch matrices (0: broadcast)
  float alpha = 1, beta = 0;
  Strides c_strides;  // Gemm's C broadcast over [M, N]
  bool half = false;

  void configure(const Graph&, const std::vector<Storage>& storage) override {
    half = storage[static_cast<size_t>(y)].half;
  }
  // Gemm's C, when it counts, is first copied into Y by an own kernel.
  std::string implementation() const override { return c != kNoValue && beta != 0 ? "copy+cublas" : "cublas"; }

  Status run(const Context& ctx) override {
    const DeviceMemory& mem = *ctx.memory;
    float beta_used = 0;
    if (c != kNoValue && beta != 0) {
      Dims out;
      out.rank = 2;
      out.size[0] = m;
      out.size[1] = n;
      Strides dense;
      dense.step[0] = n;
      dense.step[1] = 1;
      launch_strided_copy(ctx.stream, half ? 2 : 4, mem.data(c), 0, c_strides, mem.data(y), 0, dense, out);
      ES_CUDA_TRY(cudaGetLastError());
      beta_used = beta;
    }
    const cublasOperation_t op_a = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, op_b = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const int lda = trans_a ? m : k, ldb = trans_b ? k : n;
    if (half) {
      ES_CUDA_TRY(cublasGemmStridedBatchedEx(ctx.cublas, op_b, op_a, n, m, k, &alpha, mem.data(b), CUDA_R_16F, ldb,
                                             stride_b, mem.data(a), CUDA_R_16F, lda, stride_a, &beta_used, mem.data(y),
                                             CUDA_R_16F, n, int64_t{m} * n, batch, CUBLAS_COMPUTE_32F,
                                             CUBLAS_GEMM_DEFAULT));
      return Status::ok_status();
    }
    ES_CUDA_TRY(cublasSgemmStridedBatched(ctx.cublas, op_b, op_a, n, m, k, &alpha, mem.f32(b), ldb, stride_b, mem.f32(a),
                                          lda, stride_a, &beta_used, mem.f32(y), n, int64_t{m} * n, batch));
    return Status::ok_status();
  }

 protected:
  void rebind_fields(ValueId from, ValueId to) override {
    if (a == from) a = to;
    if (b == from) b = to;
    if (c == from) c = to;
  }
};

std::optional<Lowered> lower_gemm(const Graph& graph, const Node& node) {
  if (!all_f32(graph, node.inputs) || !all_f32(graph, node.outputs)) return std::nullopt;
  const Shape& as = graph.value(node.inputs[0]).shape;
  const Shape& ys = graph.value(node.outputs[0]).shape;
  if (as.size() != 2 || ys.size() != 2) return std::nullopt;
  auto step = make_step<GemmStep>(node);
  step->trans_a = node.attrs.get_int("transA", 0) != 0;
  step->trans_b = node.attrs.get_int("transB", 0) != 0;
  step->alpha = node.attrs.get_float("alpha", 1.f);
  step->beta = node.attrs.get_float("beta", 1.f);
  step->m = static_cast<int>(ys[0]);
  step->n = static_cast<int>(ys[1]);
  step->k = static_cast<int>(step->trans_a ? as[0] : as[1]);
  step->a = node.inputs[0];
  step->b = node.inputs[1];
  step->y = node.outputs[0];
  if (node.has_input(2)) {
    step->c = node.inputs[2];
    step->c_strides = broadcast_strides(graph.value(step->c).shape, ys);
  }
  return Lowered{std::move(step)};
}

// Batch dims of a MatMul operand: every batch matrix (stride M*K) when they match the output's, one
// broadcast matrix (stride 0) when there is a single one; nullopt for partial broadcasting.
std::optional<int64_t> batch_stride(const Shape& operand, const Shape& out, int64_t matrix) {
  const int64_t batch = shape_numel(std::span(operand).first(operand.size() - 2));
  if (batch == 1) return 0;
  const std::span<const int64_t> out_batch = std::span(out).first(out.size() - 2);
  const std::span<const int64_t> own = std::span(operand).first(operand.size() - 2);
  if (own.size() != out_batch.size() || !std::equal(own.begin(), own.end(), out_batch.begin())) return std::nullopt;
  return matrix;
}

std::optional<Lowered> lower_matmul(const Graph& graph, const Node& node) {
  if (!all_f32(graph, node.inputs) || !all_f32(graph, node.outputs)) return std::nullopt;
  const Shape& as = graph.value(node.inputs[0]).shape;
  const Shape& bs = graph.value(node.inputs[1]).shape;
  const Shape& ys = graph.value(node.outputs[0]).shape;
  if (as.size() < 2 || bs.size() < 2) return std::nullopt;
  auto step = make_step<GemmStep>(node);
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  step->a = node.inputs[0];
  step->b = node.inputs[1];
  step->y = node.outputs[0];
  step->n = static_cast<int>(n);
  step->k = static_cast<int>(k);
  if (bs.size() == 2) {  // one weight matrix: the batch of A folds into M
    step->m = static_cast<int>(shape_numel(as) / k);
    return Lowered{std::move(step)};
  }
  std::optional<int64_t> sa = batch_stride(as, ys, m * k), sb = batch_stride(bs, ys, k * n);
  if (!sa || !sb) return std::nullopt;
  step->m = static_cast<int>(m);
  step->batch = static_cast<int>(shape_numel(std::span(ys).first(ys.size() - 2)));
  step->stride_a = *sa;
  step->stride_b = *sb;
  return Lowered{std::move(step)};
}

}  // namespace

void register_matmul_lowerings(LoweringTable& table) {
  table[static_cast<size_t>(OpKind::Gemm)] = lower_gemm;
  table[static_cast<size_t>(OpKind::MatMul)] = lower_matmul;
}

}  // namespace es::cuda
