// Ops whose output shape comes from attributes or input values: Constant, ConstantOfShape, Range,
// NonZero.
#include "ir/shape_rules/rules.h"

#include <cmath>
#include <cstring>

namespace es::shape_rules {

Result<Tensor> constant_value(const RuleContext& ctx) {
  const Attributes& a = ctx.attrs();
  if (const Tensor* t = a.get_tensor("value")) return *t;
  if (a.has("value_float")) return Tensor::scalar<float>(a.get_float("value_float", 0));
  if (a.has("value_int")) return Tensor::scalar<int64_t>(a.get_int("value_int", 0));
  if (a.has("value_floats")) {
    const auto v = a.get_floats("value_floats");
    return Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v);
  }
  if (a.has("value_ints")) {
    const auto v = a.get_ints("value_ints");
    return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
  }
  if (a.has("value_string") || a.has("value_strings")) return ctx.unsupported("string constants are not supported");
  return ctx.invalid("no value attribute (value, value_float(s) or value_int(s))");
}

Status constant_rule(RuleContext& ctx) {
  ES_ASSIGN_OR_RETURN(Tensor value, constant_value(ctx));
  ctx.set_output(0, value.dtype(), value.shape());
  return {};
}

Status constant_of_shape_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_rank(0, 1));
  ES_ASSIGN_OR_RETURN(Shape shape, ctx.known_ints(0));
  for (int64_t d : shape)
    if (d < 0) return ctx.invalid("shape {} has a negative dimension", shape_str(shape));
  DType dtype = DType::f32;  // ONNX default: a float zero
  if (const Tensor* value = ctx.attrs().get_tensor("value")) {
    if (value->numel() != 1) return ctx.invalid("attribute value has {} elements, expected 1", value->numel());
    dtype = value->dtype();
  }
  ctx.set_output(0, dtype, std::move(shape));
  return {};
}

Status range_rule(RuleContext& ctx) {
  for (size_t i = 0; i < 3; ++i) {
    ES_TRY(ctx.expect_same_dtype(0, i));
    if (shape_numel(ctx.shape(i)) != 1)
      return ctx.invalid("input {} has shape {}, expected a scalar", i, shape_str(ctx.shape(i)));
    ES_TRY(ctx.known_input(i));
  }
  auto value = [&](size_t i) {
    const Tensor& t = *ctx.input(i).data;
    return dtype_is_float(t.dtype()) ? static_cast<double>(t.to_float_vector()[0])
                                     : static_cast<double>(t.to_int64_vector()[0]);
  };
  if (!dtype_is_float(ctx.dtype(0)) && !dtype_is_integer(ctx.dtype(0)))
    return ctx.invalid("inputs have dtype {}, expected a number type", dtype_name(ctx.dtype(0)));
  const double start = value(0), limit = value(1), delta = value(2);
  if (delta == 0) return ctx.invalid("delta is 0");
  const double count = std::ceil((limit - start) / delta);
  if (count > static_cast<double>(int64_t{1} << 40)) return ctx.invalid("range has {} elements", count);
  ctx.set_output(0, ctx.dtype(0), {std::max<int64_t>(static_cast<int64_t>(count), 0)});
  return {};
}

namespace {
// Elements that are not zero; the sign bit of floats is ignored so -0.0 counts as zero.
int64_t count_nonzero(const Tensor& t) {
  const size_t size = dtype_size(t.dtype());
  const auto* bytes = static_cast<const unsigned char*>(t.raw());
  const bool is_float = dtype_is_float(t.dtype());
  int64_t count = 0;
  for (int64_t i = 0; i < t.numel(); ++i) {
    const unsigned char* e = bytes + static_cast<size_t>(i) * size;
    bool nonzero = false;
    for (size_t b = 0; b < size && !nonzero; ++b) {
      const unsigned char mask = is_float && b == size - 1 ? 0x7f : 0xff;  // little-endian: sign in last byte
      nonzero = (e[b] & mask) != 0;
    }
    count += nonzero ? 1 : 0;
  }
  return count;
}
}  // namespace

Status non_zero_rule(RuleContext& ctx) {
  const auto& data = ctx.input(0).data;
  if (data == nullptr) return ctx.unsupported("output shape depends on run-time data");
  if (dtype_size(data->dtype()) == 0) return ctx.unsupported("input dtype {} is not supported", dtype_name(data->dtype()));
  ctx.set_output(0, DType::i64, {ctx.rank(0), count_nonzero(*data)});
  return {};
}

}  // namespace es::shape_rules
