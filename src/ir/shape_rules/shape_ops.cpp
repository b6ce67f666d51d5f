// Ops that rearrange or re-describe a tensor's shape: Shape, Size, Reshape, Flatten, Squeeze,
// Unsqueeze, Transpose, Expand, Tile, DepthToSpace, SpaceToDepth, Trilu, EyeLike.
#include "ir/shape_rules/rules.h"
#include "ir/shape_rules/shape_math.h"

#include <fmt/ranges.h>

#include <algorithm>

namespace es::shape_rules {

std::vector<int64_t> shape_op_dims(const RuleContext& ctx) {
  const Shape& in = ctx.shape(0);
  const auto rank = static_cast<int64_t>(in.size());
  // start/end (opset 15) select a slice of the dims, clamped like Slice.
  auto clamp = [rank](int64_t i) { return std::clamp(i < 0 ? i + rank : i, int64_t{0}, rank); };
  const int64_t start = clamp(ctx.attrs().get_int("start", 0));
  const int64_t end = std::max(start, clamp(ctx.attrs().get_int("end", rank)));
  return {in.begin() + start, in.begin() + end};
}

Status shape_rule(RuleContext& ctx) {
  ctx.set_output(0, DType::i64, {static_cast<int64_t>(shape_op_dims(ctx).size())});
  return {};
}

Status size_rule(RuleContext& ctx) {
  ctx.set_output(0, DType::i64, {});
  return {};
}

Status reshape_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_rank(1, 1));
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> target, ctx.known_ints(1));
  const std::string requested = fmt::format("[{}]", fmt::join(target, ", "));  // as given, with 0 and -1
  const Shape& in = ctx.shape(0);
  const bool allow_zero = ctx.attrs().get_int("allowzero", 0) != 0;
  int64_t inferred = -1;
  int64_t known_product = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t& d = target[i];
    if (d == -1) {
      if (inferred >= 0) return ctx.invalid("shape {} has more than one -1", requested);
      inferred = static_cast<int64_t>(i);
      continue;
    }
    if (d == 0 && !allow_zero) {
      // 0 copies the input's dimension at the same index.
      if (i >= in.size()) return ctx.invalid("shape entry {} is 0 but the input has only {} dimensions", i, in.size());
      d = in[i];
    }
    if (d < 0) return ctx.invalid("shape entry {} is {}, expected -1 or at least 0", i, d);
    known_product *= d;
  }
  const int64_t count = shape_numel(in);
  if (inferred >= 0) {
    if (known_product == 0 || count % known_product != 0)
      return ctx.invalid("cannot reshape {} ({} elements) to {}", shape_str(in), count, requested);
    target[inferred] = count / known_product;
  } else if (known_product != count) {
    return ctx.invalid("cannot reshape {} ({} elements) to {} ({} elements)", shape_str(in), count, requested,
                       known_product);
  }
  ctx.set_output(0, ctx.dtype(0), std::move(target));
  return {};
}

Status flatten_rule(RuleContext& ctx) {
  const Shape& in = ctx.shape(0);
  const int64_t rank = ctx.rank(0);
  int64_t axis = ctx.attrs().get_int("axis", 1);
  if (axis < -rank || axis > rank) return ctx.invalid("axis {} is out of range for rank {}", axis, rank);
  if (axis < 0) axis += rank;
  const auto split = static_cast<size_t>(axis);
  ctx.set_output(0, ctx.dtype(0), {shape_numel(std::span(in).first(split)), shape_numel(std::span(in).subspan(split))});
  return {};
}

Status squeeze_rule(RuleContext& ctx) {
  const Shape& in = ctx.shape(0);
  std::vector<int64_t> axes;
  if (ctx.has_nonempty_input(1)) {
    ES_ASSIGN_OR_RETURN(std::vector<int64_t> given, ctx.known_ints(1));
    ES_ASSIGN_OR_RETURN(axes, ctx.normalize_axes(given, ctx.rank(0)));
    for (int64_t a : axes)
      if (in[a] != 1) return ctx.invalid("cannot squeeze axis {} of size {}", a, in[a]);
  } else {
    for (size_t i = 0; i < in.size(); ++i)
      if (in[i] == 1) axes.push_back(static_cast<int64_t>(i));
  }
  Shape out;
  for (size_t i = 0; i < in.size(); ++i)
    if (std::find(axes.begin(), axes.end(), static_cast<int64_t>(i)) == axes.end()) out.push_back(in[i]);
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status unsqueeze_rule(RuleContext& ctx) {
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> given, ctx.known_ints(1));
  const int64_t out_rank = ctx.rank(0) + static_cast<int64_t>(given.size());
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ctx.normalize_axes(given, out_rank));
  Shape out;
  auto next_in = ctx.shape(0).begin();
  for (int64_t i = 0; i < out_rank; ++i)
    out.push_back(std::find(axes.begin(), axes.end(), i) != axes.end() ? 1 : *next_in++);
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status transpose_rule(RuleContext& ctx) {
  const Shape& in = ctx.shape(0);
  std::vector<int64_t> perm(in.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(perm.size() - 1 - i);
  perm = ctx.attrs().get_ints("perm", perm);
  if (perm.size() != in.size())
    return ctx.invalid("attribute perm has {} values for an input of rank {}", perm.size(), in.size());
  ES_ASSIGN_OR_RETURN(perm, ctx.normalize_axes(perm, ctx.rank(0), "perm"));
  Shape out;
  for (int64_t p : perm) out.push_back(in[p]);
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status expand_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_rank(1, 1));
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> target, ctx.known_ints(1));
  for (int64_t d : target)
    if (d < 0) return ctx.invalid("target shape {} has a negative dimension", shape_str(target));
  std::optional<Shape> out = broadcast_shapes(ctx.shape(0), target);
  if (!out)
    return ctx.invalid("input of shape {} does not broadcast with {}", shape_str(ctx.shape(0)), shape_str(target));
  ctx.set_output(0, ctx.dtype(0), std::move(*out));
  return {};
}

Status tile_rule(RuleContext& ctx) {
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> repeats, ctx.known_ints(1));
  if (static_cast<int64_t>(repeats.size()) != ctx.rank(0))
    return ctx.invalid("repeats has {} values for an input of rank {}", repeats.size(), ctx.rank(0));
  Shape out = ctx.shape(0);
  for (size_t i = 0; i < out.size(); ++i) {
    if (repeats[i] < 0) return ctx.invalid("repeats[{}] is negative ({})", i, repeats[i]);
    out[i] *= repeats[i];
  }
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

namespace {
Result<int64_t> read_blocksize(const RuleContext& ctx) {
  ES_TRY(ctx.expect_rank(0, 4));
  const int64_t b = ctx.attrs().get_int("blocksize", 0);
  if (b < 1) return ctx.invalid("attribute blocksize is {}, expected at least 1", b);
  return b;
}
}  // namespace

Status depth_to_space_rule(RuleContext& ctx) {
  ES_ASSIGN_OR_RETURN(int64_t b, read_blocksize(ctx));
  const Shape& in = ctx.shape(0);
  if (in[1] % (b * b) != 0) return ctx.invalid("{} channels are not divisible by blocksize^2 = {}", in[1], b * b);
  ctx.set_output(0, ctx.dtype(0), {in[0], in[1] / (b * b), in[2] * b, in[3] * b});
  return {};
}

Status space_to_depth_rule(RuleContext& ctx) {
  ES_ASSIGN_OR_RETURN(int64_t b, read_blocksize(ctx));
  const Shape& in = ctx.shape(0);
  if (in[2] % b != 0 || in[3] % b != 0)
    return ctx.invalid("spatial size {}x{} is not divisible by blocksize {}", in[2], in[3], b);
  ctx.set_output(0, ctx.dtype(0), {in[0], in[1] * b * b, in[2] / b, in[3] / b});
  return {};
}

Status trilu_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_min_rank(0, 2));
  if (ctx.has_input(1) && shape_numel(ctx.shape(1)) != 1)
    return ctx.invalid("k has shape {}, expected a single value", shape_str(ctx.shape(1)));
  return same_as_input_rule(ctx);
}

Status eye_like_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_rank(0, 2));
  DType dtype = ctx.dtype(0);
  if (ctx.attrs().has("dtype")) {
    const int64_t code = ctx.attrs().get_int("dtype", 0);
    dtype = dtype_from_onnx(static_cast<int32_t>(code));
    if (dtype == DType::undefined) return ctx.unsupported("attribute dtype names unknown data type {}", code);
  }
  ctx.set_output(0, dtype, ctx.shape(0));
  return {};
}

}  // namespace es::shape_rules
