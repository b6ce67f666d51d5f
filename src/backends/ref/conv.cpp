// Conv, ConvTranspose and FusedConv for any number of spatial dims, via im2col/col2im and gemm.h.
#include "backends/ref/gemm.h"
#include "backends/ref/spatial.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace es::ref {
namespace {

constexpr uint32_t kConvTypes = kF32 | kF64;

struct ConvShapes {
  int64_t batch = 0, in_channels = 0, out_channels = 0, group = 1;
  std::vector<int64_t> in_spatial, out_spatial, kernel;
  int64_t in_size() const { return shape_numel(in_spatial); }
  int64_t out_size() const { return shape_numel(out_spatial); }
};

// Validates X/W ranks and channel counts. `transposed`: W is [C, M/group, k...] instead of [M, C/group, k...].
Result<ConvShapes> conv_shapes(const Node& node, const TensorView& x, const TensorView& w, const TensorView& y,
                               bool transposed) {
  if (x.rank() < 3 || w.rank() != x.rank() || y.rank() != x.rank())
    return node_error(node, StatusCode::invalid_model, "X, W and Y must have the same rank >= 3 (got {}, {}, {})",
                      x.rank(), w.rank(), y.rank());
  ConvShapes s;
  s.group = node.attrs.get_int("group", 1);
  s.batch = x.shape[0];
  s.in_channels = x.shape[1];
  s.out_channels = y.shape[1];
  s.in_spatial.assign(x.shape.begin() + 2, x.shape.end());
  s.out_spatial.assign(y.shape.begin() + 2, y.shape.end());
  s.kernel.assign(w.shape.begin() + 2, w.shape.end());
  const bool ok = s.group >= 1 && s.in_channels % s.group == 0 && s.out_channels % s.group == 0 &&
                  (transposed ? w.shape[0] == s.in_channels && w.shape[1] * s.group == s.out_channels
                              : w.shape[0] == s.out_channels && w.shape[1] * s.group == s.in_channels);
  if (!ok)
    return node_error(node, StatusCode::invalid_model, "channels of X {} / W {} / Y {} do not match group {}",
                      shape_str(x.shape), shape_str(w.shape), shape_str(y.shape), s.group);
  return s;
}

// Calls f(out_offset, in_offsets...) for every (kernel position, output position) pair: `col` rows are
// ordered kernel-major within a channel, columns are output positions in row-major order. Input
// coordinates outside the image give -1.
template <typename F>
void for_each_tap(const ConvShapes& s, const Window& w, F&& f) {
  const size_t rank = s.in_spatial.size();
  const std::vector<int64_t> in_strides = shape_strides(s.in_spatial);
  std::vector<int64_t> k(rank, 0);
  int64_t row = 0;
  do {
    std::vector<int64_t> o(rank, 0);
    int64_t col = 0;
    do {
      int64_t offset = 0;
      for (size_t d = 0; d < rank && offset >= 0; ++d) {
        const int64_t i = o[d] * w.strides[d] - w.pad_begin[d] + k[d] * w.dilations[d];
        offset = (i < 0 || i >= s.in_spatial[d]) ? -1 : offset + i * in_strides[d];
      }
      f(row, col, offset);
      ++col;
    } while (next_index(o, s.out_spatial));
    ++row;
  } while (next_index(k, s.kernel));
}

// Precomputed im2col gather map: for each (kernel position, output position) the input offset or -1.
// Shared by every channel and image, so the index arithmetic is paid once per node.
std::vector<int64_t> tap_map(const ConvShapes& s, const Window& w) {
  const int64_t out_size = s.out_size();
  std::vector<int64_t> map(static_cast<size_t>(w.kernel_size() * out_size));
  for_each_tap(s, w, [&](int64_t row, int64_t col, int64_t offset) { map[row * out_size + col] = offset; });
  return map;
}

bool is_pointwise(const ConvShapes& s, const Window& w) {
  for (size_t d = 0; d < s.kernel.size(); ++d) {
    if (s.kernel[d] != 1 || w.strides[d] != 1 || w.pad_begin[d] != 0 || s.in_spatial[d] != s.out_spatial[d])
      return false;
  }
  return true;
}

template <typename T>
T apply_activation(T v, const std::string& activation, const std::vector<float>& p) {
  if (activation.empty()) return v;
  if (activation == "Relu") return std::max<T>(v, 0);
  if (activation == "Clip") return std::clamp<T>(v, static_cast<T>(p[0]), static_cast<T>(p[1]));
  if (activation == "LeakyRelu") return v < 0 ? v * static_cast<T>(p[0]) : v;
  if (activation == "Sigmoid") return T(1) / (T(1) + std::exp(-v));
  if (activation == "HardSigmoid") return std::clamp<T>(static_cast<T>(p[0]) * v + static_cast<T>(p[1]), 0, 1);
  if (activation == "HardSwish") return v * std::clamp<T>(v / T(6) + T(0.5), 0, 1);
  if (activation == "Tanh") return std::tanh(v);
  ES_UNREACHABLE();
}

// FusedConv's activation with its parameters completed by the ONNX defaults; unsupported otherwise.
Result<std::vector<float>> activation_params(const Node& node, const std::string& activation) {
  std::vector<float> p = node.attrs.get_floats("activation_params");
  auto complete = [&](std::vector<float> defaults) {
    for (size_t i = p.size(); i < defaults.size(); ++i) p.push_back(defaults[i]);
  };
  const float inf = std::numeric_limits<float>::infinity();
  if (activation == "Clip") complete({-inf, inf});
  else if (activation == "LeakyRelu") complete({0.01f});
  else if (activation == "HardSigmoid") complete({0.2f, 0.5f});
  else if (!activation.empty() && activation != "Relu" && activation != "Sigmoid" && activation != "HardSwish" &&
           activation != "Tanh")
    return node_error(node, StatusCode::unsupported, "activation '{}' is not supported", activation);
  return p;
}

// Y = bias (broadcast per output channel) or 0; `sum` (FusedConv's residual) and the activation are
// applied afterwards by finish_output.
template <typename T>
void init_with_bias(T* y, const TensorView& bias, int64_t batch, int64_t channels, int64_t size) {
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c)
      std::fill_n(y + (n * channels + c) * size, size, bias.present() ? bias.as<T>()[c] : T(0));
}

template <typename T>
Status finish_output(const Node& node, const TensorView& y, const TensorView& sum) {
  const std::string activation = node.attrs.get_string("activation");
  ES_ASSIGN_OR_RETURN(std::vector<float> params, activation_params(node, activation));
  T* out = y.as<T>();
  if (sum.present()) {
    if (sum.numel() != y.numel())
      return node_error(node, StatusCode::invalid_model, "Sum input {} does not match output {}",
                        shape_str(sum.shape), shape_str(y.shape));
    const T* s = sum.as<T>();
    for (int64_t i = 0; i < y.numel(); ++i) out[i] += s[i];
  }
  if (!activation.empty())
    for (int64_t i = 0; i < y.numel(); ++i) out[i] = apply_activation(out[i], activation, params);
  return {};
}

template <typename T>
Status conv_forward(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& x = in[0];
  const TensorView& w = in[1];
  const TensorView& y = out[0];
  ES_ASSIGN_OR_RETURN(ConvShapes s, conv_shapes(node, x, w, y, false));
  ES_ASSIGN_OR_RETURN(Window win, forward_window(node, s.in_spatial, s.out_spatial, s.kernel));
  const int64_t cg = s.in_channels / s.group, mg = s.out_channels / s.group;
  const int64_t ksize = win.kernel_size(), in_size = s.in_size(), out_size = s.out_size();
  const int64_t depth = cg * ksize;  // GEMM K: one row per (input channel, kernel position)

  T* yp = y.as<T>();
  init_with_bias(yp, in.size() > 2 ? in[2] : TensorView{}, s.batch, s.out_channels, out_size);
  const bool pointwise = is_pointwise(s, win);
  const std::vector<int64_t> map = pointwise ? std::vector<int64_t>{} : tap_map(s, win);
  std::vector<T> col(pointwise ? 0 : static_cast<size_t>(depth * out_size));
  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t g = 0; g < s.group; ++g) {
      const T* xg = x.as<T>() + (n * s.in_channels + g * cg) * in_size;
      if (!pointwise) {
        for (int64_t c = 0; c < cg; ++c) {
          const T* xc = xg + c * in_size;
          T* dst = col.data() + c * ksize * out_size;
          for (int64_t i = 0; i < ksize * out_size; ++i) dst[i] = map[i] < 0 ? T(0) : xc[map[i]];
        }
      }
      const T* b = pointwise ? xg : col.data();
      gemm_accumulate<T>(mg, out_size, depth, w.as<T>() + g * mg * depth, depth, b, out_size,
                         yp + (n * s.out_channels + g * mg) * out_size, out_size);
    }
  }
  return finish_output<T>(node, y, in.size() > 3 ? in[3] : TensorView{});
}

template <typename T>
Status conv_transpose(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& x = in[0];
  const TensorView& w = in[1];
  const TensorView& y = out[0];
  ES_ASSIGN_OR_RETURN(ConvShapes s, conv_shapes(node, x, w, y, true));
  ES_ASSIGN_OR_RETURN(Window win, transposed_window(node, s.in_spatial, s.out_spatial, s.kernel));
  const int64_t cg = s.in_channels / s.group, mg = s.out_channels / s.group;
  const int64_t ksize = win.kernel_size(), in_size = s.in_size(), out_size = s.out_size();
  const int64_t rows = mg * ksize;

  // col2im scatters (kernel position, input position) to output offset = input * stride - pad + k * dilation:
  // the forward Conv tap arithmetic with the spatial roles of input and output swapped.
  ConvShapes swapped = s;
  std::swap(swapped.in_spatial, swapped.out_spatial);
  const std::vector<int64_t> map = tap_map(swapped, win);

  T* yp = y.as<T>();
  init_with_bias(yp, in.size() > 2 ? in[2] : TensorView{}, s.batch, s.out_channels, out_size);
  // W_g^T [mg * ksize, cg]: transposed once per group so gemm reads rows.
  std::vector<T> wt(static_cast<size_t>(rows * cg));
  std::vector<T> col(static_cast<size_t>(rows * in_size));
  for (int64_t g = 0; g < s.group; ++g) {
    const T* wg = w.as<T>() + g * cg * rows;
    for (int64_t c = 0; c < cg; ++c)
      for (int64_t r = 0; r < rows; ++r) wt[r * cg + c] = wg[c * rows + r];
    for (int64_t n = 0; n < s.batch; ++n) {
      std::fill(col.begin(), col.end(), T(0));
      gemm_accumulate<T>(rows, in_size, cg, wt.data(), cg, x.as<T>() + (n * s.in_channels + g * cg) * in_size,
                         in_size, col.data(), in_size);
      for (int64_t m = 0; m < mg; ++m) {
        T* ym = yp + (n * s.out_channels + g * mg + m) * out_size;
        const T* cm = col.data() + m * ksize * in_size;
        for (int64_t i = 0; i < ksize * in_size; ++i)
          if (map[i] >= 0) ym[map[i]] += cm[i];
      }
    }
  }
  return finish_output<T>(node, y, TensorView{});
}

Status conv_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  if (in.size() < 2) return node_error(node, StatusCode::invalid_model, "needs inputs X and W");
  return dispatch<kConvTypes>(in[0].dtype, node, [&](auto tag) -> Status {
    return conv_forward<typename decltype(tag)::type>(node, in, out);
  });
}

Status conv_transpose_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  if (in.size() < 2) return node_error(node, StatusCode::invalid_model, "needs inputs X and W");
  return dispatch<kConvTypes>(in[0].dtype, node, [&](auto tag) -> Status {
    return conv_transpose<typename decltype(tag)::type>(node, in, out);
  });
}

}  // namespace

void register_conv(KernelTable& table) {
  table[static_cast<size_t>(OpKind::Conv)] = conv_kernel;
  table[static_cast<size_t>(OpKind::FusedConv)] = conv_kernel;
  table[static_cast<size_t>(OpKind::ConvTranspose)] = conv_transpose_kernel;
}

}  // namespace es::ref
