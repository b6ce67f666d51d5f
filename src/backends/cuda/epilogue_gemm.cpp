#include "backends/cuda/epilogue_gemm.h"

#include "backends/cuda/step_timing.h"
#include "base/log.h"

#include <cstdint>
#include <limits>
#include <memory>

namespace es::cuda {

namespace {

// The largest power of two up to 256 that divides the address: cuBLASLt's heuristic otherwise assumes
// 256-byte alignment, and a view into the arena may start at less.
uint32_t alignment_of(const void* p) {
  const auto address = reinterpret_cast<uintptr_t>(p);
  uint32_t a = 256;
  while (a > 1 && address % a != 0) a /= 2;
  return a;
}

template <typename T>
Status set(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr, const T& value) {
  ES_CUDA_TRY(cublasLtMatmulDescSetAttribute(desc, attr, &value, sizeof(value)));
  return Status::ok_status();
}

template <typename T>
Status set(cublasLtMatmulPreference_t pref, cublasLtMatmulPreferenceAttributes_t attr, const T& value) {
  ES_CUDA_TRY(cublasLtMatmulPreferenceSetAttribute(pref, attr, &value, sizeof(value)));
  return Status::ok_status();
}

}  // namespace

EpilogueGemm::~EpilogueGemm() {
  // Descriptor teardown has nothing to report to: the codes are ignored on purpose.
  if (op_) cublasLtMatmulDescDestroy(op_);
  for (cublasLtMatrixLayout_t l : {w_layout_, x_layout_, y_layout_})
    if (l) cublasLtMatrixLayoutDestroy(l);
}

Status EpilogueGemm::prepare(const Context& ctx, const EpilogueGemmShape& s, const void* x, const void* w,
                             const void* bias, const void* sum, void* y, size_t& workspace_bytes) {
  // Column-major view of the row-major product: Y^T[K, rows] = W^T(op T of the stored [C, K]) X^T[C, rows].
  // FP16: f16 operands with f32 accumulation and f32 scales; f32 data keeps full FMA math unless TF32 is allowed.
  const cudaDataType_t type = s.half ? CUDA_R_16F : CUDA_R_32F;
  const cublasComputeType_t compute = !s.half && ctx.tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  ES_CUDA_TRY(cublasLtMatmulDescCreate(&op_, compute, CUDA_R_32F));
  ES_TRY(set(op_, CUBLASLT_MATMUL_DESC_TRANSA, static_cast<int32_t>(CUBLAS_OP_T)));
  ES_CUDA_TRY(cublasLtMatrixLayoutCreate(&w_layout_, type, s.c, s.k, s.c));
  ES_CUDA_TRY(cublasLtMatrixLayoutCreate(&x_layout_, type, s.c, s.rows, s.c));
  ES_CUDA_TRY(cublasLtMatrixLayoutCreate(&y_layout_, type, s.k, s.rows, s.k));

  // Bias (the bias vector runs along D's rows, the output channels here) and ReLU in the epilogue; the
  // residual enters as C (beta = 1), added before them: D = act(A B + C + bias).
  const bool relu = s.act == Unary::relu;
  fuses_activation_ = relu || s.act == Unary::identity;
  cublasLtEpilogue_t epilogue = relu ? CUBLASLT_EPILOGUE_RELU : CUBLASLT_EPILOGUE_DEFAULT;
  if (s.bias) {
    epilogue = relu ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
    ES_TRY(set(op_, CUBLASLT_MATMUL_DESC_BIAS_POINTER, bias));  // same element type as D
  }
  ES_TRY(set(op_, CUBLASLT_MATMUL_DESC_EPILOGUE, static_cast<uint32_t>(epilogue)));
  beta_ = s.sum ? 1.f : 0.f;

  cublasLtMatmulPreference_t raw = nullptr;
  ES_CUDA_TRY(cublasLtMatmulPreferenceCreate(&raw));
  const std::unique_ptr<cublasLtMatmulPreferenceOpaque_t, decltype(&cublasLtMatmulPreferenceDestroy)> pref(
      raw, cublasLtMatmulPreferenceDestroy);
  ES_TRY(set(raw, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, static_cast<uint64_t>(ctx.workspace_bytes)));
  ES_TRY(set(raw, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, alignment_of(w)));
  ES_TRY(set(raw, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, alignment_of(x)));
  ES_TRY(set(raw, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, alignment_of(s.sum ? sum : y)));
  ES_TRY(set(raw, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, alignment_of(y)));
  // cuBLASLt's heuristic ranks its candidates by a model; for the small products of batch 1 its first one is
  // often not the fastest, so up to kCandidates are timed on the real buffers and the fastest kept.
  constexpr int kCandidates = 8;
  cublasLtMatmulHeuristicResult_t candidates[kCandidates] = {};
  int found = 0;
  ES_CUDA_TRY(cublasLtMatmulAlgoGetHeuristic(ctx.cublaslt, op_, w_layout_, x_layout_, y_layout_, y_layout_, raw,
                                             kCandidates, candidates, &found));
  int best = -1;
  float best_ms = std::numeric_limits<float>::infinity(), first_ms = best_ms;
  for (int i = 0; i < found; ++i) {
    if (candidates[i].state != CUBLAS_STATUS_SUCCESS) continue;
    algo_ = candidates[i].algo;
    workspace_bytes_ = candidates[i].workspaceSize;
    if (found == 1) {
      best = i;
      break;
    }
    const Result<float> ms = time_enqueued(ctx, [&] { return run(ctx, x, w, sum, y); });
    if (!ms.ok()) continue;  // a candidate that does not run is no candidate
    if (best < 0) first_ms = *ms;
    if (*ms < best_ms) {
      best_ms = *ms;
      best = i;
    }
  }
  if (best < 0)
    return error(StatusCode::unsupported, "cuBLASLt has no algorithm for a [{}, {}] x [{}, {}] product", s.rows, s.c,
                 s.c, s.k);
  log::debug("cuBLASLt [{}, {}] x [{}, {}]: {} candidates, the heuristic's first {:.4f} ms, candidate {} {:.4f} ms",
             s.rows, s.c, s.c, s.k, found, first_ms, best, best_ms);
  algo_ = candidates[best].algo;
  workspace_bytes_ = candidates[best].workspaceSize;
  workspace_bytes = workspace_bytes_;
  return Status::ok_status();
}

Status EpilogueGemm::run(const Context& ctx, const void* x, const void* w, const void* sum, void* y) const {
  const float one = 1.f;
  ES_CUDA_TRY(cublasLtMatmul(ctx.cublaslt, op_, &one, w, w_layout_, x, x_layout_, &beta_, sum ? sum : y, y_layout_, y,
                             y_layout_, &algo_, ctx.workspace, workspace_bytes_, ctx.stream));
  return Status::ok_status();
}

}  // namespace es::cuda
