#include "backends/cpu/window.h"

namespace es::cpu {

namespace {

// kernel, strides and dilations (ONNX counting) with their defaults, and the declared pads.
struct Attrs {
  std::vector<int64_t> kernel, strides, dilations, pads;
  std::string auto_pad;
};

std::optional<Attrs> read_attrs(const Node& node, std::span<const int64_t> kernel, size_t spatial) {
  Attrs a;
  a.kernel.assign(kernel.begin(), kernel.end());
  a.strides = node.attrs.get_ints("strides", std::vector<int64_t>(spatial, 1));
  a.dilations = node.attrs.get_ints("dilations", std::vector<int64_t>(spatial, 1));
  a.pads = node.attrs.get_ints("pads", std::vector<int64_t>(2 * spatial, 0));
  a.auto_pad = node.attrs.get_string("auto_pad", "NOTSET");
  if (a.kernel.size() != spatial || a.strides.size() != spatial || a.dilations.size() != spatial ||
      a.pads.size() != 2 * spatial)
    return std::nullopt;
  return a;
}

int64_t effective_kernel(int64_t kernel, int64_t dilation) { return (kernel - 1) * dilation + 1; }

}  // namespace

std::optional<Window> forward_window(const Node& node, std::span<const int64_t> kernel,
                                     std::span<const int64_t> in_spatial, std::span<const int64_t> out_spatial) {
  const size_t n = in_spatial.size();
  auto attrs = read_attrs(node, kernel, n);
  if (!attrs || out_spatial.size() != n) return std::nullopt;
  Window w;
  for (size_t i = 0; i < n; ++i) {
    const int64_t in = in_spatial[i], out = out_spatial[i], s = attrs->strides[i];
    const int64_t k = effective_kernel(attrs->kernel[i], attrs->dilations[i]);
    int64_t begin = attrs->pads[i], end = attrs->pads[i + n];
    if (attrs->auto_pad == "VALID") {
      begin = end = 0;
    } else if (attrs->auto_pad == "SAME_UPPER" || attrs->auto_pad == "SAME_LOWER") {
      const int64_t total = std::max<int64_t>(0, (out - 1) * s + k - in);
      begin = attrs->auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end = total - begin;
    }
    auto floor_out = [&](int64_t right) { return (in + begin + right - k) / s + 1; };
    int64_t right = end;
    if (floor_out(right) != out) right = (out - 1) * s + k - in - begin;  // ceil_mode: pad just enough
    if (right < 0 || begin < 0 || floor_out(right) != out) return std::nullopt;
    w.kernel.push_back(attrs->kernel[i]);
    w.strides.push_back(s);
    w.dilations.push_back(attrs->dilations[i] - 1);
    w.padding_l.push_back(begin);
    w.padding_r.push_back(right);
    w.padded_beyond_declared = w.padded_beyond_declared || right > end;
  }
  return w;
}

std::optional<Window> transposed_window(const Node& node, std::span<const int64_t> kernel,
                                        std::span<const int64_t> in_spatial, std::span<const int64_t> out_spatial) {
  const size_t n = in_spatial.size();
  auto attrs = read_attrs(node, kernel, n);
  if (!attrs || out_spatial.size() != n || node.attrs.has("output_shape")) return std::nullopt;
  if (attrs->auto_pad != "NOTSET" && attrs->auto_pad != "VALID") return std::nullopt;
  Window w;
  for (size_t i = 0; i < n; ++i) {
    const int64_t begin = attrs->auto_pad == "VALID" ? 0 : attrs->pads[i];
    const int64_t k = effective_kernel(attrs->kernel[i], attrs->dilations[i]);
    // oneDNN: out = (in - 1) * stride + k - left - right, so output_padding reduces the right padding.
    const int64_t right = (in_spatial[i] - 1) * attrs->strides[i] + k - begin - out_spatial[i];
    if (right < 0 || begin < 0) return std::nullopt;
    w.kernel.push_back(attrs->kernel[i]);
    w.strides.push_back(attrs->strides[i]);
    w.dilations.push_back(attrs->dilations[i] - 1);
    w.padding_l.push_back(begin);
    w.padding_r.push_back(right);
  }
  return w;
}

}  // namespace es::cpu
