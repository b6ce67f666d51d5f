#include "ir/shape_rules/shape_math.h"

#include <algorithm>

namespace es::shape_rules {

std::optional<Shape> broadcast_shapes(std::span<const int64_t> a, std::span<const int64_t> b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the right; missing leading dims act as 1.
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool broadcasts_to(std::span<const int64_t> from, std::span<const int64_t> to) {
  if (from.size() > to.size()) return false;
  const size_t offset = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[offset + i]) return false;
  return true;
}

namespace {
Status check_length(const RuleContext& ctx, const char* name, const std::vector<int64_t>& v, size_t expected) {
  if (v.size() != expected)
    return ctx.invalid("attribute {} has {} values, expected {}", name, v.size(), expected);
  return {};
}

Status check_all_at_least(const RuleContext& ctx, const char* name, const std::vector<int64_t>& v, int64_t min) {
  for (int64_t x : v)
    if (x < min) return ctx.invalid("attribute {} has value {}, expected at least {}", name, x, min);
  return {};
}
}  // namespace

Result<WindowAttrs> read_window_attrs(const RuleContext& ctx, size_t spatial, std::span<const int64_t> kernel) {
  const Attributes& a = ctx.attrs();
  WindowAttrs w;
  w.auto_pad = a.get_string("auto_pad", "NOTSET");
  if (w.auto_pad != "NOTSET" && w.auto_pad != "SAME_UPPER" && w.auto_pad != "SAME_LOWER" && w.auto_pad != "VALID")
    return ctx.invalid("attribute auto_pad has unknown value '{}'", w.auto_pad);
  w.kernel = a.get_ints("kernel_shape", std::vector<int64_t>(kernel.begin(), kernel.end()));
  w.strides = a.get_ints("strides", std::vector<int64_t>(spatial, 1));
  w.dilations = a.get_ints("dilations", std::vector<int64_t>(spatial, 1));
  w.pads = a.get_ints("pads", std::vector<int64_t>(2 * spatial, 0));
  w.ceil_mode = a.get_int("ceil_mode", 0) != 0;
  ES_TRY(check_length(ctx, "kernel_shape", w.kernel, spatial));
  ES_TRY(check_length(ctx, "strides", w.strides, spatial));
  ES_TRY(check_length(ctx, "dilations", w.dilations, spatial));
  ES_TRY(check_length(ctx, "pads", w.pads, 2 * spatial));
  ES_TRY(check_all_at_least(ctx, "kernel_shape", w.kernel, 1));
  ES_TRY(check_all_at_least(ctx, "strides", w.strides, 1));
  ES_TRY(check_all_at_least(ctx, "dilations", w.dilations, 1));
  ES_TRY(check_all_at_least(ctx, "pads", w.pads, 0));
  if (w.auto_pad != "NOTSET") std::fill(w.pads.begin(), w.pads.end(), 0);  // pads are derived, not given
  return w;
}

Result<Shape> window_output(const RuleContext& ctx, const WindowAttrs& w, std::span<const int64_t> in) {
  const size_t spatial = in.size();
  Shape out(spatial);
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t s = w.strides[i];
    const int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;  // dilated kernel
    if (w.auto_pad == "SAME_UPPER" || w.auto_pad == "SAME_LOWER") {
      out[i] = (in[i] + s - 1) / s;
      continue;
    }
    const int64_t pad_begin = w.pads[i];
    const int64_t padded = in[i] + pad_begin + w.pads[i + spatial];
    if (padded < extent)
      return ctx.invalid("kernel extent {} is larger than the padded input size {} on spatial axis {}", extent,
                         padded, i);
    if (w.auto_pad == "VALID" || !w.ceil_mode) {
      out[i] = (padded - extent) / s + 1;
      continue;
    }
    out[i] = (padded - extent + s - 1) / s + 1;
    // The last window must start inside the input or its left padding (PyTorch/ONNX Runtime rule).
    if ((out[i] - 1) * s >= in[i] + pad_begin) --out[i];
  }
  return out;
}

}  // namespace es::shape_rules
