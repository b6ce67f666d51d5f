#include "backends/cuda/kernels.h"

#include <cuda_fp16.h>

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <initializer_list>
#include <type_traits>

namespace es::cuda {

namespace {

constexpr int kBlock = 256;

unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kBlock - 1) / kBlock;
  return static_cast<unsigned>(b < 65535 * 8 ? (b > 0 ? b : 1) : 65535 * 8);  // grid-stride loops cover the rest
}

#define ES_GRID_LOOP(i, n) \
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < (n); i += int64_t{blockDim.x} * gridDim.x)
// The same loop with indices of type I: kernels whose tensors allow it index in 32 bits, because 64-bit
// division and modulo cost tens of instructions each (the convert kernel measured 0.19 ms for a 9.6 MB
// input in 64 bits on the H100).
#define ES_GRID_LOOP_AS(I, i, n)                                                                  \
  for (I i = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x); \
       i < (n); i += static_cast<I>(blockDim.x) * static_cast<I>(gridDim.x))

// Below this every index, offset and loop step (up to 65535 * 8 * kBlock past the last index) fits int32.
constexpr int64_t kInt32Extent = int64_t{1} << 30;

// Calls go(int32_t{}) when every listed extent (element counts, largest offsets) is below kInt32Extent,
// else go(int64_t{}).
template <typename F>
void with_index(std::initializer_list<int64_t> extents, F&& go) {
  if (std::all_of(extents.begin(), extents.end(), [](int64_t e) { return e < kInt32Extent; }))
    go(int32_t{});
  else
    go(int64_t{});
}

// Division of an index by a divisor fixed at launch. In 32 bits (indices below kInt32Extent) a multiply-high
// and a shift with a precomputed magic number (Granlund and Montgomery), because a 32-bit integer division
// is about 20 instructions: im2col, five divisions per 16 bytes it copies, was bound by them.
template <typename I>
struct Divider {
  I d;
  explicit Divider(int64_t divisor) : d(static_cast<I>(divisor)) {}
  __device__ __forceinline__ I div(I n) const { return n / d; }
};

template <>
struct Divider<int32_t> {
  uint32_t magic, shift;
  explicit Divider(int64_t divisor) : shift(0) {
    const uint64_t d = static_cast<uint64_t>(divisor);
    while ((uint64_t{1} << shift) < d) ++shift;
    magic = static_cast<uint32_t>((uint64_t{1} << 32) * ((uint64_t{1} << shift) - d) / d + 1);
  }
  // n < 2^31, so the sum below cannot wrap: __umulhi(n, magic) < n.
  __device__ __forceinline__ int32_t div(int32_t n) const {
    const uint32_t u = static_cast<uint32_t>(n);
    return static_cast<int32_t>((__umulhi(u, magic) + u) >> shift);
  }
};

// The largest offset `strides` (non-negative) reach over `shape`, plus one: the extent a strided walk touches.
int64_t extent_of(const Dims& shape, const Strides& strides) {
  int64_t last = 0;
  for (int d = 0; d < shape.rank; ++d) last += (shape.size[d] - 1) * strides.step[d];
  return last + 1;
}

// Every pointer in `pointers` (null allowed) aligned to `bytes`.
bool aligned(std::initializer_list<const void*> pointers, size_t bytes) {
  return std::all_of(pointers.begin(), pointers.end(),
                     [&](const void* p) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; });
}

int64_t count_of(const Dims& shape) {
  int64_t n = 1;
  for (int d = 0; d < shape.rank; ++d) n *= shape.size[d];
  return n;
}

// Storage <-> compute: kernels compute in f32 whatever the storage type.
__device__ __forceinline__ float load(const float* p, int64_t i) { return p[i]; }
__device__ __forceinline__ float load(const __half* p, int64_t i) { return __half2float(p[i]); }
__device__ __forceinline__ void store(float* p, int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void store(__half* p, int64_t i, float v) { p[i] = __float2half(v); }

// Calls go(T{}) with T the storage type: __half for f16, float for f32.
template <typename F>
void with_type(bool half, F&& go) {
  if (half)
    go(__half{});
  else
    go(float{});
}

__device__ __forceinline__ float softplus(float x) { return x > 20.f ? x : log1pf(expf(x)); }

__device__ __forceinline__ float apply(const UnaryFn& f, float x) {
  switch (f.op) {
    case Unary::identity: return x;
    case Unary::relu: return fmaxf(x, 0.f);
    case Unary::clip: return fminf(fmaxf(x, f.a), f.b);
    case Unary::leaky_relu: return x >= 0.f ? x : f.a * x;
    case Unary::sigmoid: return 1.f / (1.f + expf(-x));
    case Unary::hard_sigmoid: return fmaxf(0.f, fminf(1.f, f.a * x + f.b));
    case Unary::hard_swish: return x * fmaxf(0.f, fminf(1.f, x * (1.f / 6.f) + 0.5f));
    case Unary::tanh: return tanhf(x);
    case Unary::elu: return x >= 0.f ? x : f.a * (expf(x) - 1.f);
    case Unary::softplus: return softplus(x);
    case Unary::exp: return expf(x);
    case Unary::log: return logf(x);
    case Unary::sqrt: return sqrtf(x);
    case Unary::abs: return fabsf(x);
    case Unary::neg: return -x;
    case Unary::reciprocal: return 1.f / x;
    case Unary::floor: return floorf(x);
    case Unary::ceil: return ceilf(x);
    case Unary::erf: return erff(x);
    case Unary::sin: return sinf(x);
    case Unary::cos: return cosf(x);
    case Unary::mish: return x * tanhf(softplus(x));
  }
  return x;
}

__device__ __forceinline__ float apply(Binary op, float a, float b) {
  switch (op) {
    case Binary::add: return a + b;
    case Binary::sub: return a - b;
    case Binary::mul: return a * b;
    case Binary::div: return a / b;
    case Binary::pow: return powf(a, b);
    case Binary::max: return fmaxf(a, b);
    case Binary::min: return fminf(a, b);
    case Binary::prelu: return a >= 0.f ? a : a * b;
  }
  return a;
}

template <typename T>
__global__ void unary_kernel(UnaryFn fn, const T* x, T* y, int64_t n) {
  ES_GRID_LOOP(i, n) store(y, i, apply(fn, load(x, i)));
}

// Element i of a row-major walk over `shape`, as offsets under two stride sets. The loop is unrolled over
// kMaxRank so that every array index is a constant: indexing the by-value parameters with a variable made
// each thread copy them to local memory (the NCHW -> NHWC conversion of a 9.6 MB input took 0.19 ms).
template <typename I>
__device__ __forceinline__ void offsets_of(I i, const Dims& shape, const Strides& sa, const Strides& sb, I& a, I& b) {
#pragma unroll
  for (int d = kMaxRank - 1; d >= 0; --d) {
    if (d >= shape.rank) continue;
    const I size = static_cast<I>(shape.size[d]);
    const I k = i % size;
    i /= size;
    a += k * static_cast<I>(sa.step[d]);
    b += k * static_cast<I>(sb.step[d]);
  }
}

template <typename T, typename I>
__global__ void binary_kernel(Binary op, const T* a, Strides as, const T* b, Strides bs, T* y, Dims out, I n) {
  ES_GRID_LOOP_AS(I, i, n) {
    I ia = 0, ib = 0;
    offsets_of(i, out, as, bs, ia, ib);
    store(y, i, apply(op, load(a, ia), load(b, ib)));
  }
}

// The channel of element i is (i / inner) % c in NCHW, i % c in NHWC (inner = 1 there).
template <typename T>
__global__ void bias_act_kernel(T* y, const T* bias, const T* sum, UnaryFn fn, int64_t c, int64_t inner, int64_t n) {
  ES_GRID_LOOP(i, n) {
    float v = load(y, i);
    if (bias != nullptr) v += load(bias, (i / inner) % c);
    if (sum != nullptr) v += load(sum, i);
    store(y, i, apply(fn, v));
  }
}

template <typename S, typename D, typename I>
__global__ void convert_kernel(const S* src, Strides ss, D* dst, Strides ds, Dims shape, I n) {
  ES_GRID_LOOP_AS(I, i, n) {
    I is = 0, id = 0;
    offsets_of(i, shape, ss, ds, is, id);
    store(dst, id, load(src, is));
  }
}

template <typename T, typename I>
__global__ void strided_copy_kernel(const T* src, Strides ss, T* dst, Strides ds, Dims shape, I n) {
  ES_GRID_LOOP_AS(I, i, n) {
    I is = 0, id = 0;
    offsets_of(i, shape, ss, ds, is, id);
    dst[id] = src[is];
  }
}

__device__ __forceinline__ float reduce_init(Reduce op) {
  return op == Reduce::max ? -FLT_MAX : (op == Reduce::min ? FLT_MAX : 0.f);
}
__device__ __forceinline__ float reduce_step(Reduce op, float acc, float v) {
  return op == Reduce::max ? fmaxf(acc, v) : (op == Reduce::min ? fminf(acc, v) : acc + v);
}
__device__ __forceinline__ float warp_reduce(Reduce op, float v) {
  for (int o = 16; o > 0; o /= 2) v = reduce_step(op, v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// inner == 1: one warp per output, reading the contiguous row.
template <typename T>
__global__ void reduce_rows_kernel(Reduce op, const T* x, T* y, int64_t rows, int64_t r) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t{gridDim.x} * blockDim.x / 32;
  for (int64_t warp = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / 32; warp < rows; warp += warps) {
  const T* row = x + warp * r;
  float acc = reduce_init(op);
  for (int64_t k = lane; k < r; k += 32) acc = reduce_step(op, acc, load(row, k));
  acc = warp_reduce(op, acc);
  if (lane == 0) store(y, warp, op == Reduce::mean ? acc / static_cast<float>(r) : acc);
  }
}

// inner > 1: a block per 32 consecutive outputs of one outer index. Its lanes read neighbouring elements (one
// output each), its warps split the reduced dimension and combine through shared memory. One thread per output
// looping over the whole reduced dimension gave a global pool of a small channels-last tensor only tens of
// threads: PP-OCR cls's ten pools took 0.171 ms of its 0.596 ms compute on the H100 (docs/validation.md).
constexpr int kReduceWarps = 8;

template <typename T>
__global__ void reduce_strided_kernel(Reduce op, const T* x, T* y, int64_t outer, int64_t r, int64_t inner) {
  __shared__ float partial[kReduceWarps][32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int64_t tiles = (inner + 31) / 32;
  for (int64_t b = blockIdx.x; b < outer * tiles; b += gridDim.x) {  // the same trip count for the whole block
    const int64_t o = b / tiles, in = (b - o * tiles) * 32 + lane;
    float acc = reduce_init(op);
    if (in < inner) {
      const T* p = x + o * r * inner + in;
      for (int64_t k = warp; k < r; k += kReduceWarps) acc = reduce_step(op, acc, load(p, k * inner));
    }
    partial[warp][lane] = acc;
    __syncthreads();
    if (warp == 0 && in < inner) {
      for (int w = 1; w < kReduceWarps; ++w) acc = reduce_step(op, acc, partial[w][lane]);
      store(y, o * inner + in, op == Reduce::mean ? acc / static_cast<float>(r) : acc);
    }
    __syncthreads();  // `partial` is rewritten by the next tile
  }
}

template <typename T>
__global__ void softmax_rows_kernel(const T* x, T* y, int64_t rows, int64_t r, bool log) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t{gridDim.x} * blockDim.x / 32;
  for (int64_t warp = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / 32; warp < rows; warp += warps) {
  const T* in = x + warp * r;
  T* out = y + warp * r;
  float m = -FLT_MAX;
  for (int64_t k = lane; k < r; k += 32) m = fmaxf(m, load(in, k));
  m = warp_reduce(Reduce::max, m);
  float s = 0.f;
  for (int64_t k = lane; k < r; k += 32) s += expf(load(in, k) - m);
  s = warp_reduce(Reduce::sum, s);
  const float ls = logf(s);
  for (int64_t k = lane; k < r; k += 32) store(out, k, log ? load(in, k) - m - ls : expf(load(in, k) - m) / s);
  }
}

template <typename T>
__global__ void softmax_strided_kernel(const T* x, T* y, int64_t r, int64_t inner, int64_t n, bool log) {
  ES_GRID_LOOP(i, n) {
    const int64_t o = i / inner, in = i % inner;
    const T* p = x + o * r * inner + in;
    T* q = y + o * r * inner + in;
    float m = -FLT_MAX;
    for (int64_t k = 0; k < r; ++k) m = fmaxf(m, load(p, k * inner));
    float s = 0.f;
    for (int64_t k = 0; k < r; ++k) s += expf(load(p, k * inner) - m);
    const float ls = logf(s);
    for (int64_t k = 0; k < r; ++k)
      store(q, k * inner, log ? load(p, k * inner) - m - ls : expf(load(p, k * inner) - m) / s);
  }
}

// Element i of the output in its own layout: (image, channel, row, column), and where a pixel (row,
// column) of that image and channel lies in a tensor of `h` x `w` pixels.
struct Pixel {
  int64_t n, c, y, x;
};
__device__ __forceinline__ Pixel pixel_of(int64_t i, bool nhwc, int64_t c, int64_t h, int64_t w) {
  if (nhwc) return {i / (h * w * c), i % c, (i / (w * c)) % h, (i / c) % w};
  return {i / (c * h * w), (i / (h * w)) % c, (i / w) % h, i % w};
}
__device__ __forceinline__ int64_t offset_of(bool nhwc, int64_t n, int64_t ch, int64_t y, int64_t x, int64_t c,
                                             int64_t h, int64_t w) {
  return nhwc ? ((n * h + y) * w + x) * c + ch : ((n * c + ch) * h + y) * w + x;
}

// `V` consecutive elements (channels of one pixel) read and written as one vector.
template <typename T, int V>
struct alignas(sizeof(T) * V) Vec {
  T v[V];
};

template <typename T>
__global__ void pool2d_kernel(Pool2d p, const T* x, T* y, int64_t n) {
  ES_GRID_LOOP(i, n) {
    const Pixel o = pixel_of(i, p.nhwc, p.c, p.oh, p.ow);
    const int64_t oy = o.y, ox = o.x;
    float acc = p.max ? -FLT_MAX : 0.f;
    int64_t count = 0;
    for (int64_t ky = 0; ky < p.kh; ++ky) {
      const int64_t iy = oy * p.sh - p.ph + ky * p.dh;
      for (int64_t kx = 0; kx < p.kw; ++kx) {
        const int64_t ix = ox * p.sw - p.pw + kx * p.dw;
        const bool inside = iy >= 0 && iy < p.h && ix >= 0 && ix < p.w;
        if (inside) {
          const float v = load(x, offset_of(p.nhwc, o.n, o.c, iy, ix, p.c, p.h, p.w));
          acc = p.max ? fmaxf(acc, v) : acc + v;
          ++count;
        } else if (p.count_include_pad && iy < p.h + p.ph_end && ix < p.w + p.pw_end) {
          ++count;  // a declared pad cell counts as a zero
        }
      }
    }
    store(y, i, p.max ? acc : acc / static_cast<float>(count > 0 ? count : 1));
  }
}


// Where vector i of an NHWC output walked `V` channels at a time (`groups` vectors per pixel) lies: image,
// row, column and its first channel.
template <typename I>
struct NhwcVector {
  I b, y, x, ch;
};
template <int V, typename I>
__device__ __forceinline__ NhwcVector<I> nhwc_vector(I i, I groups, I oh, I ow) {
  I r = i / groups;
  const I ch = (i - r * groups) * V, x = r % ow;
  r /= ow;
  return {r / oh, r % oh, x, ch};
}

// NHWC pooling, one thread per `V` consecutive channels of an output pixel: neighbouring threads read
// neighbouring vectors (the scalar kernel above measured 0.24 ms for ResNet-50's 51 MB MaxPool at batch 32).
template <typename T, int V, typename I>
__global__ void pool2d_nhwc_kernel(Pool2d p, const T* x, T* y, I n) {
  const I groups = static_cast<I>(p.c / V), h = static_cast<I>(p.h), w = static_cast<I>(p.w);
  const I oh = static_cast<I>(p.oh), ow = static_cast<I>(p.ow);
  ES_GRID_LOOP_AS(I, i, n) {
    const auto [b, oy, ox, ch] = nhwc_vector<V>(i, groups, oh, ow);
    float acc[V];
#pragma unroll
    for (int v = 0; v < V; ++v) acc[v] = p.max ? -FLT_MAX : 0.f;
    I count = 0;
    for (I ky = 0; ky < static_cast<I>(p.kh); ++ky) {
      const I iy = oy * static_cast<I>(p.sh) - static_cast<I>(p.ph) + ky * static_cast<I>(p.dh);
      for (I kx = 0; kx < static_cast<I>(p.kw); ++kx) {
        const I ix = ox * static_cast<I>(p.sw) - static_cast<I>(p.pw) + kx * static_cast<I>(p.dw);
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
          const Vec<T, V> in = *reinterpret_cast<const Vec<T, V>*>(x + ((b * h + iy) * w + ix) * static_cast<I>(p.c) + ch);
#pragma unroll
          for (int v = 0; v < V; ++v) acc[v] = p.max ? fmaxf(acc[v], load(in.v, v)) : acc[v] + load(in.v, v);
          ++count;
        } else if (p.count_include_pad && iy < h + static_cast<I>(p.ph_end) && ix < w + static_cast<I>(p.pw_end)) {
          ++count;  // a declared pad cell counts as a zero
        }
      }
    }
    const float scale = p.max ? 1.f : 1.f / static_cast<float>(count > 0 ? count : 1);
    Vec<T, V> result;
#pragma unroll
    for (int v = 0; v < V; ++v) store(result.v, v, acc[v] * scale);
    *reinterpret_cast<Vec<T, V>*>(y + i * V) = result;
  }
}

// One thread per output element, channels fastest: neighbouring threads read neighbouring channels.
// `V` consecutive channels of one output pixel per thread, read and written as one vector. The filter is
// [kh, kw, c] (tap-major), so that a tap's weights are one vector too and a warp's weight loads are as
// coalesced as its input loads: with the ONNX [c, kh, kw] filter every thread of a warp read its own cache
// line per weight (MobileNetV2 at batch 8, FP32: 144-channel layers took 11 ns per 1,000 outputs, 32-channel
// ones, whose warps share lines, 6).
template <typename T, int V, typename I>
__global__ void depthwise_nhwc_kernel(Depthwise2d p, const T* x, const T* w, const T* bias, const T* sum, T* y, I n) {
  const I c = static_cast<I>(p.c), groups = c / V, kh = static_cast<I>(p.kh), kw = static_cast<I>(p.kw);
  const I h = static_cast<I>(p.h), wd = static_cast<I>(p.w), oh = static_cast<I>(p.oh), ow = static_cast<I>(p.ow);
  ES_GRID_LOOP_AS(I, i, n) {
    const auto [b, oy, ox, ch] = nhwc_vector<V>(i, groups, oh, ow);
    float acc[V];
#pragma unroll
    for (int v = 0; v < V; ++v) acc[v] = bias != nullptr ? load(bias, ch + v) : 0.f;
    for (I ky = 0; ky < kh; ++ky) {
      const I iy = oy * static_cast<I>(p.sh) - static_cast<I>(p.ph) + ky * static_cast<I>(p.dh);
      if (iy < 0 || iy >= h) continue;
      for (I kx = 0; kx < kw; ++kx) {
        const I ix = ox * static_cast<I>(p.sw) - static_cast<I>(p.pw) + kx * static_cast<I>(p.dw);
        if (ix < 0 || ix >= wd) continue;
        const Vec<T, V> in = *reinterpret_cast<const Vec<T, V>*>(x + ((b * h + iy) * wd + ix) * c + ch);
        const Vec<T, V> tap = *reinterpret_cast<const Vec<T, V>*>(w + (ky * kw + kx) * c + ch);
#pragma unroll
        for (int v = 0; v < V; ++v) acc[v] += fminf(load(in.v, v), p.input_max) * load(tap.v, v);
      }
    }
    const I out = i * V;
    if (sum != nullptr) {
      const Vec<T, V> s = *reinterpret_cast<const Vec<T, V>*>(sum + out);
#pragma unroll
      for (int v = 0; v < V; ++v) acc[v] += load(s.v, v);
    }
    Vec<T, V> result;
#pragma unroll
    for (int v = 0; v < V; ++v) store(result.v, v, apply(p.fn, acc[v]));
    *reinterpret_cast<Vec<T, V>*>(y + out) = result;
  }
}

// One thread per `V`-sized chunk of a column row (a chunk never straddles two pixels: c_chunks per pixel).
template <typename I>
struct Im2colDividers {
  Divider<I> c_chunks, kw, kh, ow, oh;
};

template <typename V, typename I>
__global__ void im2col_nhwc_kernel(Im2col p, I c_chunks, Im2colDividers<I> by, const V* x, V* col, I n) {
  const I kw = static_cast<I>(p.kw), kh = static_cast<I>(p.kh), ow = static_cast<I>(p.ow), oh = static_cast<I>(p.oh);
  const I h = static_cast<I>(p.h), w = static_cast<I>(p.w);
  ES_GRID_LOOP_AS(I, i, n) {
    I r = by.c_chunks.div(i);
    const I chunk = i - r * c_chunks;
    I q = by.kw.div(r);
    const I kx = r - q * kw;
    r = by.kh.div(q);
    const I ky = q - r * kh;
    q = by.ow.div(r);
    const I ox = r - q * ow;
    const I b = by.oh.div(q), oy = q - b * oh;
    const I iy = oy * static_cast<I>(p.sh) - static_cast<I>(p.ph) + ky * static_cast<I>(p.dh);
    const I ix = ox * static_cast<I>(p.sw) - static_cast<I>(p.pw) + kx * static_cast<I>(p.dw);
    col[i] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[((b * h + iy) * w + ix) * c_chunks + chunk] : V{};
  }
}

// ONNX measures the resized length as in * scale, unrounded (it differs from the output size when the
// scale does not divide evenly).
__device__ __forceinline__ float source_coord(int coord, int64_t o, float scale, int64_t in) {
  const float resized = static_cast<float>(in) * scale;
  switch (coord) {
    case 1: return o / scale;
    case 2: return resized > 1.f ? o * static_cast<float>(in - 1) / (resized - 1.f) : 0.f;
    case 3: return resized > 1.f ? (o + 0.5f) / scale - 0.5f : 0.f;
    default: return (o + 0.5f) / scale - 0.5f;
  }
}

__device__ __forceinline__ int64_t nearest_index(int mode, float c, int64_t in) {
  float r;
  switch (mode) {
    case 1: r = (c == floorf(c) + 0.5f) ? ceilf(c) : roundf(c); break;
    case 2: r = floorf(c); break;
    case 3: r = ceilf(c); break;
    default: r = (c == floorf(c) + 0.5f) ? floorf(c) : roundf(c); break;
  }
  const int64_t k = static_cast<int64_t>(r);
  return k < 0 ? 0 : (k >= in ? in - 1 : k);
}

template <typename T>
__global__ void resize2d_kernel(Resize2d r, const T* x, T* y, int64_t n) {
  ES_GRID_LOOP(i, n) {
    const Pixel o = pixel_of(i, r.nhwc, r.c, r.oh, r.ow);
    auto in = [&](int64_t iy, int64_t ix) { return load(x, offset_of(r.nhwc, o.n, o.c, iy, ix, r.c, r.h, r.w)); };
    const float cy = source_coord(r.coord, o.y, r.scale_h, r.h);
    const float cx = source_coord(r.coord, o.x, r.scale_w, r.w);
    if (!r.linear) {
      store(y, i, in(nearest_index(r.nearest, cy, r.h), nearest_index(r.nearest, cx, r.w)));
      continue;
    }
    const float fy = fminf(fmaxf(cy, 0.f), static_cast<float>(r.h - 1));
    const float fx = fminf(fmaxf(cx, 0.f), static_cast<float>(r.w - 1));
    const int64_t y0 = static_cast<int64_t>(floorf(fy)), x0 = static_cast<int64_t>(floorf(fx));
    const int64_t y1 = y0 + 1 < r.h ? y0 + 1 : y0, x1 = x0 + 1 < r.w ? x0 + 1 : x0;
    const float wy = fy - y0, wx = fx - x0;
    const float top = in(y0, x0) * (1.f - wx) + in(y0, x1) * wx;
    const float bottom = in(y1, x0) * (1.f - wx) + in(y1, x1) * wx;
    store(y, i, top * (1.f - wy) + bottom * wy);
  }
}

}  // namespace

void launch_unary(cudaStream_t s, bool half, UnaryFn fn, const void* x, void* y, int64_t n) {
  with_type(half, [&](auto tag) {
    using T = decltype(tag);
    unary_kernel<T><<<blocks_for(n), kBlock, 0, s>>>(fn, static_cast<const T*>(x), static_cast<T*>(y), n);
  });
}

void launch_binary(cudaStream_t s, bool half, Binary op, const void* a, Strides a_strides, const void* b,
                   Strides b_strides, void* y, Dims out) {
  const int64_t n = count_of(out);
  with_type(half, [&](auto tag) {
    using T = decltype(tag);
    with_index({n, extent_of(out, a_strides), extent_of(out, b_strides)}, [&](auto index) {
      using I = decltype(index);
      binary_kernel<T, I><<<blocks_for(n), kBlock, 0, s>>>(op, static_cast<const T*>(a), a_strides,
                                                           static_cast<const T*>(b), b_strides, static_cast<T*>(y),
                                                           out, static_cast<I>(n));
    });
  });
}

void launch_bias_act(cudaStream_t s, bool half, bool nhwc, void* y, const void* bias, const void* sum, UnaryFn fn,
                     int64_t n, int64_t c, int64_t inner) {
  const int64_t total = n * c * inner;
  with_type(half, [&](auto tag) {
    using T = decltype(tag);
    bias_act_kernel<T><<<blocks_for(total), kBlock, 0, s>>>(static_cast<T*>(y), static_cast<const T*>(bias),
                                                            static_cast<const T*>(sum), fn, c, nhwc ? 1 : inner, total);
  });
}

void launch_convert(cudaStream_t s, const void* src, bool src_half, Strides src_strides, void* dst, bool dst_half,
                    Strides dst_strides, Dims shape) {
  const int64_t n = count_of(shape);
  if (n == 0) return;
  with_type(src_half, [&](auto src_tag) {
    with_type(dst_half, [&](auto dst_tag) {
      using S = decltype(src_tag);
      using D = decltype(dst_tag);
      with_index({n, extent_of(shape, src_strides), extent_of(shape, dst_strides)}, [&](auto index) {
        using I = decltype(index);
        convert_kernel<S, D, I><<<blocks_for(n), kBlock, 0, s>>>(static_cast<const S*>(src), src_strides,
                                                                 static_cast<D*>(dst), dst_strides, shape,
                                                                 static_cast<I>(n));
      });
    });
  });
}

void launch_strided_copy(cudaStream_t s, int elem_bytes, const void* src, int64_t src_offset, Strides src_strides,
                         void* dst, int64_t dst_offset, Strides dst_strides, Dims shape) {
  const int64_t n = count_of(shape);
  if (n == 0) return;
  auto go = [&](auto tag) {
    using T = decltype(tag);
    with_index({n, extent_of(shape, src_strides), extent_of(shape, dst_strides)}, [&](auto index) {
      using I = decltype(index);
      strided_copy_kernel<T, I><<<blocks_for(n), kBlock, 0, s>>>(static_cast<const T*>(src) + src_offset, src_strides,
                                                                 static_cast<T*>(dst) + dst_offset, dst_strides, shape,
                                                                 static_cast<I>(n));
    });
  };
  switch (elem_bytes) {
    case 1: go(uint8_t{}); break;
    case 2: go(uint16_t{}); break;
    case 4: go(uint32_t{}); break;
    default: go(uint64_t{}); break;
  }
}

void launch_reduce(cudaStream_t s, bool half, Reduce op, const void* x, void* y, int64_t outer, int64_t r,
                   int64_t inner) {
  with_type(half, [&](auto tag) {
    using T = decltype(tag);
    const T* in = static_cast<const T*>(x);
    T* out = static_cast<T*>(y);
    if (inner == 1)
      reduce_rows_kernel<T><<<blocks_for(outer * 32), kBlock, 0, s>>>(op, in, out, outer, r);
    else
      reduce_strided_kernel<T><<<blocks_for(outer * ((inner + 31) / 32) * kBlock), kReduceWarps * 32, 0, s>>>(
          op, in, out, outer, r, inner);
  });
}

void launch_softmax(cudaStream_t s, bool half, const void* x, void* y, int64_t outer, int64_t r, int64_t inner,
                    bool log) {
  with_type(half, [&](auto tag) {
    using T = decltype(tag);
    const T* in = static_cast<const T*>(x);
    T* out = static_cast<T*>(y);
    if (inner == 1)
      softmax_rows_kernel<T><<<blocks_for(outer * 32), kBlock, 0, s>>>(in, out, outer, r, log);
    else
      softmax_strided_kernel<T><<<blocks_for(outer * inner), kBlock, 0, s>>>(in, out, r, inner, outer * inner, log);
  });
}

void launch_pool2d(cudaStream_t s, const Pool2d& p, const void* x, void* y) {
  const int64_t n = p.n * p.c * p.oh * p.ow;
  with_type(p.half, [&](auto tag) {
    using T = decltype(tag);
    constexpr int V = 16 / sizeof(T);  // one 16-byte load per input pixel
    if (!p.nhwc || p.c % V != 0 || !aligned({x, y}, 16)) {
      pool2d_kernel<T><<<blocks_for(n), kBlock, 0, s>>>(p, static_cast<const T*>(x), static_cast<T*>(y), n);
      return;
    }
    with_index({n, p.n * p.c * p.h * p.w}, [&](auto index) {
      using I = decltype(index);
      pool2d_nhwc_kernel<T, V, I><<<blocks_for(n / V), kBlock, 0, s>>>(p, static_cast<const T*>(x), static_cast<T*>(y),
                                                                       static_cast<I>(n / V));
    });
  });
}

void launch_depthwise_nhwc(cudaStream_t s, const Depthwise2d& p, const void* x, const void* w, const void* bias,
                           const void* sum, void* y) {
  const int64_t n = p.n * p.c * p.oh * p.ow;
  with_type(p.half, [&](auto tag) {
    using T = decltype(tag);
    auto go = [&](auto width) {
      constexpr int V = decltype(width)::value;
      const int64_t threads = n / V;
      // Every index the kernel forms stays below the input's or output's element count.
      with_index({n, p.n * p.c * p.h * p.w}, [&](auto index) {
        using I = decltype(index);
        depthwise_nhwc_kernel<T, V, I><<<blocks_for(threads), kBlock, 0, s>>>(
            p, static_cast<const T*>(x), static_cast<const T*>(w), static_cast<const T*>(bias),
            static_cast<const T*>(sum), static_cast<T*>(y), static_cast<I>(threads));
      });
    };
    // Four channels per thread where the channels and every per-pixel pointer allow 4-element vectors.
    if (p.c % 4 == 0 && aligned({x, w, y, sum, bias}, 4 * sizeof(T)))
      go(std::integral_constant<int, 4>{});
    else
      go(std::integral_constant<int, 1>{});
  });
}

void launch_im2col_nhwc(cudaStream_t s, const Im2col& p, const void* x, void* col) {
  // The widest chunk that divides a pixel's channels and the buffers' alignment (the arena aligns to 256).
  const int64_t pixel_bytes = p.c * p.elem_bytes;
  int chunk = 16;
  while (chunk > p.elem_bytes && (pixel_bytes % chunk != 0 || !aligned({x, col}, chunk))) chunk /= 2;
  const int64_t c_chunks = pixel_bytes / chunk, n = p.n * p.oh * p.ow * p.kh * p.kw * c_chunks;
  auto go = [&](auto tag) {
    using V = decltype(tag);
    with_index({n, p.n * p.h * p.w * c_chunks}, [&](auto index) {
      using I = decltype(index);
      const Im2colDividers<I> by{Divider<I>(c_chunks), Divider<I>(p.kw), Divider<I>(p.kh), Divider<I>(p.ow),
                                    Divider<I>(p.oh)};
      im2col_nhwc_kernel<V, I><<<blocks_for(n), kBlock, 0, s>>>(p, static_cast<I>(c_chunks), by,
                                                                static_cast<const V*>(x), static_cast<V*>(col),
                                                                static_cast<I>(n));
    });
  };
  switch (chunk) {
    case 16: go(uint4{}); break;
    case 8: go(uint2{}); break;
    case 4: go(uint32_t{}); break;
    default: go(uint16_t{}); break;
  }
}

void launch_resize2d(cudaStream_t s, const Resize2d& r, const void* x, void* y) {
  const int64_t n = r.n * r.c * r.oh * r.ow;
  with_type(r.half, [&](auto tag) {
    using T = decltype(tag);
    resize2d_kernel<T><<<blocks_for(n), kBlock, 0, s>>>(r, static_cast<const T*>(x), static_cast<T*>(y), n);
  });
}

}  // namespace es::cuda
