// Resize (nearest/linear/cubic, every coordinate_transformation_mode of opset 17, any rank), and the
// DepthToSpace/SpaceToDepth rearrangements.
//
// Resize follows the ONNX reference implementation (onnx/backend/test/case/node/resize.py), which the
// conformance data was generated with: interpolation is separable, so each axis gets, per output
// coordinate, a few (input index, weight) taps; an output element sums the products of its taps over
// all axes. "length_resized" in the coordinate formulas is input_length * scale (not the rounded size).
#include "backends/ref/kernel_support.h"

#include <cmath>

namespace es::ref {
namespace {

struct Tap {
  int64_t index;
  double weight;
};

struct AxisTaps {
  std::vector<std::vector<Tap>> taps;  // per output coordinate
  std::vector<bool> outside;           // tf_crop_and_resize: the coordinate maps outside the input
};

struct ResizeMode {
  std::string mode, transform, nearest;
  double cubic_a;
  bool exclude_outside;
};

Result<ResizeMode> resize_mode(const Node& node) {
  ResizeMode m{node.attrs.get_string("mode", "nearest"),
               node.attrs.get_string("coordinate_transformation_mode", "half_pixel"),
               node.attrs.get_string("nearest_mode", "round_prefer_floor"),
               static_cast<double>(node.attrs.get_float("cubic_coeff_a", -0.75f)),
               node.attrs.get_int("exclude_outside", 0) != 0};
  const bool mode_ok = m.mode == "nearest" || m.mode == "linear" || m.mode == "cubic";
  const bool transform_ok = m.transform == "half_pixel" || m.transform == "pytorch_half_pixel" ||
                            m.transform == "align_corners" || m.transform == "asymmetric" ||
                            m.transform == "tf_crop_and_resize" || m.transform == "tf_half_pixel_for_nn";
  const bool nearest_ok = m.nearest == "round_prefer_floor" || m.nearest == "round_prefer_ceil" ||
                          m.nearest == "floor" || m.nearest == "ceil";
  if (!mode_ok || !transform_ok || !nearest_ok)
    return node_error(node, StatusCode::unsupported, "mode '{}' / coordinate_transformation_mode '{}' / nearest_mode '{}'",
                      m.mode, m.transform, m.nearest);
  return m;
}

// Input coordinate of output coordinate x (see the ONNX Resize spec).
double original_coordinate(const ResizeMode& m, double x, double scale, int64_t in_len, double roi_start,
                           double roi_end) {
  const double out_len = scale * static_cast<double>(in_len);
  const double last = static_cast<double>(in_len - 1);
  if (m.transform == "align_corners") return out_len == 1 ? 0 : x * last / (out_len - 1);
  if (m.transform == "asymmetric") return x / scale;
  if (m.transform == "tf_half_pixel_for_nn") return (x + 0.5) / scale;
  if (m.transform == "pytorch_half_pixel") return out_len == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
  if (m.transform == "tf_crop_and_resize")
    return out_len == 1 ? (roi_end - roi_start) * last / 2 + roi_start * last
                        : x * (roi_end - roi_start) * last / (out_len - 1) + roi_start * last;
  return (x + 0.5) / scale - 0.5;  // half_pixel
}

// Weights of the taps at floor(x)+offset for offset in [first, first + count).
std::vector<double> tap_weights(const ResizeMode& m, double ratio, int64_t* first) {
  if (m.mode == "nearest") {
    bool up = ratio > 0;
    if (m.nearest == "round_prefer_floor") up = ratio > 0.5;
    else if (m.nearest == "round_prefer_ceil") up = ratio >= 0.5;
    else if (m.nearest == "floor") up = false;
    *first = up ? 1 : 0;
    return {1.0};
  }
  if (m.mode == "linear") {
    *first = 0;
    return {1 - ratio, ratio};
  }
  const double a = m.cubic_a, r = ratio, s = 1 - ratio;
  *first = -1;
  return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a, ((a + 2) * r - (a + 3)) * r * r + 1,
          ((a + 2) * s - (a + 3)) * s * s + 1, ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
}

AxisTaps axis_taps(const ResizeMode& m, int64_t in_len, int64_t out_len, double scale, double roi_start,
                   double roi_end) {
  AxisTaps axis;
  for (int64_t x = 0; x < out_len; ++x) {
    const double orig = original_coordinate(m, static_cast<double>(x), scale, in_len, roi_start, roi_end);
    axis.outside.push_back(m.transform == "tf_crop_and_resize" && (orig < 0 || orig > static_cast<double>(in_len - 1)));
    const double floor_orig = std::floor(orig);
    int64_t first = 0;
    const std::vector<double> weights = tap_weights(m, orig - floor_orig, &first);
    std::vector<Tap> taps;
    double total = 0;
    for (size_t k = 0; k < weights.size(); ++k) {
      const int64_t i = static_cast<int64_t>(floor_orig) + first + static_cast<int64_t>(k);
      const bool inside = i >= 0 && i < in_len;
      if (m.exclude_outside && !inside) continue;
      taps.push_back({std::clamp<int64_t>(i, 0, in_len - 1), weights[k]});  // edge padding outside
      total += weights[k];
    }
    if (m.exclude_outside && total != 0)
      for (Tap& t : taps) t.weight /= total;
    axis.taps.push_back(std::move(taps));
  }
  return axis;
}

template <typename T>
void interpolate(const TensorView& x, const TensorView& y, const std::vector<AxisTaps>& axes, double extrapolation) {
  const size_t rank = axes.size();
  const std::vector<int64_t> x_strides = shape_strides(x.shape);
  const T* in = cdata<T>(x);
  T* out = mdata<T>(y);
  std::vector<int64_t> o(rank, 0);
  std::vector<const std::vector<Tap>*> taps(rank);
  std::vector<int64_t> choice(rank), counts(rank);
  do {
    bool outside = false;
    for (size_t d = 0; d < rank; ++d) {
      taps[d] = &axes[d].taps[static_cast<size_t>(o[d])];
      counts[d] = static_cast<int64_t>(taps[d]->size());
      outside = outside || axes[d].outside[static_cast<size_t>(o[d])];
    }
    double acc = 0;
    if (outside) {
      acc = extrapolation;
    } else {
      std::fill(choice.begin(), choice.end(), 0);
      do {
        double w = 1;
        int64_t offset = 0;
        for (size_t d = 0; d < rank; ++d) {
          const Tap& t = (*taps[d])[static_cast<size_t>(choice[d])];
          w *= t.weight;
          offset += t.index * x_strides[d];
        }
        acc += w * static_cast<double>(load(in[offset]));
      } while (next_index(choice, counts));
    }
    *out++ = store<T>(static_cast<compute_t<T>>(acc));
  } while (next_index(o, y.shape));
}

Status resize_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  if (in.empty() || !in[0].present()) return node_error(node, StatusCode::invalid_model, "input X is missing");
  const TensorView& x = in[0];
  const TensorView& y = out[0];
  const size_t rank = static_cast<size_t>(x.rank());
  if (y.rank() != x.rank()) return node_error(node, StatusCode::invalid_model, "output rank differs from input");
  ES_ASSIGN_OR_RETURN(const ResizeMode m, resize_mode(node));
  ES_ASSIGN_OR_RETURN(std::vector<double> roi, read_floats(node, in.size() > 1 ? in[1] : TensorView{}, "roi"));
  ES_ASSIGN_OR_RETURN(std::vector<double> scales, read_floats(node, in.size() > 2 ? in[2] : TensorView{}, "scales"));
  if (roi.empty() || m.transform != "tf_crop_and_resize") {
    roi.assign(rank, 0.0);
    roi.resize(2 * rank, 1.0);
  }
  if (roi.size() != 2 * rank || (!scales.empty() && scales.size() != rank))
    return node_error(node, StatusCode::invalid_model, "roi/scales do not have rank {} entries", rank);
  if (y.numel() == 0) return {};
  std::vector<AxisTaps> axes;
  for (size_t d = 0; d < rank; ++d) {
    // With `sizes` the scale is output/input, as in the ONNX reference.
    const double scale = scales.empty() ? static_cast<double>(y.shape[d]) / static_cast<double>(x.shape[d]) : scales[d];
    if (!(scale > 0)) return node_error(node, StatusCode::invalid_model, "scale of axis {} is not positive", d);
    axes.push_back(axis_taps(m, x.shape[d], y.shape[d], scale, roi[d], roi[rank + d]));
  }
  const double extrapolation = node.attrs.get_float("extrapolation_value", 0.0f);
  return dispatch<kFloats | kI8 | kU8>(x.dtype, node, [&](auto tag) -> Status {
    interpolate<typename decltype(tag)::type>(x, y, axes, extrapolation);
    return {};
  });
}

// DepthToSpace (DCR or CRD) and SpaceToDepth: element moves between [N, C, H, W] layouts.
template <bool to_space>
Status depth_space_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  if (in.empty() || !in[0].present()) return node_error(node, StatusCode::invalid_model, "input is missing");
  const TensorView& x = in[0];
  const TensorView& y = out[0];
  if (dtype_size(x.dtype) == 0) return node_error(node, StatusCode::unsupported, "dtype {}", dtype_name(x.dtype));
  const int64_t b = node.attrs.get_int("blocksize", 0);
  const TensorView& space = to_space ? y : x;  // the [N, C, H*b, W*b] side
  const TensorView& depth = to_space ? x : y;  // the [N, C*b*b, H, W] side
  if (x.rank() != 4 || y.rank() != 4 || b < 1 || depth.shape[1] != space.shape[1] * b * b ||
      space.shape[2] != depth.shape[2] * b || space.shape[3] != depth.shape[3] * b)
    return node_error(node, StatusCode::invalid_model, "shapes {} -> {} do not match blocksize {}",
                      shape_str(x.shape), shape_str(y.shape), b);
  const bool crd = to_space && node.attrs.get_string("mode", "DCR") == "CRD";
  const int64_t c_space = space.shape[1], h = depth.shape[2], w = depth.shape[3];
  // Offset in the depth-side tensor of space-side element (n, c, hh, ww).
  auto depth_offset = [&](int64_t n, int64_t c, int64_t hh, int64_t ww) {
    const int64_t i = hh % b, j = ww % b;
    const int64_t channel = crd ? (c * b + i) * b + j : (i * b + j) * c_space + c;
    return ((n * depth.shape[1] + channel) * h + hh / b) * w + ww / b;
  };
  if (to_space) {
    mapped_copy(y, x, [&](const std::vector<int64_t>& o) { return depth_offset(o[0], o[1], o[2], o[3]); });
  } else {
    const std::vector<int64_t> strides = shape_strides(x.shape);
    // Scatter: walk the space-side input and place each element at its depth-side offset.
    const size_t es = dtype_size(x.dtype);
    std::vector<int64_t> index(4, 0);
    int64_t pos = 0;
    if (x.numel() > 0) {
      do {
        copy_element(bytes_of(y) + depth_offset(index[0], index[1], index[2], index[3]) * static_cast<int64_t>(es),
                     bytes_of(x) + pos++ * static_cast<int64_t>(es), es);
      } while (next_index(index, x.shape));
    }
  }
  return {};
}

}  // namespace

void register_resize(KernelTable& table) {
  table[static_cast<size_t>(OpKind::Resize)] = resize_kernel;
  table[static_cast<size_t>(OpKind::DepthToSpace)] = depth_space_kernel<true>;
  table[static_cast<size_t>(OpKind::SpaceToDepth)] = depth_space_kernel<false>;
}

}  // namespace es::ref
