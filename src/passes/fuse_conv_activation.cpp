// fuse_conv_activation: Conv or FusedConv (without an activation yet, Sum allowed) followed by one of
// the activations FusedConv implements -> FusedConv with "activation" and "activation_params" (the
// contract is in ir/ops.def). Clip needs constant min/max; an omitted bound is written as +-infinity.
#include "passes/passes.h"
#include "passes/rewrite.h"

#include <limits>

namespace es::passes {
namespace {

bool is_fusable_activation(OpKind op) {
  for (OpKind a : {OpKind::Relu, OpKind::Clip, OpKind::LeakyRelu, OpKind::Sigmoid, OpKind::HardSigmoid,
                   OpKind::HardSwish, OpKind::Tanh})
    if (op == a) return true;
  return false;
}

// Clip's bound at input `index`: `fallback` when omitted, nullopt when not a constant scalar.
std::optional<float> clip_bound(const Graph& graph, const Node& clip, size_t index, float fallback) {
  if (!clip.has_input(index)) return fallback;
  const Tensor* t = constant_data(graph, clip.inputs[index]);
  if (t == nullptr || !dtype_is_float(t->dtype()) || t->numel() != 1) return std::nullopt;
  return t->to_float_vector().front();
}

// The "activation_params" of `act`, or nullopt when they are not compile-time constants.
std::optional<std::vector<float>> activation_params(const Graph& graph, const Node& act) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  switch (act.op) {
    case OpKind::Clip: {
      std::optional<float> lo = clip_bound(graph, act, 1, -kInf);
      std::optional<float> hi = clip_bound(graph, act, 2, kInf);
      if (!lo || !hi) return std::nullopt;
      return std::vector<float>{*lo, *hi};
    }
    case OpKind::LeakyRelu:
      return std::vector<float>{act.attrs.get_float("alpha", 0.01f)};
    case OpKind::HardSigmoid:
      return std::vector<float>{act.attrs.get_float("alpha", 0.2f), act.attrs.get_float("beta", 0.5f)};
    default:  // the others have no parameters
      return std::vector<float>{};
  }
}

std::optional<Fusion> match(Graph& graph, NodeId anchor) {
  const Node& act = graph.node(anchor);
  if (!is_fusable_activation(act.op)) return std::nullopt;
  ValueId conv_out = act.inputs.at(0);
  const Node* conv = conv_producer(graph, conv_out, /*allow_sum=*/true);
  if (conv == nullptr || !has_single_use(graph, conv_out)) return std::nullopt;
  std::optional<std::vector<float>> params = activation_params(graph, act);
  if (!params) return std::nullopt;
  NodeId conv_id = graph.value(conv_out).producer;
  Node fused = fuse_into_conv(*conv, OpKind::FusedConv, conv->inputs, act.outputs.at(0), {&act});
  fused.attrs.set("activation", std::string(op_name(act.op)));
  if (!params->empty()) fused.attrs.set("activation_params", std::move(*params));
  return Fusion{{conv_id}, std::move(fused)};
}

}  // namespace

Result<bool> fuse_conv_activation(Graph& graph) { return apply_fusions(graph, match); }

}  // namespace es::passes
