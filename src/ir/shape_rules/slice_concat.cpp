// Ops that cut, join or grow tensors along axes: Concat, Split, Slice, Pad, Resize.
#include "ir/shape_rules/rules.h"

#include <algorithm>
#include <cmath>

namespace es::shape_rules {

Status concat_rule(RuleContext& ctx) {
  if (!ctx.attrs().has("axis")) return ctx.invalid("attribute axis is missing");
  ES_ASSIGN_OR_RETURN(int64_t axis, ctx.normalize_axis(ctx.attrs().get_int("axis", 0), ctx.rank(0)));
  Shape out = ctx.shape(0);
  for (size_t i = 1; i < ctx.input_count(); ++i) {
    ES_TRY(ctx.expect_same_dtype(0, i));
    ES_TRY(ctx.expect_rank(i, ctx.rank(0)));
    const Shape& s = ctx.shape(i);
    for (size_t d = 0; d < s.size(); ++d)
      if (static_cast<int64_t>(d) != axis && s[d] != out[d])
        return ctx.invalid("input {} has shape {}, which differs from {} on axis {} (concat axis {})", i,
                           shape_str(s), shape_str(ctx.shape(0)), d, axis);
    out[axis] += s[axis];
  }
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status split_rule(RuleContext& ctx) {
  ES_ASSIGN_OR_RETURN(int64_t axis, ctx.normalize_axis(ctx.attrs().get_int("axis", 0), ctx.rank(0)));
  const int64_t dim = ctx.shape(0)[axis];
  const auto parts = static_cast<int64_t>(ctx.output_count());
  std::vector<int64_t> sizes;
  if (ctx.has_nonempty_input(1)) {
    ES_ASSIGN_OR_RETURN(sizes, ctx.known_ints(1));
    if (static_cast<int64_t>(sizes.size()) != parts)
      return ctx.invalid("split has {} sizes for {} outputs", sizes.size(), parts);
    int64_t total = 0;
    for (int64_t s : sizes) {
      if (s < 0) return ctx.invalid("split size {} is negative", s);
      total += s;
    }
    if (total != dim) return ctx.invalid("split sizes add up to {}, but axis {} has size {}", total, axis, dim);
  } else if (dim % parts == 0) {
    sizes.assign(static_cast<size_t>(parts), dim / parts);
  } else if (ctx.attrs().has("num_outputs")) {
    // Opset-18 num_outputs: equal chunks of ceil(dim / parts), the last one smaller.
    const int64_t chunk = (dim + parts - 1) / parts;
    if (chunk * (parts - 1) >= dim)
      return ctx.invalid("axis {} of size {} cannot be split into {} non-empty parts", axis, dim, parts);
    sizes.assign(static_cast<size_t>(parts), chunk);
    sizes.back() = dim - chunk * (parts - 1);
  } else {
    return ctx.invalid("axis {} of size {} does not split evenly into {} outputs", axis, dim, parts);
  }
  for (size_t i = 0; i < sizes.size(); ++i) {
    Shape out = ctx.shape(0);
    out[axis] = sizes[i];
    ctx.set_output(i, ctx.dtype(0), std::move(out));
  }
  return {};
}

Status slice_rule(RuleContext& ctx) {
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> starts, ctx.known_ints(1));
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> ends, ctx.known_ints(2));
  if (starts.size() != ends.size())
    return ctx.invalid("starts has {} values but ends has {}", starts.size(), ends.size());
  std::vector<int64_t> axes(starts.size());
  for (size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<int64_t>(i);
  if (ctx.has_input(3)) {
    ES_ASSIGN_OR_RETURN(axes, ctx.known_ints(3));
  }
  std::vector<int64_t> steps(starts.size(), 1);
  if (ctx.has_input(4)) {
    ES_ASSIGN_OR_RETURN(steps, ctx.known_ints(4));
  }
  if (axes.size() != starts.size() || steps.size() != starts.size())
    return ctx.invalid("starts, ends, axes and steps have {}, {}, {} and {} values", starts.size(), ends.size(),
                       axes.size(), steps.size());
  ES_ASSIGN_OR_RETURN(axes, ctx.normalize_axes(axes, ctx.rank(0)));
  Shape out = ctx.shape(0);
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t dim = out[axes[i]];
    const int64_t step = steps[i];
    if (step == 0) return ctx.invalid("step for axis {} is 0", axes[i]);
    // ONNX clamping: negative indices count from the end; a negative step may stop before index 0.
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      out[axes[i]] = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      out[axes[i]] = start > end ? (start - end - step - 1) / -step : 0;
    }
  }
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status pad_rule(RuleContext& ctx) {
  const std::string mode = ctx.attrs().get_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return ctx.invalid("attribute mode has unknown value '{}'", mode);
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> pads, ctx.known_ints(1));
  if (ctx.has_nonempty_input(2)) {
    ES_TRY(ctx.expect_same_dtype(0, 2));
    if (shape_numel(ctx.shape(2)) != 1)
      return ctx.invalid("constant_value has shape {}, expected a single value", shape_str(ctx.shape(2)));
  }
  const int64_t rank = ctx.rank(0);
  std::vector<int64_t> axes(static_cast<size_t>(rank));
  for (int64_t i = 0; i < rank; ++i) axes[i] = i;
  if (ctx.has_input(3)) {
    ES_ASSIGN_OR_RETURN(std::vector<int64_t> given, ctx.known_ints(3));
    ES_ASSIGN_OR_RETURN(axes, ctx.normalize_axes(given, rank));
  }
  if (pads.size() != 2 * axes.size())
    return ctx.invalid("pads has {} values, expected {} (2 per padded axis)", pads.size(), 2 * axes.size());
  Shape out = ctx.shape(0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t& d = out[axes[i]];
    d += pads[i] + pads[i + axes.size()];
    if (d < 0) return ctx.invalid("pads {} leave axis {} with negative size {}", shape_str(pads), axes[i], d);
  }
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status resize_rule(RuleContext& ctx) {
  if (ctx.attrs().has("axes")) return ctx.unsupported("attribute axes (opset 18) is not supported");
  const bool has_scales = ctx.has_nonempty_input(2);
  const bool has_sizes = ctx.has_nonempty_input(3);
  if (has_scales == has_sizes)
    return ctx.invalid("exactly one of scales and sizes must be given, found {}", has_scales ? "both" : "neither");
  const Shape& in = ctx.shape(0);
  Shape out;
  if (has_sizes) {
    ES_ASSIGN_OR_RETURN(out, ctx.known_ints(3));
  } else {
    ES_ASSIGN_OR_RETURN(const Tensor* t, ctx.known_input(2));
    if (!dtype_is_float(t->dtype())) return ctx.invalid("scales has dtype {}, expected float", dtype_name(t->dtype()));
    const std::vector<float> scales = t->to_float_vector();
    if (scales.size() != in.size())
      return ctx.invalid("scales has {} values for an input of rank {}", scales.size(), in.size());
    // tf_crop_and_resize scales the region of interest, the other modes the whole axis.
    std::vector<float> extent(in.size(), 1.0f);
    if (ctx.attrs().get_string("coordinate_transformation_mode") == "tf_crop_and_resize" && ctx.has_input(1)) {
      ES_ASSIGN_OR_RETURN(const Tensor* roi, ctx.known_input(1));
      const std::vector<float> r = roi->to_float_vector();
      if (r.size() != 2 * in.size()) return ctx.invalid("roi has {} values, expected {}", r.size(), 2 * in.size());
      for (size_t i = 0; i < in.size(); ++i) extent[i] = r[i + in.size()] - r[i];
    }
    for (size_t i = 0; i < in.size(); ++i) {
      if (!(scales[i] > 0)) return ctx.invalid("scale {} for axis {} is not positive", scales[i], i);
      // Single-precision product, as ONNX Runtime computes it.
      out.push_back(static_cast<int64_t>(std::floor(static_cast<float>(in[i]) * extent[i] * scales[i])));
    }
  }
  if (out.size() != in.size()) return ctx.invalid("sizes has {} values for an input of rank {}", out.size(), in.size());
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i] < 0) return ctx.invalid("output size {} for axis {} is negative", out[i], i);
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

}  // namespace es::shape_rules
