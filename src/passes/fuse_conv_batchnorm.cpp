// fuse_conv_batchnorm: folds an inference BatchNormalization with constant parameters into the Conv
// (or epilogue-free FusedConv) that feeds it:
//   s[m] = scale[m] / sqrt(var[m] + epsilon);  W'[m] = W[m] * s[m];  b'[m] = (b[m] - mean[m]) * s[m] + B[m]
// computed in double and rounded once to f32, so results change only by float rounding.
// New initializers are written (the originals may be shared with other nodes).
#include "passes/passes.h"
#include "passes/rewrite.h"

#include <cmath>

namespace es::passes {
namespace {

// Per-channel BN parameters as double; empty when one is not a constant float vector of `channels`.
std::vector<std::vector<double>> constant_bn_params(const Graph& graph, const Node& bn, int64_t channels) {
  std::vector<std::vector<double>> params;
  for (size_t i = 1; i <= 4; ++i) {
    const Tensor* t = constant_data(graph, bn.has_input(i) ? bn.inputs[i] : kNoValue);
    if (t == nullptr || !dtype_is_float(t->dtype()) || t->numel() != channels) return {};
    std::vector<float> v = t->to_float_vector();
    params.emplace_back(v.begin(), v.end());
  }
  return params;
}

bool has_extra_outputs(const Node& node) {
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (node.outputs[i] != kNoValue) return true;
  return false;
}

std::optional<Fusion> match(Graph& graph, NodeId anchor) {
  const Node& bn = graph.node(anchor);
  if (bn.op != OpKind::BatchNormalization || bn.attrs.get_int("training_mode", 0) != 0 || has_extra_outputs(bn))
    return std::nullopt;
  ValueId conv_out = bn.inputs.at(0);
  const Node* conv = conv_producer(graph, conv_out, /*allow_sum=*/false);
  if (conv == nullptr || !has_single_use(graph, conv_out)) return std::nullopt;
  const Tensor* weight = constant_data(graph, conv->inputs.at(1));
  if (weight == nullptr || weight->dtype() != DType::f32 || weight->rank() < 3) return std::nullopt;
  const int64_t channels = weight->dim(0);
  const Tensor* bias = constant_data(graph, conv->has_input(2) ? conv->inputs[2] : kNoValue);
  if (conv->has_input(2) && (bias == nullptr || bias->dtype() != DType::f32 || bias->numel() != channels))
    return std::nullopt;
  std::vector<std::vector<double>> p = constant_bn_params(graph, bn, channels);
  if (p.empty()) return std::nullopt;
  const std::vector<double>&scale = p[0], &shift = p[1], &mean = p[2], &var = p[3];
  const double epsilon = bn.attrs.get_float("epsilon", 1e-5f);

  Tensor new_weight(DType::f32, weight->shape());
  Tensor new_bias(DType::f32, {channels});
  const int64_t per_channel = weight->numel() / channels;
  const float* w = weight->data<float>();
  float* nw = new_weight.data<float>();
  for (int64_t m = 0; m < channels; ++m) {
    double s = scale[m] / std::sqrt(var[m] + epsilon);
    for (int64_t k = 0; k < per_channel; ++k) nw[m * per_channel + k] = static_cast<float>(w[m * per_channel + k] * s);
    double b = bias != nullptr ? bias->data<float>()[m] : 0.0;
    new_bias.data<float>()[m] = static_cast<float>((b - mean[m]) * s + shift[m]);
  }
  ValueId w_id = graph.add_initializer(graph.unique_value_name(conv->name + "_bn_weight"), std::move(new_weight));
  ValueId b_id = graph.add_initializer(graph.unique_value_name(conv->name + "_bn_bias"), std::move(new_bias));
  NodeId conv_id = graph.value(conv_out).producer;
  return Fusion{{conv_id}, fuse_into_conv(*conv, conv->op, {conv->inputs[0], w_id, b_id}, bn.outputs[0], {&bn})};
}

}  // namespace

Result<bool> fuse_conv_batchnorm(Graph& graph) { return apply_fusions(graph, match); }

}  // namespace es::passes
