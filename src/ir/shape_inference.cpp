#include "ir/shape_inference.h"

#include "ir/shape_rules/rules.h"

namespace es {
namespace {
using shape_rules::RuleContext;

Status check_arity(const RuleContext& ctx, const shape_rules::RuleSpec& spec) {
  auto range = [](size_t lo, size_t hi) {
    if (lo == hi) return fmt::format("{}", lo);
    if (hi == shape_rules::kVariadic) return fmt::format("at least {}", lo);
    return fmt::format("{} to {}", lo, hi);
  };
  if (ctx.input_count() < spec.min_inputs || ctx.input_count() > spec.max_inputs)
    return ctx.invalid("has {} inputs, expected {}", ctx.input_count(), range(spec.min_inputs, spec.max_inputs));
  if (ctx.output_count() < spec.min_outputs || ctx.output_count() > spec.max_outputs)
    return ctx.invalid("has {} outputs, expected {}", ctx.output_count(), range(spec.min_outputs, spec.max_outputs));
  // Variadic inputs (Concat, Sum, Einsum, ...) are never optional.
  const size_t required = spec.max_inputs == shape_rules::kVariadic ? ctx.input_count() : spec.min_inputs;
  for (size_t i = 0; i < required; ++i)
    if (!ctx.has_input(i)) return ctx.invalid("required input {} is omitted", i);
  return {};
}

// Every present input must have a static shape and dtype before the rule reads it.
Status check_inputs_shaped(const RuleContext& ctx) {
  for (size_t i = 0; i < ctx.input_count(); ++i) {
    if (!ctx.has_input(i)) continue;
    const Value& v = ctx.input(i);
    if (!v.shape_known || v.dtype == DType::undefined)
      return ctx.invalid("input {} ('{}') has no static shape or dtype", i, v.name);
    for (int64_t d : v.shape)
      if (d < 0) return ctx.unsupported("input {} ('{}') has an unbound dimension ({})", i, v.name, shape_str(v.shape));
  }
  return {};
}

// Contents of a node's outputs known without running it: Constant, Shape and Size.
std::shared_ptr<const Tensor> intrinsic_value(const RuleContext& ctx) {
  switch (ctx.node().op) {
    case OpKind::Shape: {
      const std::vector<int64_t> dims = shape_rules::shape_op_dims(ctx);
      return std::make_shared<const Tensor>(Tensor::from_vector<int64_t>({static_cast<int64_t>(dims.size())}, dims));
    }
    case OpKind::Size: return std::make_shared<const Tensor>(Tensor::scalar<int64_t>(shape_numel(ctx.shape(0))));
    case OpKind::Constant: {
      Result<Tensor> value = shape_rules::constant_value(ctx);
      ES_ASSERT_MSG(value.ok(), "constant_rule accepted the node, so its value is readable");
      return std::make_shared<const Tensor>(std::move(value).value());
    }
    default: return nullptr;
  }
}

// Runs the evaluator on a node whose inputs are all known and whose outputs are small.
Status propagate_values(Graph& graph, const Node& node, const NodeEvaluator& evaluator,
                        const ShapeInferenceOptions& options) {
  std::vector<const Tensor*> inputs;
  for (ValueId id : node.inputs) {
    if (id == kNoValue) {
      inputs.push_back(nullptr);
      continue;
    }
    const Value& v = graph.value(id);
    if (v.data == nullptr) return {};
    inputs.push_back(v.data.get());
  }
  if (inputs.empty()) return {};
  int64_t total = 0;
  for (ValueId id : node.outputs) {
    if (id == kNoValue) continue;
    const Value& v = graph.value(id);
    if (dtype_size(v.dtype) == 0) return {};  // strings have no dense storage to evaluate into
    total += shape_numel(v.shape);
  }
  if (total > options.max_propagated_elements) return {};
  std::vector<Tensor> outputs;
  for (ValueId id : node.outputs)
    outputs.push_back(id == kNoValue ? Tensor() : Tensor(graph.value(id).dtype, graph.value(id).shape));
  Status status = evaluator(node, inputs, outputs);
  // An op without a reference kernel just stays unknown; consumers that need its value report it.
  if (status.code() == StatusCode::unsupported) return {};
  ES_TRY(status.with_context(fmt::format("evaluating node '{}' ({})", node.name, op_name(node.op))));
  for (size_t i = 0; i < node.outputs.size(); ++i)
    if (node.outputs[i] != kNoValue)
      graph.value(node.outputs[i]).data = std::make_shared<const Tensor>(std::move(outputs[i]));
  return {};
}

}  // namespace

Status infer_node(Graph& graph, NodeId node) {
  RuleContext ctx(graph, node);
  const shape_rules::RuleSpec spec = shape_rules::rule_for(ctx.node().op);
  ES_TRY(check_arity(ctx, spec));
  ES_TRY(check_inputs_shaped(ctx));
  ES_TRY(spec.rule(ctx));
  // Value-dependent shapes come from model data; refuse absurd sizes before anyone multiplies them out.
  for (ValueId out : ctx.node().outputs) {
    if (out == kNoValue) continue;
    const Value& v = graph.value(out);
    if (Result<int64_t> count = checked_numel(v.shape); !count.ok())
      return ctx.fail(count.status().code(), fmt::format("output '{}': {}", v.name, count.status().message()));
  }
  return {};
}

Status infer_shapes(Graph& graph, const NodeEvaluator& evaluator, ShapeInferenceOptions options) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const auto id = static_cast<NodeId>(i);
    const Node& node = graph.node(id);
    for (ValueId out : node.outputs)
      if (out != kNoValue) graph.value(out).data.reset();  // stale contents from an earlier run
    ES_TRY(infer_node(graph, id));
    if (auto known = intrinsic_value(RuleContext(graph, id))) {
      graph.value(node.outputs[0]).data = std::move(known);
      continue;
    }
    if (evaluator) ES_TRY(propagate_values(graph, node, evaluator, options));
  }
  return {};
}

}  // namespace es
