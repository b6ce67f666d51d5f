#include "backends/cpu/inverted_residual_kernels.h"

// GCC 12's _mm512_max_ps/_mm512_min_ps pass _mm512_undefined_ps() as the unused merge source, which its own
// -Wuninitialized flags once inlined here.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>

// The file is compiled for the baseline ISA; only the functions marked kAvx512 use AVX-512, and callers
// check supported() first. (Compiling the whole file with -mavx512f would let the linker pick its copies of
// inline library functions for the rest of the program.)
#define ES_AVX512 __attribute__((target("avx512f")))

namespace es::cpu::irb {

namespace {

constexpr int64_t kLanes = 16;

int64_t round_up_to_lanes(int64_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

// Lanes [0, n) of a vector, n in [1, 16].
__mmask16 first_lanes(int64_t n) { return static_cast<__mmask16>((1u << std::min<int64_t>(n, kLanes)) - 1u); }

// A tile of MR rows by NV vectors of 16 output channels, accumulated in registers over all input channels.
// The last vector stores only `last_mask`'s lanes (the tail of out_channels).
template <int MR, int NV>
ES_AVX512 void pointwise_tile(const float* a, int64_t lda, const float* panel, int64_t panel_floats, int64_t depth,
                              const float* bias, Clamp clamp, const float* residual, int64_t ldr, float* c,
                              int64_t ldc, __mmask16 last_mask) {
  __m512 acc[MR][NV];
  for (int v = 0; v < NV; ++v) {
    const __m512 b = _mm512_loadu_ps(bias + v * kLanes);
    for (int i = 0; i < MR; ++i) acc[i][v] = b;
  }
  for (int64_t k = 0; k < depth; ++k) {
    __m512 w[NV];
    for (int v = 0; v < NV; ++v) w[v] = _mm512_loadu_ps(panel + v * panel_floats + k * kLanes);
    for (int i = 0; i < MR; ++i) {
      const __m512 x = _mm512_set1_ps(a[i * lda + k]);
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(x, w[v], acc[i][v]);
    }
  }
  const __m512 lo = _mm512_set1_ps(clamp.lo), hi = _mm512_set1_ps(clamp.hi);
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) {
      const __mmask16 mask = v == NV - 1 ? last_mask : __mmask16(0xFFFF);
      __m512 y = acc[i][v];
      if (residual) y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(mask, residual + i * ldr + v * kLanes));
      y = _mm512_min_ps(_mm512_max_ps(y, lo), hi);
      _mm512_mask_storeu_ps(c + i * ldc + v * kLanes, mask, y);
    }
}

using TileFn = void (*)(const float*, int64_t, const float*, int64_t, int64_t, const float*, Clamp, const float*,
                        int64_t, float*, int64_t, __mmask16);

// Eight rows by two vectors: 16 accumulators keep both FMA pipes busy (latency 4) and leave registers
// for the two weight vectors and the broadcast.
constexpr int kTileRows = 8;
constexpr int kTileVectors = 2;

template <int... MR>
constexpr std::array<std::array<TileFn, kTileVectors>, sizeof...(MR)> make_tile_table(
    std::integer_sequence<int, MR...>) {
  return {{{&pointwise_tile<MR + 1, 1>, &pointwise_tile<MR + 1, 2>}...}};
}
constexpr auto kTiles = make_tile_table(std::make_integer_sequence<int, kTileRows>{});


ES_AVX512 inline void store_clamped(float* out, __mmask16 mask, __m512 value, __m512 lo, __m512 hi) {
  _mm512_mask_storeu_ps(out, mask, _mm512_min_ps(_mm512_max_ps(value, lo), hi));
}

// One pixel of one channel block: the sum over the rows and columns present (kChecked: test each column
// against the row's ends), one partial sum per kernel row so the FMAs do not wait on each other.
template <bool kChecked>
ES_AVX512 inline __m512 depthwise_pixel(const std::array<const float*, 3>& rows, int64_t in_width, int64_t channels,
                                        int64_t left, const __m512 (&taps)[9], __m512 bias, __mmask16 mask,
                                        int64_t c0) {
  __m512 partial[3] = {bias, _mm512_setzero_ps(), _mm512_setzero_ps()};
  for (int ky = 0; ky < 3; ++ky) {
    const float* row = rows[static_cast<size_t>(ky)];
    if (!row) continue;
    for (int kx = 0; kx < 3; ++kx) {
      const int64_t ix = left + kx;
      if (kChecked && (ix < 0 || ix >= in_width)) continue;
      partial[ky] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, row + ix * channels + c0), taps[ky * 3 + kx], partial[ky]);
    }
  }
  return _mm512_add_ps(_mm512_add_ps(partial[0], partial[1]), partial[2]);
}

// One block of 16 channels across the output row; its nine taps stay in registers.
ES_AVX512 void depthwise_channel_block(const std::array<const float*, 3>& rows, int64_t in_width, int64_t stride,
                                       int64_t out_width, int64_t inner_begin, int64_t inner_end,
                                       const PackedDepthwise& w, Clamp clamp, int64_t c0, float* out) {
  const int64_t channels = w.channels;
  const __mmask16 mask = first_lanes(channels - c0);
  const __m512 lo = _mm512_set1_ps(clamp.lo), hi = _mm512_set1_ps(clamp.hi);
  __m512 taps[9];
  for (int t = 0; t < 9; ++t) taps[t] = _mm512_loadu_ps(w.taps.data() + t * w.padded + c0);
  const __m512 bias = _mm512_loadu_ps(w.bias.data() + c0);
  for (int64_t ox = 0; ox < inner_begin; ++ox)
    store_clamped(out + ox * channels + c0, mask,
                  depthwise_pixel<true>(rows, in_width, channels, ox * stride - 1, taps, bias, mask, c0), lo, hi);
  for (int64_t ox = inner_begin; ox < inner_end; ++ox)
    store_clamped(out + ox * channels + c0, mask,
                  depthwise_pixel<false>(rows, in_width, channels, ox * stride - 1, taps, bias, mask, c0), lo, hi);
  for (int64_t ox = inner_end; ox < out_width; ++ox)
    store_clamped(out + ox * channels + c0, mask,
                  depthwise_pixel<true>(rows, in_width, channels, ox * stride - 1, taps, bias, mask, c0), lo, hi);
}
}  // namespace

bool supported() { return __builtin_cpu_supports("avx512f"); }

PackedPointwise pack_pointwise(const float* weights, const float* bias, int64_t out_channels, int64_t in_channels) {
  PackedPointwise p;
  p.in_channels = in_channels;
  p.out_channels = out_channels;
  const int64_t padded = round_up_to_lanes(out_channels);
  p.panels.assign(static_cast<size_t>(padded * in_channels), 0.0f);
  p.bias.assign(static_cast<size_t>(padded), 0.0f);
  for (int64_t o = 0; o < out_channels; ++o) {
    const int64_t panel = o / kLanes, lane = o % kLanes;
    for (int64_t k = 0; k < in_channels; ++k)
      p.panels[static_cast<size_t>((panel * in_channels + k) * kLanes + lane)] = weights[o * in_channels + k];
    if (bias) p.bias[static_cast<size_t>(o)] = bias[o];
  }
  return p;
}

PackedDepthwise pack_depthwise(const float* weights, const float* bias, int64_t channels) {
  PackedDepthwise p;
  p.channels = channels;
  p.padded = round_up_to_lanes(channels);
  p.taps.assign(static_cast<size_t>(9 * p.padded), 0.0f);
  p.bias.assign(static_cast<size_t>(p.padded), 0.0f);
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t t = 0; t < 9; ++t) p.taps[static_cast<size_t>(t * p.padded + c)] = weights[c * 9 + t];
    if (bias) p.bias[static_cast<size_t>(c)] = bias[c];
  }
  return p;
}

void pointwise_rows(const float* a, int64_t rows, int64_t lda, const PackedPointwise& w, Clamp clamp,
                    const float* residual, int64_t ldr, float* c, int64_t ldc) {
  const int64_t depth = w.in_channels, panel_floats = depth * kLanes;
  // Panels outside, rows inside: a pair of panels (depth x 32 floats) stays in L1 while the rows stream by.
  for (int64_t n0 = 0; n0 < w.out_channels; n0 += kTileVectors * kLanes) {
    const int64_t columns = std::min<int64_t>(kTileVectors * kLanes, w.out_channels - n0);
    const int64_t vectors = (columns + kLanes - 1) / kLanes;
    const __mmask16 last_mask = first_lanes(columns - (vectors - 1) * kLanes);
    const float* panel = w.panels.data() + (n0 / kLanes) * panel_floats;
    for (int64_t m0 = 0; m0 < rows; m0 += kTileRows) {
      const int64_t tile_rows = std::min<int64_t>(kTileRows, rows - m0);
      kTiles[static_cast<size_t>(tile_rows - 1)][static_cast<size_t>(vectors - 1)](
          a + m0 * lda, lda, panel, panel_floats, depth, w.bias.data() + n0, clamp,
          residual ? residual + m0 * ldr + n0 : nullptr, ldr, c + m0 * ldc + n0, ldc, last_mask);
    }
  }
}

void depthwise_row(const std::array<const float*, 3>& rows, int64_t in_width, int64_t stride, int64_t out_width,
                   const PackedDepthwise& w, Clamp clamp, float* out) {
  // Output pixels whose three input columns are all inside the row take the unchecked path.
  const int64_t inner_begin = std::min<int64_t>(1, out_width);  // ox = 0 reads column -1
  const int64_t inner_end = std::max<int64_t>(inner_begin, std::min<int64_t>(out_width, (in_width - 2) / stride + 1));
  for (int64_t c0 = 0; c0 < w.channels; c0 += kLanes)
    depthwise_channel_block(rows, in_width, stride, out_width, inner_begin, inner_end, w, clamp, c0, out);
}

}  // namespace es::cpu::irb
