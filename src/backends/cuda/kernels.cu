#include "backends/cuda/kernels.h"

#include <cfloat>
#include <cstdint>

namespace es::cuda {

namespace {

constexpr int kBlock = 256;

unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kBlock - 1) / kBlock;
  return static_cast<unsigned>(b < 65535 * 8 ? (b > 0 ? b : 1) : 65535 * 8);  // grid-stride loops cover the rest
}

#define ES_GRID_LOOP(i, n) \
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < (n); i += int64_t{blockDim.x} * gridDim.x)

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

__global__ void unary_kernel(UnaryFn fn, const float* x, float* y, int64_t n) {
  ES_GRID_LOOP(i, n) y[i] = apply(fn, x[i]);
}

__global__ void binary_kernel(Binary op, const float* a, Strides as, const float* b, Strides bs, float* y, Dims out,
                              int64_t n) {
  ES_GRID_LOOP(i, n) {
    int64_t rest = i, ia = 0, ib = 0;
    for (int d = out.rank - 1; d >= 0; --d) {
      const int64_t k = rest % out.size[d];
      rest /= out.size[d];
      ia += k * as.step[d];
      ib += k * bs.step[d];
    }
    y[i] = apply(op, a[ia], b[ib]);
  }
}

__global__ void bias_act_kernel(float* y, const float* bias, const float* sum, UnaryFn fn, int64_t c, int64_t inner,
                                int64_t n) {
  ES_GRID_LOOP(i, n) {
    float v = y[i];
    if (bias != nullptr) v += bias[(i / inner) % c];
    if (sum != nullptr) v += sum[i];
    y[i] = apply(fn, v);
  }
}

template <typename T>
__global__ void strided_copy_kernel(const T* src, int64_t so, Strides ss, T* dst, int64_t d_o, Strides ds, Dims shape,
                                    int64_t n) {
  ES_GRID_LOOP(i, n) {
    int64_t rest = i, is = so, id = d_o;
    for (int d = shape.rank - 1; d >= 0; --d) {
      const int64_t k = rest % shape.size[d];
      rest /= shape.size[d];
      is += k * ss.step[d];
      id += k * ds.step[d];
    }
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
__global__ void reduce_rows_kernel(Reduce op, const float* x, float* y, int64_t rows, int64_t r) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t{gridDim.x} * blockDim.x / 32;
  for (int64_t warp = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / 32; warp < rows; warp += warps) {
  const float* row = x + warp * r;
  float acc = reduce_init(op);
  for (int64_t k = lane; k < r; k += 32) acc = reduce_step(op, acc, row[k]);
  acc = warp_reduce(op, acc);
  if (lane == 0) y[warp] = op == Reduce::mean ? acc / static_cast<float>(r) : acc;
  }
}

__global__ void reduce_strided_kernel(Reduce op, const float* x, float* y, int64_t r, int64_t inner, int64_t n) {
  ES_GRID_LOOP(i, n) {
    const int64_t o = i / inner, in = i % inner;
    const float* p = x + o * r * inner + in;
    float acc = reduce_init(op);
    for (int64_t k = 0; k < r; ++k) acc = reduce_step(op, acc, p[k * inner]);
    y[i] = op == Reduce::mean ? acc / static_cast<float>(r) : acc;
  }
}

__global__ void softmax_rows_kernel(const float* x, float* y, int64_t rows, int64_t r, bool log) {
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t{gridDim.x} * blockDim.x / 32;
  for (int64_t warp = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / 32; warp < rows; warp += warps) {
  const float* in = x + warp * r;
  float* out = y + warp * r;
  float m = -FLT_MAX;
  for (int64_t k = lane; k < r; k += 32) m = fmaxf(m, in[k]);
  m = warp_reduce(Reduce::max, m);
  float s = 0.f;
  for (int64_t k = lane; k < r; k += 32) s += expf(in[k] - m);
  s = warp_reduce(Reduce::sum, s);
  const float ls = logf(s);
  for (int64_t k = lane; k < r; k += 32) out[k] = log ? in[k] - m - ls : expf(in[k] - m) / s;
  }
}

__global__ void softmax_strided_kernel(const float* x, float* y, int64_t r, int64_t inner, int64_t n, bool log) {
  ES_GRID_LOOP(i, n) {
    const int64_t o = i / inner, in = i % inner;
    const float* p = x + o * r * inner + in;
    float* q = y + o * r * inner + in;
    float m = -FLT_MAX;
    for (int64_t k = 0; k < r; ++k) m = fmaxf(m, p[k * inner]);
    float s = 0.f;
    for (int64_t k = 0; k < r; ++k) s += expf(p[k * inner] - m);
    const float ls = logf(s);
    for (int64_t k = 0; k < r; ++k) q[k * inner] = log ? p[k * inner] - m - ls : expf(p[k * inner] - m) / s;
  }
}

__global__ void pool2d_kernel(Pool2d p, const float* x, float* y, int64_t n) {
  ES_GRID_LOOP(i, n) {
    const int64_t ox = i % p.ow, oy = (i / p.ow) % p.oh, plane = i / (p.ow * p.oh);
    const float* in = x + plane * p.h * p.w;
    float acc = p.max ? -FLT_MAX : 0.f;
    int64_t count = 0;
    for (int64_t ky = 0; ky < p.kh; ++ky) {
      const int64_t iy = oy * p.sh - p.ph + ky * p.dh;
      for (int64_t kx = 0; kx < p.kw; ++kx) {
        const int64_t ix = ox * p.sw - p.pw + kx * p.dw;
        const bool inside = iy >= 0 && iy < p.h && ix >= 0 && ix < p.w;
        if (inside) {
          const float v = in[iy * p.w + ix];
          acc = p.max ? fmaxf(acc, v) : acc + v;
          ++count;
        } else if (p.count_include_pad && iy < p.h + p.ph_end && ix < p.w + p.pw_end) {
          ++count;  // a declared pad cell counts as a zero
        }
      }
    }
    y[i] = p.max ? acc : acc / static_cast<float>(count > 0 ? count : 1);
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

__global__ void resize2d_kernel(Resize2d r, const float* x, float* y, int64_t n) {
  ES_GRID_LOOP(i, n) {
    const int64_t ox = i % r.ow, oy = (i / r.ow) % r.oh, plane = i / (r.ow * r.oh);
    const float* in = x + plane * r.h * r.w;
    const float cy = source_coord(r.coord, oy, r.scale_h, r.h);
    const float cx = source_coord(r.coord, ox, r.scale_w, r.w);
    if (!r.linear) {
      y[i] = in[nearest_index(r.nearest, cy, r.h) * r.w + nearest_index(r.nearest, cx, r.w)];
      continue;
    }
    const float fy = fminf(fmaxf(cy, 0.f), static_cast<float>(r.h - 1));
    const float fx = fminf(fmaxf(cx, 0.f), static_cast<float>(r.w - 1));
    const int64_t y0 = static_cast<int64_t>(floorf(fy)), x0 = static_cast<int64_t>(floorf(fx));
    const int64_t y1 = y0 + 1 < r.h ? y0 + 1 : y0, x1 = x0 + 1 < r.w ? x0 + 1 : x0;
    const float wy = fy - y0, wx = fx - x0;
    const float top = in[y0 * r.w + x0] * (1.f - wx) + in[y0 * r.w + x1] * wx;
    const float bottom = in[y1 * r.w + x0] * (1.f - wx) + in[y1 * r.w + x1] * wx;
    y[i] = top * (1.f - wy) + bottom * wy;
  }
}

}  // namespace

void launch_unary(cudaStream_t s, UnaryFn fn, const float* x, float* y, int64_t n) {
  unary_kernel<<<blocks_for(n), kBlock, 0, s>>>(fn, x, y, n);
}

void launch_binary(cudaStream_t s, Binary op, const float* a, Strides a_strides, const float* b, Strides b_strides,
                   float* y, Dims out) {
  int64_t n = 1;
  for (int d = 0; d < out.rank; ++d) n *= out.size[d];
  binary_kernel<<<blocks_for(n), kBlock, 0, s>>>(op, a, a_strides, b, b_strides, y, out, n);
}

void launch_bias_act(cudaStream_t s, float* y, const float* bias, const float* sum, UnaryFn fn, int64_t n, int64_t c,
                     int64_t inner) {
  const int64_t total = n * c * inner;
  bias_act_kernel<<<blocks_for(total), kBlock, 0, s>>>(y, bias, sum, fn, c, inner, total);
}

void launch_strided_copy(cudaStream_t s, int elem_bytes, const void* src, int64_t src_offset, Strides src_strides,
                         void* dst, int64_t dst_offset, Strides dst_strides, Dims shape) {
  int64_t n = 1;
  for (int d = 0; d < shape.rank; ++d) n *= shape.size[d];
  if (n == 0) return;
  auto go = [&](auto tag) {
    using T = decltype(tag);
    strided_copy_kernel<T><<<blocks_for(n), kBlock, 0, s>>>(static_cast<const T*>(src), src_offset, src_strides,
                                                            static_cast<T*>(dst), dst_offset, dst_strides, shape, n);
  };
  switch (elem_bytes) {
    case 1: go(uint8_t{}); break;
    case 2: go(uint16_t{}); break;
    case 4: go(uint32_t{}); break;
    default: go(uint64_t{}); break;
  }
}

void launch_reduce(cudaStream_t s, Reduce op, const float* x, float* y, int64_t outer, int64_t r, int64_t inner) {
  if (inner == 1) {
    reduce_rows_kernel<<<blocks_for(outer * 32), kBlock, 0, s>>>(op, x, y, outer, r);
    return;
  }
  reduce_strided_kernel<<<blocks_for(outer * inner), kBlock, 0, s>>>(op, x, y, r, inner, outer * inner);
}

void launch_softmax(cudaStream_t s, const float* x, float* y, int64_t outer, int64_t r, int64_t inner, bool log) {
  if (inner == 1) {
    softmax_rows_kernel<<<blocks_for(outer * 32), kBlock, 0, s>>>(x, y, outer, r, log);
    return;
  }
  softmax_strided_kernel<<<blocks_for(outer * inner), kBlock, 0, s>>>(x, y, r, inner, outer * inner, log);
}

void launch_pool2d(cudaStream_t s, const Pool2d& p, const float* x, float* y) {
  const int64_t n = p.n * p.c * p.oh * p.ow;
  pool2d_kernel<<<blocks_for(n), kBlock, 0, s>>>(p, x, y, n);
}

void launch_resize2d(cudaStream_t s, const Resize2d& r, const float* x, float* y) {
  const int64_t n = r.nc * r.oh * r.ow;
  resize2d_kernel<<<blocks_for(n), kBlock, 0, s>>>(r, x, y, n);
}

}  // namespace es::cuda
