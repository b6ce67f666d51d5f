// Shape arithmetic shared by several rule families: broadcasting and sliding-window output sizes.
#pragma once

#include "ir/shape_rules/rule_context.h"

#include <span>

namespace es::shape_rules {

// Multidirectional (numpy) broadcast of two shapes; nullopt when they do not broadcast.
std::optional<Shape> broadcast_shapes(std::span<const int64_t> a, std::span<const int64_t> b);
// Unidirectional broadcast: can `from` be broadcast to `to` without changing `to`?
bool broadcasts_to(std::span<const int64_t> from, std::span<const int64_t> to);

// Attributes of a sliding window (Conv, pools) over `spatial` dimensions, validated and defaulted.
struct WindowAttrs {
  std::string auto_pad;  // NOTSET, SAME_UPPER, SAME_LOWER, VALID
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: begins then ends
  bool ceil_mode = false;
};
// Reads kernel_shape (or takes `kernel` when the attribute is absent), strides, dilations, pads,
// auto_pad and ceil_mode, checking their lengths and values.
Result<WindowAttrs> read_window_attrs(const RuleContext& ctx, size_t spatial, std::span<const int64_t> kernel);
// Output sizes of the window over input `in` (spatial dims only); fails when the window does not fit.
Result<Shape> window_output(const RuleContext& ctx, const WindowAttrs& w, std::span<const int64_t> in);

}  // namespace es::shape_rules
