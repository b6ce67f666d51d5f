#include "ir/shape_rules/rule_context.h"

#include <algorithm>

namespace es::shape_rules {

const Value& RuleContext::input(size_t i) const {
  ES_ASSERT_MSG(has_input(i), "shape rule read an omitted input");
  return graph_.value(node_.inputs[i]);
}

bool RuleContext::has_nonempty_input(size_t i) const {
  if (!has_input(i)) return false;
  const Value& v = input(i);
  return !(v.shape_known && shape_numel(v.shape) == 0);
}

void RuleContext::set_output(size_t i, DType dtype, Shape shape) {
  if (i >= node_.outputs.size() || node_.outputs[i] == kNoValue) return;
  Value& v = graph_.value(node_.outputs[i]);
  v.dtype = dtype;
  v.shape = std::move(shape);
  v.shape_known = true;
}

Status RuleContext::fail(StatusCode code, std::string_view message) const {
  return Status(code, fmt::format("node '{}' ({}): {}", node_.name, op_name(node_.op), message));
}

Status RuleContext::expect_rank(size_t i, int64_t expected) const {
  if (rank(i) != expected) return invalid("input {} has rank {}, expected {}", i, rank(i), expected);
  return {};
}

Status RuleContext::expect_min_rank(size_t i, int64_t minimum) const {
  if (rank(i) < minimum) return invalid("input {} has rank {}, expected at least {}", i, rank(i), minimum);
  return {};
}

Status RuleContext::expect_same_dtype(size_t a, size_t b) const {
  if (dtype(a) != dtype(b))
    return invalid("input {} has dtype {} but input {} has dtype {}", b, dtype_name(dtype(b)), a,
                   dtype_name(dtype(a)));
  return {};
}

Status RuleContext::expect_dtype(size_t i, DType expected) const {
  if (dtype(i) != expected)
    return invalid("input {} has dtype {}, expected {}", i, dtype_name(dtype(i)), dtype_name(expected));
  return {};
}

Result<const Tensor*> RuleContext::known_input(size_t i) const {
  const Value& v = input(i);
  if (v.data == nullptr)
    return unsupported("shape input '{}' is not known before run time", v.name);
  return v.data.get();
}

Result<std::vector<int64_t>> RuleContext::known_ints(size_t i) const {
  ES_ASSIGN_OR_RETURN(const Tensor* t, known_input(i));
  if (!dtype_is_integer(t->dtype()))
    return invalid("input {} ('{}') has dtype {}, expected an integer type", i, input(i).name,
                   dtype_name(t->dtype()));
  return t->to_int64_vector();
}

Result<int64_t> RuleContext::known_scalar_int(size_t i) const {
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> v, known_ints(i));
  if (v.size() != 1) return invalid("input {} ('{}') must hold one value, has {}", i, input(i).name, v.size());
  return v[0];
}

Result<int64_t> RuleContext::normalize_axis(int64_t axis, int64_t rank, std::string_view what) const {
  if (axis < -rank || axis >= rank) return invalid("{} {} is out of range for rank {}", what, axis, rank);
  return axis < 0 ? axis + rank : axis;
}

Result<std::vector<int64_t>> RuleContext::normalize_axes(const std::vector<int64_t>& axes, int64_t rank,
                                                         std::string_view what) const {
  std::vector<int64_t> out;
  out.reserve(axes.size());
  for (int64_t a : axes) {
    ES_ASSIGN_OR_RETURN(int64_t n, normalize_axis(a, rank, what));
    if (std::find(out.begin(), out.end(), n) != out.end()) return invalid("{} repeat axis {}", what, a);
    out.push_back(n);
  }
  return out;
}

}  // namespace es::shape_rules
