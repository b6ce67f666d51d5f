// Sliding-window ops: Conv (and FusedConv, which has Conv's shape), ConvTranspose, the pools.
#include "ir/shape_rules/rules.h"
#include "ir/shape_rules/shape_math.h"

namespace es::shape_rules {
namespace {

// Shared checks of Conv and ConvTranspose: X is N x C x spatial..., W has the same rank, bias is 1-D.
Status check_conv_operands(const RuleContext& ctx, int64_t group) {
  ES_TRY(ctx.expect_min_rank(0, 3));
  ES_TRY(ctx.expect_rank(1, ctx.rank(0)));
  ES_TRY(ctx.expect_same_dtype(0, 1));
  if (group < 1) return ctx.invalid("attribute group is {}, expected at least 1", group);
  return {};
}

Status check_bias(const RuleContext& ctx, int64_t channels) {
  if (!ctx.has_input(2)) return {};
  ES_TRY(ctx.expect_rank(2, 1));
  if (ctx.shape(2)[0] != channels)
    return ctx.invalid("bias has {} values, expected {} (output channels)", ctx.shape(2)[0], channels);
  return {};
}

std::span<const int64_t> spatial_of(const Shape& s) { return {s.begin() + 2, s.end()}; }

}  // namespace

Status conv_rule(RuleContext& ctx) {
  const int64_t group = ctx.attrs().get_int("group", 1);
  ES_TRY(check_conv_operands(ctx, group));
  const Shape& x = ctx.shape(0);
  const Shape& w = ctx.shape(1);
  if (w[1] * group != x[1])
    return ctx.invalid("weight expects {} input channels ({} per group x {} groups), input has {}", w[1] * group,
                       w[1], group, x[1]);
  if (w[0] % group != 0) return ctx.invalid("{} output channels do not divide into {} groups", w[0], group);
  ES_TRY(check_bias(ctx, w[0]));
  ES_ASSIGN_OR_RETURN(WindowAttrs win, read_window_attrs(ctx, x.size() - 2, spatial_of(w)));
  if (!std::equal(win.kernel.begin(), win.kernel.end(), w.begin() + 2))
    return ctx.invalid("attribute kernel_shape {} does not match the weight shape {}", shape_str(win.kernel),
                       shape_str(w));
  ES_ASSIGN_OR_RETURN(Shape spatial, window_output(ctx, win, spatial_of(x)));
  Shape out{x[0], w[0]};
  out.insert(out.end(), spatial.begin(), spatial.end());
  // FusedConv's residual input is added to the convolution's result element by element.
  if (ctx.node().op == OpKind::FusedConv && ctx.has_input(3) && ctx.shape(3) != out)
    return ctx.invalid("residual input of shape {} does not match the output shape {}", shape_str(ctx.shape(3)),
                       shape_str(out));
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status conv_transpose_rule(RuleContext& ctx) {
  const int64_t group = ctx.attrs().get_int("group", 1);
  ES_TRY(check_conv_operands(ctx, group));
  const Shape& x = ctx.shape(0);
  const Shape& w = ctx.shape(1);
  const size_t spatial = x.size() - 2;
  if (w[0] != x[1]) return ctx.invalid("weight expects {} input channels, input has {}", w[0], x[1]);
  if (x[1] % group != 0) return ctx.invalid("{} input channels do not divide into {} groups", x[1], group);
  const int64_t channels = w[1] * group;
  ES_TRY(check_bias(ctx, channels));
  ES_ASSIGN_OR_RETURN(WindowAttrs win, read_window_attrs(ctx, spatial, spatial_of(w)));
  const auto output_padding = ctx.attrs().get_ints("output_padding", std::vector<int64_t>(spatial, 0));
  if (output_padding.size() != spatial)
    return ctx.invalid("attribute output_padding has {} values, expected {}", output_padding.size(), spatial);
  Shape out{x[0], channels};
  if (ctx.attrs().has("output_shape")) {
    // Explicit output size (pads are derived from it); some exporters include N and C.
    auto requested = ctx.attrs().get_ints("output_shape");
    if (requested.size() == spatial + 2) requested.erase(requested.begin(), requested.begin() + 2);
    if (requested.size() != spatial)
      return ctx.invalid("attribute output_shape has {} values, expected {}", requested.size(), spatial);
    out.insert(out.end(), requested.begin(), requested.end());
  } else {
    for (size_t i = 0; i < spatial; ++i) {
      const int64_t in = x[i + 2];
      const int64_t s = win.strides[i];
      const int64_t extent = (win.kernel[i] - 1) * win.dilations[i] + 1;
      const bool same = win.auto_pad == "SAME_UPPER" || win.auto_pad == "SAME_LOWER";
      out.push_back(same ? in * s
                         : s * (in - 1) + output_padding[i] + extent - win.pads[i] - win.pads[i + spatial]);
    }
  }
  for (size_t i = 2; i < out.size(); ++i)
    if (out[i] < 1) return ctx.invalid("output spatial size {} on axis {} is not positive", out[i], i);
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status pool_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_min_rank(0, 3));
  const Shape& x = ctx.shape(0);
  if (!ctx.attrs().has("kernel_shape")) return ctx.invalid("attribute kernel_shape is missing");
  ES_ASSIGN_OR_RETURN(WindowAttrs win, read_window_attrs(ctx, x.size() - 2, {}));
  ES_ASSIGN_OR_RETURN(Shape spatial, window_output(ctx, win, spatial_of(x)));
  Shape out{x[0], x[1]};
  out.insert(out.end(), spatial.begin(), spatial.end());
  ctx.set_output(0, ctx.dtype(0), out);
  ctx.set_output(1, DType::i64, std::move(out));  // MaxPool's Indices
  return {};
}

Status global_pool_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_min_rank(0, 2));
  Shape out = ctx.shape(0);
  std::fill(out.begin() + 2, out.end(), 1);
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

}  // namespace es::shape_rules
