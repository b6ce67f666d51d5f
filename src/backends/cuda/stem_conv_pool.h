// The stem of the ResNet family in one kernel: a 7x7 stride-2 convolution of an image with at most 4
// channels into 64 channels, its bias and ReLU, and the 3x3 stride-2 MaxPool after it, in FP16 on tensor
// cores. Layer by layer the 64-channel convolution output (at batch 32, 51 MB at 112x112) is written once and
// read back by the pool; here it stays in shared memory and only the pooled quarter reaches DRAM, and the
// image is read as it lies (NCHW, f32 or f16) without a packing copy in front.
#pragma once

#include "backends/cuda/kernels.h"

namespace es::cuda {

inline constexpr int kStemChannelsIn = 4;    // image channels at most (padded to 4 with zeros)
inline constexpr int kStemChannelsOut = 64;
inline constexpr int kStemKernel = 7;
inline constexpr int kStemTapsPerRow = 8;    // a filter row's 7 taps padded to 8 (zeros)
// Filter elements per output channel as the kernel reads them: [kh][kw padded to 8][c padded to 4].
inline constexpr int kStemFilterSpan = kStemKernel * kStemTapsPerRow * kStemChannelsIn;

struct StemConvPool {
  bool x_half = false;   // the image is f16 (else f32)
  Strides x_strides;     // of the image's logical [n, c, h, w]
  bool relu = true;
  int64_t n = 0, c = 0, h = 0, w = 0;  // image (c <= kStemChannelsIn)
  int64_t conv_h = 0, conv_w = 0;      // convolution output: (h + 6 - 7) / 2 + 1 (padding 3, stride 2)
  int64_t pool_h = 0, pool_w = 0;      // pooled output: (conv + 2 - 3) / 2 + 1 (padding 1, stride 2)
};

// y (f16, NHWC [n, pool_h, pool_w, 64]) = MaxPool3x3s2p1(act(conv7x7s2p3(x) + bias)), filters f16 in
// [64][kStemFilterSpan] order (zeros in the padding), bias f32 [64]. `sm_count`: the GPU's multiprocessors.
void launch_stem_conv_pool(cudaStream_t s, const StemConvPool& p, const void* x, const void* filters,
                           const float* bias, void* y, int sm_count);

}  // namespace es::cuda
