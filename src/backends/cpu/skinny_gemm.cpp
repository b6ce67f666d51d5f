#include "backends/cpu/skinny_gemm.h"

#include "base/assert.h"

// GCC 12's masked-store intrinsics trip its own -Wuninitialized once inlined (see inverted_residual_kernels.cpp).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <omp.h>

#include <algorithm>

namespace es::cpu {

namespace {

constexpr int kVectors = kSkinnyGemmPanel / 16;

// ROWS rows of y over one panel of 64 columns: four accumulators per row, W's panel read once for all rows.
template <int ROWS>
__attribute__((target("avx512f"))) void panel_product(const float* x, int64_t depth, const float* panel,
                                                      const float* bias, float* y, int64_t columns, int64_t valid) {
  __m512 acc[ROWS][kVectors];
  for (int v = 0; v < kVectors; ++v) {
    const __m512 b = _mm512_load_ps(bias + v * 16);
    for (int r = 0; r < ROWS; ++r) acc[r][v] = b;
  }
  for (int64_t k = 0; k < depth; ++k) {
    __m512 w[kVectors];
    for (int v = 0; v < kVectors; ++v) w[v] = _mm512_load_ps(panel + k * kSkinnyGemmPanel + v * 16);
    for (int r = 0; r < ROWS; ++r) {
      const __m512 xr = _mm512_set1_ps(x[r * depth + k]);
      for (int v = 0; v < kVectors; ++v) acc[r][v] = _mm512_fmadd_ps(xr, w[v], acc[r][v]);
    }
  }
  for (int v = 0; v < kVectors; ++v) {
    const int64_t lanes = std::clamp<int64_t>(valid - v * 16, 0, 16);
    const __mmask16 mask = static_cast<__mmask16>((1u << lanes) - 1u);
    for (int r = 0; r < ROWS; ++r) _mm512_mask_storeu_ps(y + r * columns + v * 16, mask, acc[r][v]);
  }
}

using PanelFn = void (*)(const float*, int64_t, const float*, const float*, float*, int64_t, int64_t);
constexpr PanelFn kPanelProducts[kSkinnyGemmMaxRows] = {&panel_product<1>, &panel_product<2>, &panel_product<3>,
                                                        &panel_product<4>};

}  // namespace

bool SkinnyGemmStep::supported() { return __builtin_cpu_supports("avx512f"); }

SkinnyGemmStep::SkinnyGemmStep(SkinnyGemmWeights weights, int64_t rows, SlotId input, SlotId output, int threads)
    : w_(std::move(weights)), rows_(rows), input_(input), output_(output), threads_(threads) {
  ES_ASSERT(rows >= 1 && rows <= kSkinnyGemmMaxRows);
  reads.push_back(input);
  writes.push_back(output);
  constant_bytes = (w_.panels.size() + w_.bias.size()) * sizeof(float);
}

void SkinnyGemmStep::bind(const Storage& storage) {
  x_ = static_cast<const float*>(storage.data(input_));
  y_ = static_cast<float*>(storage.data(output_));
}

Status SkinnyGemmStep::run(dnnl::stream&) {
  const int64_t panels = (w_.columns + kSkinnyGemmPanel - 1) / kSkinnyGemmPanel;
  const PanelFn product = kPanelProducts[rows_ - 1];
  // Each thread streams a contiguous run of panels: its share of W is one sequential read.
#pragma omp parallel for num_threads(threads_) schedule(static)
  for (int64_t p = 0; p < panels; ++p) {
    const int64_t first = p * kSkinnyGemmPanel;
    product(x_, w_.depth, w_.panels.data() + p * w_.depth * kSkinnyGemmPanel, w_.bias.data() + first, y_ + first,
            w_.columns, w_.columns - first);
  }
  return Status::ok_status();
}

}  // namespace es::cpu
