// A 1x1, stride-1 convolution in NHWC as one cuBLASLt matrix product with its epilogue fused:
// Y[rows, K] = act(X[rows, C] W[K, C]^T + sum + bias[K]), the residual `sum` read as cuBLASLt's C with
// beta = 1 and the bias (and ReLU) applied by CUBLASLT_EPILOGUE_BIAS / RELU_BIAS, so Y is written once.
// cuBLASLt's epilogues know ReLU and GELU only: any other activation is left to the caller
// (fuses_activation() false), which applies it to Y afterwards.
#pragma once

#include "backends/cuda/program.h"

namespace es::cuda {

struct EpilogueGemmShape {
  int rows = 0, c = 0, k = 0;  // rows = N*H*W
  bool half = false;           // f16 operands and output (f32 accumulation); else f32
  bool bias = false, sum = false;
  Unary act = Unary::identity;
};

class EpilogueGemm {
 public:
  EpilogueGemm() = default;
  EpilogueGemm(const EpilogueGemm&) = delete;
  EpilogueGemm& operator=(const EpilogueGemm&) = delete;
  ~EpilogueGemm();

  // Descriptors and the fastest of cuBLASLt's heuristic candidates for these buffers (their alignment counts;
  // each timed on them, which writes y), within ctx's shared workspace; the bytes it uses go to
  // `workspace_bytes`. `bias` may be null.
  Status prepare(const Context& ctx, const EpilogueGemmShape& shape, const void* x, const void* w, const void* bias,
                 const void* sum, void* y, size_t& workspace_bytes);
  // `sum` is null without a residual.
  Status run(const Context& ctx, const void* x, const void* w, const void* sum, void* y) const;
  bool fuses_activation() const { return fuses_activation_; }

 private:
  cublasLtMatmulDesc_t op_ = nullptr;
  cublasLtMatrixLayout_t w_layout_ = nullptr, x_layout_ = nullptr, y_layout_ = nullptr;
  cublasLtMatmulAlgo_t algo_{};
  size_t workspace_bytes_ = 0;
  float beta_ = 0;
  bool fuses_activation_ = false;
};

}  // namespace es::cuda
