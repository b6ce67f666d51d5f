// Seeded random inputs matching a graph's inputs, for runs without real data.
#pragma once

#include "ir/graph.h"

#include <cstdint>
#include <vector>

namespace es::bench {

// Floats uniform in [-1, 1); integers in [0, 10); booleans half true. Same seed, same tensors.
std::vector<Tensor> random_inputs(const Graph& graph, uint64_t seed);

}  // namespace es::bench
