// One block per 7x7 tile of pooled outputs at a time (persistent blocks, two per multiprocessor): it stages the
// 35x40 image window the tile needs in shared memory, computes the 15x15 convolution outputs the pool windows
// cover (15 rows of 16 as tensor-core matrix products, mma.sync m16n8k16 with f32 accumulators), adds bias
// and ReLU in registers, pools from shared memory and writes 7x7x64 f16 values. The filter (64 x 224 f16) is
// loaded once per block.
//
// The image window is stored [row][col][c padded to 4] in f16, so the 7 taps of one filter row over 4
// channels are 28 consecutive halves (32 with the eighth, zero-weighted tap), and the convolution outputs
// along a row start 8 halves apart (stride 2 x 4 channels): the 16 x 16 input fragment of 16 outputs is one
// ldmatrix of 16 rows 16 bytes apart, with no im2col copy.
#include "backends/cuda/stem_conv_pool.h"

#include <cuda_fp16.h>

#include <algorithm>

namespace es::cuda {

namespace {

constexpr int kPoolTile = 7;                                   // pooled outputs per tile side
constexpr int kConvRows = 2 * kPoolTile + 1;                   // convolution rows the tile's windows cover
constexpr int kConvCols = 16;                                  // one matrix fragment's rows; 15 are used
constexpr int kImageRows = 2 * (kConvRows - 1) + kStemKernel;  // 35
constexpr int kImageCols = 40;  // 2 * (16 - 1) + 8 = 38 read, rounded up to keep rows 32-byte aligned
constexpr int kImageLd = kImageCols * kStemChannelsIn;
// Row pitches padded by 16 bytes, so that the 8 rows an ldmatrix or a fragment's store touches fall in 8
// different 16-byte bank groups.
constexpr int kFilterLd = kStemFilterSpan + 8;  // 232 halves
constexpr int kConvLd = kStemChannelsOut + 8;   // 72 halves per convolution output
constexpr int kWarps = 8;
constexpr int kThreads = kWarps * 32;
constexpr int kRowsPerWarp = (kConvRows + kWarps - 1) / kWarps;  // warp w computes rows w and w + 8
constexpr int kChannelTiles = kStemChannelsOut / 8;              // n8 tiles of mma.m16n8k16
constexpr int kImageLoads = (kImageRows * kImageCols + kThreads - 1) / kThreads;

constexpr int kFilterBytes = kStemChannelsOut * kFilterLd * 2;
constexpr int kImageBytes = (kImageRows * kImageLd * 2 + 127) / 128 * 128;
constexpr int kConvBytes = (kConvRows * kConvCols * kConvLd * 2 + 127) / 128 * 128;
constexpr int kImageOffset = kFilterBytes;
constexpr int kConvOffset = kImageOffset + kImageBytes;
constexpr int kBiasOffset = kConvOffset + kConvBytes;
constexpr int kSharedBytes = kBiasOffset + kStemChannelsOut * 4;
static_assert(kFilterBytes % 128 == 0, "shared arrays stay 128-byte aligned");

__device__ __half to_half(float v) { return __float2half(v); }
__device__ __half to_half(__half v) { return v; }

__device__ uint32_t shared_address(const void* p) { return static_cast<uint32_t>(__cvta_generic_to_shared(p)); }

// Four 8x8 f16 matrices; lane l gives the address of row l % 8 of matrix l / 8.
__device__ void ldmatrix_x4(uint32_t (&r)[4], const __half* row) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_address(row)));
}

// d += a (16x16, row-major) x b (16x8, column-major), f32 accumulators.
__device__ void mma_16x8x16(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

template <typename T>
__global__ void __launch_bounds__(kThreads, 2)
    stem_conv_pool_kernel(StemConvPool p, const T* __restrict__ x, const __half* __restrict__ filters,
                          const float* __restrict__ bias, __half* __restrict__ y) {
  extern __shared__ __align__(128) unsigned char smem[];
  __half* filter_s = reinterpret_cast<__half*>(smem);
  __half* image_s = reinterpret_cast<__half*>(smem + kImageOffset);
  __half* conv_s = reinterpret_cast<__half*>(smem + kConvOffset);
  float* bias_s = reinterpret_cast<float*>(smem + kBiasOffset);
  const int tid = static_cast<int>(threadIdx.x), warp = tid / 32, lane = tid % 32;

  constexpr int kFilterVectors = kStemFilterSpan / 8;  // 16-byte vectors per filter row
  for (int i = tid; i < kStemChannelsOut * kFilterVectors; i += kThreads)
    reinterpret_cast<uint4*>(filter_s + (i / kFilterVectors) * kFilterLd)[i % kFilterVectors] =
        reinterpret_cast<const uint4*>(filters)[i];
  if (tid < kStemChannelsOut) bias_s[tid] = bias[tid];

  const int tiles_h = static_cast<int>((p.pool_h + kPoolTile - 1) / kPoolTile);
  const int tiles_w = static_cast<int>((p.pool_w + kPoolTile - 1) / kPoolTile);
  const int64_t tiles = p.n * tiles_h * tiles_w;
  const __half2 lowest = __half2half2(__ushort_as_half(0xFC00));  // -inf
  for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const int64_t b = tile / (tiles_h * tiles_w);
    const int py0 = static_cast<int>(tile / tiles_w % tiles_h) * kPoolTile;
    const int px0 = static_cast<int>(tile % tiles_w) * kPoolTile;
    // Convolution row 2*py0 - 1 is the tile's first; its first tap reads image row 2 * that - 3.
    const int iy0 = 4 * py0 - 5, ix0 = 4 * px0 - 5;

    // All of a thread's loads are issued before any is stored: one memory latency per tile, not six.
    T raw[kImageLoads][kStemChannelsIn];
#pragma unroll
    for (int j = 0; j < kImageLoads; ++j) {
      const int i = tid + j * kThreads, iy = iy0 + i / kImageCols, ix = ix0 + i % kImageCols;
      const bool inside = i < kImageRows * kImageCols && iy >= 0 && iy < p.h && ix >= 0 && ix < p.w;
      const T* pixel = x + b * p.x_strides.step[0] + iy * p.x_strides.step[2] + ix * p.x_strides.step[3];
#pragma unroll
      for (int c = 0; c < kStemChannelsIn; ++c) raw[j][c] = inside && c < p.c ? pixel[c * p.x_strides.step[1]] : T(0.0f);
    }
    __syncthreads();  // the previous tile's pooling is done with conv_s and image_s (and the filter is in place)
#pragma unroll
    for (int j = 0; j < kImageLoads; ++j) {
      const int i = tid + j * kThreads;
      if (i >= kImageRows * kImageCols) continue;
      __half2 v[2] = {__halves2half2(to_half(raw[j][0]), to_half(raw[j][1])),
                      __halves2half2(to_half(raw[j][2]), to_half(raw[j][3]))};
      *reinterpret_cast<uint2*>(image_s + i * kStemChannelsIn) = *reinterpret_cast<const uint2*>(v);
    }
    __syncthreads();

    float acc[kRowsPerWarp][kChannelTiles][4] = {};
#pragma unroll 1
    for (int k0 = 0; k0 < kStemFilterSpan; k0 += 16) {
      const int kh = k0 / (kStemTapsPerRow * kStemChannelsIn), within = k0 % (kStemTapsPerRow * kStemChannelsIn);
      // Filter fragments: lanes 0-7 address channels 0-7 at k0, 8-15 the same at k0 + 8, 16-31 channels 8-15.
      uint32_t w[kChannelTiles / 2][4];
#pragma unroll
      for (int pair = 0; pair < kChannelTiles / 2; ++pair)
        ldmatrix_x4(w[pair], filter_s + (pair * 16 + (lane / 16) * 8 + lane % 8) * kFilterLd + k0 + (lane / 8) % 2 * 8);
#pragma unroll
      for (int m = 0; m < kRowsPerWarp; ++m) {
        const int row = warp + m * kWarps;
        if (row >= kConvRows) continue;
        // Lane l addresses output column l % 16 at reduction offset (l / 16) * 8.
        uint32_t a[4];
        ldmatrix_x4(a, image_s + (2 * row + kh) * kImageLd + within + (lane % 16) * 2 * kStemChannelsIn + (lane / 16) * 8);
#pragma unroll
        for (int n = 0; n < kChannelTiles; ++n) mma_16x8x16(acc[m][n], a, w[n / 2][n % 2 * 2], w[n / 2][n % 2 * 2 + 1]);
      }
    }

    // Accumulator layout of m16n8: lane holds columns (lane % 4) * 2 + {0, 1} of rows lane / 4 and lane / 4 + 8.
#pragma unroll
    for (int m = 0; m < kRowsPerWarp; ++m) {
      const int row = warp + m * kWarps;
      if (row >= kConvRows) continue;
#pragma unroll
      for (int n = 0; n < kChannelTiles; ++n) {
        const int channel = n * 8 + lane % 4 * 2;
        const float b0 = bias_s[channel], b1 = bias_s[channel + 1];
#pragma unroll
        for (int half_rows = 0; half_rows < 2; ++half_rows) {
          float v0 = acc[m][n][half_rows * 2] + b0, v1 = acc[m][n][half_rows * 2 + 1] + b1;
          if (p.relu) v0 = fmaxf(v0, 0.0f), v1 = fmaxf(v1, 0.0f);
          const int col = lane / 4 + half_rows * 8;
          *reinterpret_cast<__half2*>(conv_s + (row * kConvCols + col) * kConvLd + channel) = __floats2half2_rn(v0, v1);
        }
      }
    }
    __syncthreads();

    constexpr int kGroups = kStemChannelsOut / 8;  // 16-byte channel groups per pixel
    for (int i = tid; i < kPoolTile * kPoolTile * kGroups; i += kThreads) {
      const int group = i % kGroups, pixel = i / kGroups, py = pixel / kPoolTile, px = pixel % kPoolTile;
      const int gy = py0 + py, gx = px0 + px;
      if (gy >= p.pool_h || gx >= p.pool_w) continue;
      __half2 best[4] = {lowest, lowest, lowest, lowest};
      for (int dy = 0; dy < 3; ++dy) {
        const int cy = 2 * gy - 1 + dy;
        if (cy < 0 || cy >= p.conv_h) continue;
        for (int dx = 0; dx < 3; ++dx) {
          const int cx = 2 * gx - 1 + dx;
          if (cx < 0 || cx >= p.conv_w) continue;
          const uint4 v =
              *reinterpret_cast<const uint4*>(conv_s + ((2 * py + dy) * kConvCols + 2 * px + dx) * kConvLd + group * 8);
          const __half2* h = reinterpret_cast<const __half2*>(&v);
#pragma unroll
          for (int j = 0; j < 4; ++j) best[j] = __hmax2(best[j], h[j]);
        }
      }
      *reinterpret_cast<uint4*>(y + ((b * p.pool_h + gy) * p.pool_w + gx) * kStemChannelsOut + group * 8) =
          *reinterpret_cast<const uint4*>(best);
    }
  }
}

template <typename T>
void launch_typed(cudaStream_t s, const StemConvPool& p, const void* x, const void* filters, const float* bias,
                  void* y, int sm_count) {
  // Above 48 KB a kernel's dynamic shared memory must be allowed explicitly, once per kernel; where that
  // fails, so does the launch, and the caller's error check reports it.
  [[maybe_unused]] static const cudaError_t allowed =
      cudaFuncSetAttribute(stem_conv_pool_kernel<T>, cudaFuncAttributeMaxDynamicSharedMemorySize, kSharedBytes);
  const int64_t tiles = p.n * ((p.pool_h + kPoolTile - 1) / kPoolTile) * ((p.pool_w + kPoolTile - 1) / kPoolTile);
  const int blocks = static_cast<int>(std::min<int64_t>(tiles, 2 * static_cast<int64_t>(sm_count)));
  stem_conv_pool_kernel<T><<<blocks, kThreads, kSharedBytes, s>>>(p, static_cast<const T*>(x),
                                                                  static_cast<const __half*>(filters), bias,
                                                                  static_cast<__half*>(y));
}

}  // namespace

void launch_stem_conv_pool(cudaStream_t s, const StemConvPool& p, const void* x, const void* filters,
                           const float* bias, void* y, int sm_count) {
  if (p.x_half)
    launch_typed<__half>(s, p, x, filters, bias, y, sm_count);
  else
    launch_typed<float>(s, p, x, filters, bias, y, sm_count);
}

}  // namespace es::cuda
