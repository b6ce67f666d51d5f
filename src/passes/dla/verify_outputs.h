// The equality check `edgescope optimize --verify` runs: both graphs on the reference kernels, fed the same
// seeded random inputs, every output compared by relative L2 error.
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <cstdint>
#include <string>
#include <vector>

namespace es::passes::dla {

struct OutputComparison {
  std::string output;
  double relative_l2 = 0;
};

// Floats uniform in [-1, 1), integers in [0, 8): reproducible by seed, one tensor per graph input.
std::vector<Tensor> seeded_inputs(const Graph& graph, uint32_t seed);

// Runs `before` and `after` (same inputs, same outputs by position; an output may change shape but not its
// element count, as keep_4d_outputs does) on `inputs` and compares every output. Errors: a graph the reference
// kernels cannot run, mismatched interfaces, and an output over `tolerance`, named in the message.
// The error is ||after - before|| / max(||before||, 1e-3 * sqrt(n)): relative, except for outputs whose RMS is
// under 1e-3, which are compared absolutely (see verify_outputs.cpp).
Result<std::vector<OutputComparison>> compare_outputs(const Graph& before, const Graph& after,
                                                      const std::vector<Tensor>& inputs, double tolerance);

}  // namespace es::passes::dla
