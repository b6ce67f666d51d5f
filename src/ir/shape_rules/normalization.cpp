// Normalisation ops: BatchNormalization, InstanceNormalization, LayerNormalization, LRN, MVN and the
// same-shape ops that take an axis (Softmax family, LpNormalization).
#include "ir/shape_rules/rules.h"
#include "ir/shape_rules/shape_math.h"

namespace es::shape_rules {
namespace {
// Inputs [first, last) are per-channel vectors of the channel count of input 0 (axis 1).
Status expect_per_channel(const RuleContext& ctx, size_t first, size_t last) {
  const int64_t channels = ctx.shape(0)[1];
  for (size_t i = first; i < last && i < ctx.input_count(); ++i) {
    if (!ctx.has_input(i)) continue;
    ES_TRY(ctx.expect_rank(i, 1));
    if (ctx.shape(i)[0] != channels)
      return ctx.invalid("input {} has {} values, expected one per channel ({})", i, ctx.shape(i)[0], channels);
  }
  return {};
}
}  // namespace

Status batch_norm_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_min_rank(0, 2));
  ES_TRY(expect_per_channel(ctx, 1, 5));
  ctx.set_output(0, ctx.dtype(0), ctx.shape(0));
  ctx.set_output(1, ctx.dtype(3), ctx.shape(3));  // running mean and variance (training mode)
  ctx.set_output(2, ctx.dtype(4), ctx.shape(4));
  return {};
}

Status instance_norm_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_min_rank(0, 2));
  ES_TRY(ctx.expect_same_dtype(0, 1));
  ES_TRY(ctx.expect_same_dtype(0, 2));
  ES_TRY(expect_per_channel(ctx, 1, 3));
  return same_as_input_rule(ctx);
}

Status layer_norm_rule(RuleContext& ctx) {
  const Shape& x = ctx.shape(0);
  ES_ASSIGN_OR_RETURN(int64_t axis, ctx.normalize_axis(ctx.attrs().get_int("axis", -1), ctx.rank(0)));
  const std::span<const int64_t> normalized(x.begin() + axis, x.end());
  for (size_t i = 1; i < 3; ++i)
    if (ctx.has_input(i) && !broadcasts_to(ctx.shape(i), normalized))
      return ctx.invalid("input {} of shape {} does not broadcast to the normalized shape {}", i,
                         shape_str(ctx.shape(i)), shape_str(normalized));
  Shape stats = x;
  std::fill(stats.begin() + axis, stats.end(), 1);
  const DType stats_dtype = ctx.attrs().get_int("stash_type", 1) == 1 ? DType::f32 : ctx.dtype(0);
  ctx.set_output(0, ctx.dtype(0), x);
  ctx.set_output(1, stats_dtype, stats);
  ctx.set_output(2, stats_dtype, std::move(stats));
  return {};
}

Status axis_same_shape_rule(RuleContext& ctx) {
  ES_TRY(ctx.normalize_axis(ctx.attrs().get_int("axis", -1), ctx.rank(0)));
  return same_as_input_rule(ctx);
}

Status mvn_rule(RuleContext& ctx) {
  ES_TRY(ctx.normalize_axes(ctx.attrs().get_ints("axes", {0, 2, 3}), ctx.rank(0)));
  return same_as_input_rule(ctx);
}

Status lrn_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_min_rank(0, 3));
  const int64_t size = ctx.attrs().get_int("size", 0);
  if (size < 1) return ctx.invalid("attribute size is {}, expected a positive window", size);
  return same_as_input_rule(ctx);
}

}  // namespace es::shape_rules
