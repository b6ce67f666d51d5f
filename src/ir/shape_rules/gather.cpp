// Indexing ops: Gather, GatherElements, GatherND, OneHot.
#include "ir/shape_rules/rules.h"

namespace es::shape_rules {
namespace {
Status expect_index_dtype(const RuleContext& ctx, size_t i) {
  if (ctx.dtype(i) != DType::i64 && ctx.dtype(i) != DType::i32)
    return ctx.invalid("input {} has dtype {}, expected i32 or i64 indices", i, dtype_name(ctx.dtype(i)));
  return {};
}
}  // namespace

Status gather_rule(RuleContext& ctx) {
  ES_TRY(expect_index_dtype(ctx, 1));
  ES_ASSIGN_OR_RETURN(int64_t axis, ctx.normalize_axis(ctx.attrs().get_int("axis", 0), ctx.rank(0)));
  const Shape& data = ctx.shape(0);
  // Known indices (the usual Shape->Gather chain) are checked here, where the node can be named.
  if (const auto& known = ctx.input(1).data) {
    for (int64_t index : known->to_int64_vector())
      if (index < -data[axis] || index >= data[axis])
        return ctx.invalid("index {} is out of range for axis {} of size {}", index, axis, data[axis]);
  }
  Shape out(data.begin(), data.begin() + axis);
  out.insert(out.end(), ctx.shape(1).begin(), ctx.shape(1).end());
  out.insert(out.end(), data.begin() + axis + 1, data.end());
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status gather_elements_rule(RuleContext& ctx) {
  ES_TRY(expect_index_dtype(ctx, 1));
  ES_TRY(ctx.expect_rank(1, ctx.rank(0)));
  ES_TRY(ctx.normalize_axis(ctx.attrs().get_int("axis", 0), ctx.rank(0)));
  ctx.set_output(0, ctx.dtype(0), ctx.shape(1));
  return {};
}

Status gather_nd_rule(RuleContext& ctx) {
  ES_TRY(expect_index_dtype(ctx, 1));
  ES_TRY(ctx.expect_min_rank(0, 1));
  ES_TRY(ctx.expect_min_rank(1, 1));
  const Shape& data = ctx.shape(0);
  const Shape& indices = ctx.shape(1);
  const int64_t batch = ctx.attrs().get_int("batch_dims", 0);
  if (batch < 0 || batch >= std::min(ctx.rank(0), ctx.rank(1)))
    return ctx.invalid("batch_dims {} must be below the ranks of both inputs", batch);
  for (int64_t i = 0; i < batch; ++i)
    if (data[i] != indices[i])
      return ctx.invalid("batch dimension {} differs: data has {}, indices {}", i, data[i], indices[i]);
  const int64_t last = indices.back();
  if (last < 1 || last > ctx.rank(0) - batch)
    return ctx.invalid("indices address {} dimensions, expected 1 to {}", last, ctx.rank(0) - batch);
  Shape out(indices.begin(), indices.end() - 1);
  out.insert(out.end(), data.begin() + batch + last, data.end());
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status one_hot_rule(RuleContext& ctx) {
  ES_TRY(ctx.known_input(1));
  const Tensor& depth_tensor = *ctx.input(1).data;
  if (depth_tensor.numel() != 1) return ctx.invalid("depth must hold one value, has {}", depth_tensor.numel());
  // depth may be of any numeric type; a float depth is truncated like ONNX Runtime does.
  const int64_t depth = dtype_is_float(depth_tensor.dtype()) ? static_cast<int64_t>(depth_tensor.to_float_vector()[0])
                                                             : depth_tensor.to_int64_vector()[0];
  if (depth < 1) return ctx.invalid("depth is {}, expected at least 1", depth);
  if (shape_numel(ctx.shape(2)) != 2)
    return ctx.invalid("values has shape {}, expected 2 elements (off, on)", shape_str(ctx.shape(2)));
  const int64_t out_rank = ctx.rank(0) + 1;
  ES_ASSIGN_OR_RETURN(int64_t axis, ctx.normalize_axis(ctx.attrs().get_int("axis", -1), out_rank));
  Shape out = ctx.shape(0);
  out.insert(out.begin() + axis, depth);
  ctx.set_output(0, ctx.dtype(2), std::move(out));
  return {};
}

}  // namespace es::shape_rules
