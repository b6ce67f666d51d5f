// Matrix products with a few rows and constant weights (a classifier at batch 1-4: y = x W + b) as one step of
// edgescope's own. At batch 1 this is a matrix-vector product bound by reading W; oneDNN's matmul took 0.13 ms
// for MobileNetV2's 1280x1000 classifier on this project's 2-core AVX-512 machine, where streaming W from
// 64-column panels (each thread its own contiguous half) takes 0.04 ms.
//
// Only for f32 on CPUs with AVX-512F; lower_matmul.cpp falls back to oneDNN elsewhere.
#pragma once

#include "backends/cpu/aligned_floats.h"
#include "backends/cpu/program.h"

namespace es::cpu {

// Up to this many rows the product streams W once per row block; beyond it oneDNN's blocked GEMM reuses W better.
inline constexpr int64_t kSkinnyGemmMaxRows = 4;

// W (depth x columns) in panels of 64 columns: panels[(p * depth + k) * 64 + j] = W[k][64 p + j], zero past
// `columns`, with the bias likewise padded.
struct SkinnyGemmWeights {
  int64_t depth = 0, columns = 0;
  AlignedFloats panels;
  AlignedFloats bias;
};

// `weights(k, n)` gives W's element; `bias(n)` the bias (0 where there is none).
template <typename WeightAt, typename BiasAt>
SkinnyGemmWeights pack_skinny_gemm(int64_t depth, int64_t columns, WeightAt weights, BiasAt bias);

class SkinnyGemmStep final : public Step {
 public:
  // `input` (rows x depth) and `output` (rows x columns) are plain slots.
  SkinnyGemmStep(SkinnyGemmWeights weights, int64_t rows, SlotId input, SlotId output, int threads);

  void bind(const Storage& storage) override;
  Status run(dnnl::stream& stream) override;

  static bool supported();

 private:
  SkinnyGemmWeights w_;
  int64_t rows_;
  SlotId input_, output_;
  int threads_;
  const float* x_ = nullptr;
  float* y_ = nullptr;
};

inline constexpr int64_t kSkinnyGemmPanel = 64;

template <typename WeightAt, typename BiasAt>
SkinnyGemmWeights pack_skinny_gemm(int64_t depth, int64_t columns, WeightAt weights, BiasAt bias) {
  SkinnyGemmWeights w;
  w.depth = depth;
  w.columns = columns;
  const int64_t padded = (columns + kSkinnyGemmPanel - 1) / kSkinnyGemmPanel * kSkinnyGemmPanel;
  w.panels.assign(static_cast<size_t>(padded * depth), 0.0f);
  w.bias.assign(static_cast<size_t>(padded), 0.0f);
  for (int64_t n = 0; n < columns; ++n) {
    const int64_t panel = n / kSkinnyGemmPanel, lane = n % kSkinnyGemmPanel;
    for (int64_t k = 0; k < depth; ++k)
      w.panels[static_cast<size_t>((panel * depth + k) * kSkinnyGemmPanel + lane)] = weights(k, n);
    w.bias[static_cast<size_t>(n)] = bias(n);
  }
  return w;
}

}  // namespace es::cpu
