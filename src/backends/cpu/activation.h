// Activations as oneDNN eltwise operations: FusedConv's "activation" attribute becomes post-ops, and
// standalone activation nodes become eltwise primitives.
#pragma once

#include <dnnl.hpp>

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace es::cpu {

struct EltwiseOp {
  dnnl::algorithm algorithm;
  float alpha = 0;
  float beta = 0;
};

// The eltwise ops that compute activation `name` with `params` (ONNX order: Clip min,max; LeakyRelu
// and Elu alpha; HardSigmoid alpha,beta; missing ones take ONNX defaults); empty for "" (none);
// nullopt for an activation oneDNN does not have.
std::optional<std::vector<EltwiseOp>> activation_ops(std::string_view name, std::span<const float> params);

void append_eltwise_post_ops(dnnl::post_ops& post_ops, std::span<const EltwiseOp> ops);

}  // namespace es::cpu
