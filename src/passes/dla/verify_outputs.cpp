#include "passes/dla/verify_outputs.h"

#include "backends/ref/ref_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

namespace es::passes::dla {

std::vector<Tensor> seeded_inputs(const Graph& graph, uint32_t seed) {
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const Value& v = graph.value(graph.inputs[i]);
    Tensor t(v.dtype, v.shape);
    std::mt19937 rng(seed + static_cast<uint32_t>(i));
    std::uniform_real_distribution<double> dist(-1.0, 1.0);
    for (int64_t k = 0; k < t.numel(); ++k) {
      double x = dist(rng);
      switch (v.dtype) {
        case DType::f32: t.data<float>()[k] = static_cast<float>(x); break;
        case DType::f64: t.data<double>()[k] = x; break;
        case DType::i64: t.data<int64_t>()[k] = static_cast<int64_t>((x + 1) * 4); break;
        case DType::i32: t.data<int32_t>()[k] = static_cast<int32_t>((x + 1) * 4); break;
        default: break;  // other dtypes stay zero
      }
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

Result<std::vector<OutputComparison>> compare_outputs(const Graph& before, const Graph& after,
                                                      const std::vector<Tensor>& inputs, double tolerance) {
  if (before.inputs.size() != after.inputs.size() || before.outputs.size() != after.outputs.size())
    return error(StatusCode::internal, "verify: the optimised graph has {} inputs / {} outputs, the original {} / {}",
                 after.inputs.size(), after.outputs.size(), before.inputs.size(), before.outputs.size());
  Result<std::vector<Tensor>> expected = ref::run_graph(before, inputs);
  if (!expected.ok()) return expected.status().with_context("verify: running the original graph");
  Result<std::vector<Tensor>> actual = ref::run_graph(after, inputs);
  if (!actual.ok()) return actual.status().with_context("verify: running the optimised graph");
  std::vector<OutputComparison> result;
  for (size_t i = 0; i < expected->size(); ++i) {
    const std::string& name = before.value(before.outputs[i]).name;
    const Tensor& e = (*expected)[i];
    const Tensor& a = (*actual)[i];
    if (e.numel() != a.numel())
      return error(StatusCode::internal, "verify: output '{}' has {} elements after optimisation, {} before", name,
                   a.numel(), e.numel());
    if (!dtype_is_float(e.dtype())) {  // indices, masks: must be identical
      if (e.dtype() != a.dtype() || std::memcmp(e.raw(), a.raw(), e.nbytes()) != 0)
        return error(StatusCode::internal, "verify: output '{}' ({}) differs after optimisation", name,
                     dtype_name(e.dtype()));
      result.push_back({name, 0.0});
      continue;
    }
    std::vector<float> ev = e.to_float_vector(), av = a.to_float_vector();
    double diff = 0, norm = 0;
    for (size_t k = 0; k < ev.size(); ++k) {
      double d = static_cast<double>(ev[k]) - av[k];
      diff += d * d;
      norm += static_cast<double>(ev[k]) * ev[k];
    }
    // The norm is floored at an RMS of 1e-3 per element, as the project's reference-model check does: an output
    // that small (PP-OCR det on a photo without text: max 3.3e-7) is compared absolutely, RMS difference <=
    // tolerance * 1e-3, because relative error on sigmoid tails of 1e-12 only measures float rounding.
    double floor = 1e-6 * static_cast<double>(ev.size());
    double rel = std::sqrt(diff / std::max(norm, floor));
    if (!(rel <= tolerance))
      return error(StatusCode::internal, "verify: output '{}' differs after optimisation: relative L2 error {:.3g} > {:g}",
                   name, rel, tolerance);
    result.push_back({name, rel});
  }
  return result;
}

}  // namespace es::passes::dla
