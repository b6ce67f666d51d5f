#include "backends/cpu/activation.h"

#include <array>
#include <cfloat>

namespace es::cpu {

namespace {

using dnnl::algorithm;

struct Activation {
  std::string_view name;
  algorithm alg;
  float default_alpha;
  float default_beta;
};

// Activations that are one oneDNN op; params override alpha then beta.
constexpr std::array kSingleOp = {
    Activation{"Relu", algorithm::eltwise_relu, 0.0f, 0.0f},
    Activation{"LeakyRelu", algorithm::eltwise_relu, 0.01f, 0.0f},
    Activation{"Clip", algorithm::eltwise_clip, -FLT_MAX, FLT_MAX},
    Activation{"Sigmoid", algorithm::eltwise_logistic, 0.0f, 0.0f},
    Activation{"Tanh", algorithm::eltwise_tanh, 0.0f, 0.0f},
    Activation{"HardSwish", algorithm::eltwise_hardswish, 0.0f, 0.0f},
    Activation{"Elu", algorithm::eltwise_elu, 1.0f, 0.0f},
    Activation{"Abs", algorithm::eltwise_abs, 0.0f, 0.0f},
    Activation{"Sqrt", algorithm::eltwise_sqrt, 0.0f, 0.0f},
    Activation{"Exp", algorithm::eltwise_exp, 0.0f, 0.0f},
    Activation{"Log", algorithm::eltwise_log, 0.0f, 0.0f},
};

}  // namespace

std::optional<std::vector<EltwiseOp>> activation_ops(std::string_view name, std::span<const float> params) {
  auto param = [&](size_t i, float fallback) { return i < params.size() ? params[i] : fallback; };
  if (name.empty()) return std::vector<EltwiseOp>{};
  // oneDNN 2.6 has no hard sigmoid: max(0, min(1, alpha*x + beta)) is linear then clip.
  if (name == "HardSigmoid")
    return std::vector<EltwiseOp>{{algorithm::eltwise_linear, param(0, 0.2f), param(1, 0.5f)},
                                  {algorithm::eltwise_clip, 0.0f, 1.0f}};
  for (const Activation& a : kSingleOp)
    if (a.name == name) return std::vector<EltwiseOp>{{a.alg, param(0, a.default_alpha), param(1, a.default_beta)}};
  return std::nullopt;
}

void append_eltwise_post_ops(dnnl::post_ops& post_ops, std::span<const EltwiseOp> ops) {
  for (const EltwiseOp& op : ops) post_ops.append_eltwise(1.0f, op.algorithm, op.alpha, op.beta);
}

}  // namespace es::cpu
