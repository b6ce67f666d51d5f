// Shape rules, one function per op or group of ops with the same rule, grouped by family file.
// rule_table.cpp maps every OpKind to its rule and arity; there is no self-registration.
#pragma once

#include "ir/shape_rules/rule_context.h"

#include <cstddef>
#include <limits>

namespace es::shape_rules {

using ShapeRule = Status (*)(RuleContext& ctx);

inline constexpr size_t kVariadic = std::numeric_limits<size_t>::max();

// A rule with the input/output counts it accepts (omitted optional inputs count as slots).
struct RuleSpec {
  ShapeRule rule;
  size_t min_inputs, max_inputs;
  size_t min_outputs, max_outputs;
};

RuleSpec rule_for(OpKind op);

// elementwise.cpp
Status same_as_input_rule(RuleContext& ctx);    // output 0 = input 0 (unary ops, activations, Identity)
Status bool_same_shape_rule(RuleContext& ctx);  // IsInf, IsNaN
Status broadcast_rule(RuleContext& ctx);        // variadic multidirectional broadcast; operands agree
Status compare_rule(RuleContext& ctx);          // broadcast, bool output
Status pow_rule(RuleContext& ctx);              // broadcast; exponent may have another dtype
Status where_rule(RuleContext& ctx);
Status prelu_rule(RuleContext& ctx);
Status clip_rule(RuleContext& ctx);
Status cast_rule(RuleContext& ctx);
Status cast_like_rule(RuleContext& ctx);
Status dropout_rule(RuleContext& ctx);
Status quantize_rule(RuleContext& ctx);
Status dequantize_rule(RuleContext& ctx);

// normalization.cpp
Status batch_norm_rule(RuleContext& ctx);
Status instance_norm_rule(RuleContext& ctx);
Status layer_norm_rule(RuleContext& ctx);
Status axis_same_shape_rule(RuleContext& ctx);  // Softmax, LogSoftmax, Hardmax, LpNormalization
Status mvn_rule(RuleContext& ctx);
Status lrn_rule(RuleContext& ctx);

// conv_pool.cpp
Status conv_rule(RuleContext& ctx);  // Conv and FusedConv
Status conv_transpose_rule(RuleContext& ctx);
Status pool_rule(RuleContext& ctx);  // MaxPool, AveragePool, LpPool
Status global_pool_rule(RuleContext& ctx);

// linalg.cpp
Status gemm_rule(RuleContext& ctx);
Status matmul_rule(RuleContext& ctx);
Status einsum_rule(RuleContext& ctx);

// reduce.cpp
Status reduce_rule(RuleContext& ctx);  // Reduce* (axes attribute, or input 1 for ReduceSum)
Status arg_reduce_rule(RuleContext& ctx);
Status cumsum_rule(RuleContext& ctx);
Status topk_rule(RuleContext& ctx);

// shape_ops.cpp
Status shape_rule(RuleContext& ctx);
// The dims a Shape node outputs (its start/end attributes applied); its value is always known.
std::vector<int64_t> shape_op_dims(const RuleContext& ctx);
Status size_rule(RuleContext& ctx);
Status reshape_rule(RuleContext& ctx);
Status flatten_rule(RuleContext& ctx);
Status squeeze_rule(RuleContext& ctx);
Status unsqueeze_rule(RuleContext& ctx);
Status transpose_rule(RuleContext& ctx);
Status expand_rule(RuleContext& ctx);
Status tile_rule(RuleContext& ctx);
Status depth_to_space_rule(RuleContext& ctx);
Status space_to_depth_rule(RuleContext& ctx);
Status trilu_rule(RuleContext& ctx);
Status eye_like_rule(RuleContext& ctx);

// slice_concat.cpp
Status concat_rule(RuleContext& ctx);
Status split_rule(RuleContext& ctx);
Status slice_rule(RuleContext& ctx);
Status pad_rule(RuleContext& ctx);
Status resize_rule(RuleContext& ctx);

// gather.cpp
Status gather_rule(RuleContext& ctx);
Status gather_elements_rule(RuleContext& ctx);
Status gather_nd_rule(RuleContext& ctx);
Status one_hot_rule(RuleContext& ctx);

// generators.cpp
Status constant_rule(RuleContext& ctx);
// The tensor a Constant node stands for ("value", "value_float(s)" or "value_int(s)").
Result<Tensor> constant_value(const RuleContext& ctx);
Status constant_of_shape_rule(RuleContext& ctx);
Status range_rule(RuleContext& ctx);
Status non_zero_rule(RuleContext& ctx);

}  // namespace es::shape_rules
