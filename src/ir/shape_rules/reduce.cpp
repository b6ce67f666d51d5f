// Reductions along axes: Reduce*, ArgMax/ArgMin, CumSum (shape-preserving) and TopK.
#include "ir/shape_rules/rules.h"

#include <algorithm>

namespace es::shape_rules {
namespace {
// The input shape with `axes` removed, or kept as 1 when keepdims.
Shape reduced_shape(const Shape& in, const std::vector<int64_t>& axes, bool keepdims) {
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    const bool reduced = std::find(axes.begin(), axes.end(), static_cast<int64_t>(i)) != axes.end();
    if (!reduced) out.push_back(in[i]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}
}  // namespace

Status reduce_rule(RuleContext& ctx) {
  // Opset 17 gives ReduceSum its axes as input 1 and the others as an attribute; accept either.
  std::vector<int64_t> axes;
  if (ctx.has_input(1)) {
    ES_ASSIGN_OR_RETURN(axes, ctx.known_ints(1));
  } else {
    axes = ctx.attrs().get_ints("axes");
  }
  const bool keepdims = ctx.attrs().get_int("keepdims", 1) != 0;
  if (axes.empty()) {
    if (ctx.attrs().get_int("noop_with_empty_axes", 0) != 0) return same_as_input_rule(ctx);
    for (int64_t i = 0; i < ctx.rank(0); ++i) axes.push_back(i);
  }
  ES_ASSIGN_OR_RETURN(axes, ctx.normalize_axes(axes, ctx.rank(0)));
  ctx.set_output(0, ctx.dtype(0), reduced_shape(ctx.shape(0), axes, keepdims));
  return {};
}

Status arg_reduce_rule(RuleContext& ctx) {
  ES_ASSIGN_OR_RETURN(int64_t axis, ctx.normalize_axis(ctx.attrs().get_int("axis", 0), ctx.rank(0)));
  const bool keepdims = ctx.attrs().get_int("keepdims", 1) != 0;
  ctx.set_output(0, DType::i64, reduced_shape(ctx.shape(0), {axis}, keepdims));
  return {};
}

Status cumsum_rule(RuleContext& ctx) {
  if (shape_numel(ctx.shape(1)) != 1)
    return ctx.invalid("axis input has shape {}, expected a single value", shape_str(ctx.shape(1)));
  if (ctx.input(1).data != nullptr) {
    ES_ASSIGN_OR_RETURN(int64_t axis, ctx.known_scalar_int(1));
    ES_TRY(ctx.normalize_axis(axis, ctx.rank(0)));
  }
  return same_as_input_rule(ctx);
}

Status topk_rule(RuleContext& ctx) {
  ES_ASSIGN_OR_RETURN(int64_t axis, ctx.normalize_axis(ctx.attrs().get_int("axis", -1), ctx.rank(0)));
  ES_ASSIGN_OR_RETURN(int64_t k, ctx.known_scalar_int(1));
  if (k < 0 || k > ctx.shape(0)[axis])
    return ctx.invalid("k = {} is outside [0, {}] (size of axis {})", k, ctx.shape(0)[axis], axis);
  Shape out = ctx.shape(0);
  out[axis] = k;
  ctx.set_output(0, ctx.dtype(0), out);
  ctx.set_output(1, DType::i64, std::move(out));
  return {};
}

}  // namespace es::shape_rules
