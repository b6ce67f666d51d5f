// Element-wise ops: unary maps, broadcasting arithmetic/comparison/logic, Where, PRelu, Clip, casts,
// Dropout and (de)quantisation.
#include "ir/shape_rules/rules.h"
#include "ir/shape_rules/shape_math.h"

namespace es::shape_rules {
namespace {

// Broadcasts all inputs together (all present: see check_arity).
Result<Shape> broadcast_inputs(const RuleContext& ctx) {
  Shape out = ctx.shape(0);
  for (size_t i = 1; i < ctx.input_count(); ++i) {
    std::optional<Shape> next = broadcast_shapes(out, ctx.shape(i));
    if (!next)
      return ctx.invalid("input {} of shape {} does not broadcast with shape {}", i, shape_str(ctx.shape(i)),
                         shape_str(out));
    out = std::move(*next);
  }
  return out;
}

Status all_same_dtype(const RuleContext& ctx) {
  for (size_t i = 1; i < ctx.input_count(); ++i) ES_TRY(ctx.expect_same_dtype(0, i));
  return {};
}

Status expect_single_element(const RuleContext& ctx, size_t i) {
  if (shape_numel(ctx.shape(i)) != 1)
    return ctx.invalid("input {} has shape {}, expected a single element", i, shape_str(ctx.shape(i)));
  return {};
}

}  // namespace

Status same_as_input_rule(RuleContext& ctx) {
  ctx.set_output(0, ctx.dtype(0), ctx.shape(0));
  return {};
}

Status bool_same_shape_rule(RuleContext& ctx) {
  ctx.set_output(0, DType::boolean, ctx.shape(0));
  return {};
}

Status broadcast_rule(RuleContext& ctx) {
  ES_TRY(all_same_dtype(ctx));
  ES_ASSIGN_OR_RETURN(Shape out, broadcast_inputs(ctx));
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status compare_rule(RuleContext& ctx) {
  ES_TRY(all_same_dtype(ctx));
  ES_ASSIGN_OR_RETURN(Shape out, broadcast_inputs(ctx));
  ctx.set_output(0, DType::boolean, std::move(out));
  return {};
}

Status pow_rule(RuleContext& ctx) {
  ES_ASSIGN_OR_RETURN(Shape out, broadcast_inputs(ctx));
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status where_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_dtype(0, DType::boolean));
  ES_TRY(ctx.expect_same_dtype(1, 2));
  ES_ASSIGN_OR_RETURN(Shape out, broadcast_inputs(ctx));
  ctx.set_output(0, ctx.dtype(1), std::move(out));
  return {};
}

Status prelu_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_same_dtype(0, 1));
  if (!broadcasts_to(ctx.shape(1), ctx.shape(0)))
    return ctx.invalid("slope of shape {} does not broadcast to input shape {}", shape_str(ctx.shape(1)),
                       shape_str(ctx.shape(0)));
  return same_as_input_rule(ctx);
}

Status clip_rule(RuleContext& ctx) {
  for (size_t i = 1; i < ctx.input_count(); ++i) {
    if (!ctx.has_input(i)) continue;
    ES_TRY(ctx.expect_same_dtype(0, i));
    ES_TRY(expect_single_element(ctx, i));
  }
  return same_as_input_rule(ctx);
}

Status cast_rule(RuleContext& ctx) {
  if (!ctx.attrs().has("to")) return ctx.invalid("attribute 'to' is missing");
  const int64_t to = ctx.attrs().get_int("to", 0);
  const DType dtype = dtype_from_onnx(static_cast<int32_t>(to));
  if (dtype == DType::undefined) return ctx.unsupported("attribute 'to' names unknown data type {}", to);
  ctx.set_output(0, dtype, ctx.shape(0));
  return {};
}

Status cast_like_rule(RuleContext& ctx) {
  ctx.set_output(0, ctx.dtype(1), ctx.shape(0));
  return {};
}

Status dropout_rule(RuleContext& ctx) {
  if (ctx.has_input(1)) ES_TRY(expect_single_element(ctx, 1));
  if (ctx.has_input(2)) ES_TRY(ctx.expect_dtype(2, DType::boolean));
  ctx.set_output(0, ctx.dtype(0), ctx.shape(0));
  ctx.set_output(1, DType::boolean, ctx.shape(0));
  return {};
}

namespace {
// Scale (and zero point) of (de)quantisation: one value (a scalar or a 1-element vector), or one per
// channel along attribute `axis`.
Status check_quant_params(const RuleContext& ctx) {
  const size_t scale_count = ctx.has_input(2) ? 3 : 2;
  for (size_t i = 1; i < scale_count; ++i) {
    if (shape_numel(ctx.shape(i)) == 1 && ctx.rank(i) <= 1) continue;  // per-tensor, as ONNX Runtime reads it
    if (ctx.rank(i) != 1) return ctx.invalid("input {} has rank {}, expected 0 or 1", i, ctx.rank(i));
    if (ctx.rank(0) == 0) return ctx.invalid("per-axis input {} needs an input of rank at least 1", i);
    ES_ASSIGN_OR_RETURN(int64_t axis, ctx.normalize_axis(ctx.attrs().get_int("axis", 1), ctx.rank(0)));
    if (ctx.shape(i)[0] != ctx.shape(0)[axis])
      return ctx.invalid("input {} has {} values but axis {} of the input has size {}", i, ctx.shape(i)[0], axis,
                         ctx.shape(0)[axis]);
  }
  if (ctx.has_input(2) && shape_numel(ctx.shape(1)) != shape_numel(ctx.shape(2)))
    return ctx.invalid("zero point of shape {} does not match scale of shape {}", shape_str(ctx.shape(2)),
                       shape_str(ctx.shape(1)));
  return {};
}
}  // namespace

Status quantize_rule(RuleContext& ctx) {
  ES_TRY(check_quant_params(ctx));
  ctx.set_output(0, ctx.has_input(2) ? ctx.dtype(2) : DType::u8, ctx.shape(0));
  return {};
}

Status dequantize_rule(RuleContext& ctx) {
  ES_TRY(check_quant_params(ctx));
  if (ctx.has_input(2)) ES_TRY(ctx.expect_same_dtype(0, 2));
  ctx.set_output(0, ctx.dtype(1), ctx.shape(0));
  return {};
}

}  // namespace es::shape_rules
