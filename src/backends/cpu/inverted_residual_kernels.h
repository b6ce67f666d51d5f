// AVX-512 kernels for fused inverted residual blocks (expand 1x1 -> depthwise 3x3 -> project 1x1, as in
// MobileNetV2), on channels-last (NHWC) rows. oneDNN runs each of the three convolutions over the whole image,
// so the expanded tensor (6x the block's input) goes out to memory and back twice; these kernels let one
// thread carry a few image rows through all three layers while they sit in its L2 cache.
//
// Only for f32 on CPUs with AVX-512F (supported()); the lowering falls back to oneDNN elsewhere.
#pragma once

#include "backends/cpu/aligned_floats.h"

#include <array>
#include <cstdint>
#include <limits>

namespace es::cpu::irb {

bool supported();

// The activations a block's layers may end in: none, Relu and Clip are all a clamp.
struct Clamp {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
};

// A 1x1 convolution's weights in 16-column panels: panels[(p * in_channels + k) * 16 + j] is the weight
// from input channel k to output channel 16 p + j (zero past out_channels), so a kernel reads one
// contiguous 64-byte vector per input channel and panel.
struct PackedPointwise {
  int64_t in_channels = 0, out_channels = 0;
  AlignedFloats panels;
  AlignedFloats bias;  // out_channels rounded up to 16, zero-padded
};
// `weights` is ONNX's [out][in] (the 1x1 kernel dims dropped); `bias` may be null.
PackedPointwise pack_pointwise(const float* weights, const float* bias, int64_t out_channels, int64_t in_channels);

// A 3x3 depthwise convolution: taps[(ky * 3 + kx) * padded + c], padded = channels rounded up to 16.
struct PackedDepthwise {
  int64_t channels = 0, padded = 0;
  AlignedFloats taps;
  AlignedFloats bias;
};
// `weights` is ONNX's [channels][1][3][3]; `bias` may be null.
PackedDepthwise pack_depthwise(const float* weights, const float* bias, int64_t channels);

// c[m][:] = clamp(a[m][:] * W + bias (+ residual[m][:])) for m < rows: `a` has `lda` floats per row,
// `residual` (optional) `ldr`, `c` `ldc`.
void pointwise_rows(const float* a, int64_t rows, int64_t lda, const PackedPointwise& w, Clamp clamp,
                    const float* residual, int64_t ldr, float* c, int64_t ldc);

// One output row of a 3x3 depthwise convolution with padding 1 on each side: `rows` are the input rows
// above, at and below the output row's centre (nullptr where outside the image; padding is zero), each
// `in_width` pixels of w.channels floats. Writes out_width pixels to `out`.
void depthwise_row(const std::array<const float*, 3>& rows, int64_t in_width, int64_t stride, int64_t out_width,
                   const PackedDepthwise& w, Clamp clamp, float* out);

}  // namespace es::cpu::irb
