// The backend's own CUDA kernels (kernels.cu), as host launchers that enqueue on a stream. Floating-point
// tensors are f32, or f16 where a launcher takes `half` (--precision fp16 stores every f32 value as f16 and
// computes in f32 inside the kernels); shapes up to kMaxRank dimensions. Element-wise launchers run over
// the bytes as they lie; layout-aware ones (pools, resize, bias epilogue) take an NHWC flag.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <limits>

namespace es::cuda {

inline constexpr int kMaxRank = 6;

// Shapes and strides in elements, passed to kernels by value.
struct Dims {
  int rank = 0;
  int64_t size[kMaxRank] = {};
};
struct Strides {
  int64_t step[kMaxRank] = {};
};

// Element-wise functions: standalone activation/unary ops and the epilogue of convolutions.
enum class Unary : int {
  identity, relu, clip, leaky_relu, sigmoid, hard_sigmoid, hard_swish, tanh, elu, softplus,
  exp, log, sqrt, abs, neg, reciprocal, floor, ceil, erf, sin, cos, mish,
};
struct UnaryFn {
  Unary op = Unary::identity;
  float a = 0;  // Clip min, LeakyRelu/Elu/HardSigmoid alpha
  float b = 0;  // Clip max, HardSigmoid beta
};

enum class Binary : int { add, sub, mul, div, pow, max, min, prelu };
enum class Reduce : int { sum, mean, max, min };

void launch_unary(cudaStream_t s, bool half, UnaryFn fn, const void* x, void* y, int64_t n);
// y = op(a, b) with numpy broadcasting: `a_strides`/`b_strides` are over `out` (0 where broadcast); y is
// dense over `out`.
void launch_binary(cudaStream_t s, bool half, Binary op, const void* a, Strides a_strides, const void* b,
                   Strides b_strides, void* y, Dims out);
// y = fn(y + bias[channel] + sum) over [n, c, inner] (NCHW) or [n, inner, c] (nhwc); bias and sum may be null.
void launch_bias_act(cudaStream_t s, bool half, bool nhwc, void* y, const void* bias, const void* sum, UnaryFn fn,
                     int64_t n, int64_t c, int64_t inner);
// Strided copy that also converts between f32 and f16: dst[i . dst_strides] = src[i . src_strides] for
// every index i over `shape` (boundaries of --precision fp16 and layout changes).
void launch_convert(cudaStream_t s, const void* src, bool src_half, Strides src_strides, void* dst, bool dst_half,
                    Strides dst_strides, Dims shape);
// Strided copy of `elem_bytes`-sized elements (1, 2, 4, 8): for every index i over `shape`,
// dst[dst_offset + i . dst_strides] = src[src_offset + i . src_strides]. Transpose, Slice, Concat, Expand.
void launch_strided_copy(cudaStream_t s, int elem_bytes, const void* src, int64_t src_offset, Strides src_strides,
                         void* dst, int64_t dst_offset, Strides dst_strides, Dims shape);
// Reduces the middle dimension of [outer, r, inner] into [outer, inner].
void launch_reduce(cudaStream_t s, bool half, Reduce op, const void* x, void* y, int64_t outer, int64_t r,
                   int64_t inner);
// Softmax (or log-softmax) over the middle dimension of [outer, r, inner].
void launch_softmax(cudaStream_t s, bool half, const void* x, void* y, int64_t outer, int64_t r, int64_t inner,
                    bool log);

// x and y are both NCHW or both NHWC (nhwc).
struct Pool2d {
  bool half = false;
  bool nhwc = false;
  bool max = true;
  bool count_include_pad = false;
  int64_t n = 0, c = 0, h = 0, w = 0, oh = 0, ow = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
  int64_t ph_end = 0, pw_end = 0;  // declared end pads: averages that count padding stop there
};
void launch_pool2d(cudaStream_t s, const Pool2d& p, const void* x, void* y);

// Depthwise convolution (one filter per channel) of NHWC x into NHWC y with the FusedConv epilogue:
// y = fn(conv(x) + bias[c] + sum); filters [kh, kw, c] (tap-major); bias and sum may be null. Each input value
// is read as min(x, input_max): the upper clip of a ReLU6 whose producer ended with ReLU (fold_upper_clips).
struct Depthwise2d {
  bool half = false;
  UnaryFn fn;
  int64_t n = 0, c = 0, h = 0, w = 0, oh = 0, ow = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
  float input_max = std::numeric_limits<float>::infinity();
};
void launch_depthwise_nhwc(cudaStream_t s, const Depthwise2d& p, const void* x, const void* w, const void* bias,
                           const void* sum, void* y);

// im2col of an NHWC x into col [n*oh*ow, kh*kw*c], columns in (ky, kx, c) order (a KRSC filter's row), zero
// where the window reaches into the padding: a convolution as one matrix product. Moves bytes only, so it
// serves every element type (elem_bytes 2 or 4).
struct Im2col {
  int elem_bytes = 4;
  int64_t n = 0, c = 0, h = 0, w = 0, oh = 0, ow = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
};
void launch_im2col_nhwc(cudaStream_t s, const Im2col& p, const void* x, void* col);

// Resize of the spatial dimensions of [n, c, h, w] (or NHWC: nhwc, for x and y). coord: 0 half_pixel,
// 1 asymmetric, 2 align_corners, 3 pytorch_half_pixel; nearest rounding: 0 round_prefer_floor,
// 1 round_prefer_ceil, 2 floor, 3 ceil.
struct Resize2d {
  bool half = false;
  bool nhwc = false;
  bool linear = false;
  int coord = 0;
  int nearest = 0;
  int64_t n = 0, c = 0, h = 0, w = 0, oh = 0, ow = 0;
  float scale_h = 1, scale_w = 1;
};
void launch_resize2d(cudaStream_t s, const Resize2d& r, const void* x, void* y);

}  // namespace es::cuda
