// Whole-graph statistics for `inspect`: op histogram, parameter count and arithmetic cost.
#pragma once

#include "ir/graph.h"

#include <map>
#include <string>

namespace es {

struct GraphStats {
  std::map<std::string, int64_t> op_histogram;  // op name -> node count
  int64_t nodes = 0;
  int64_t parameters = 0;        // elements in initializers
  int64_t parameter_bytes = 0;
  int64_t macs = 0;              // multiply-accumulates of Conv/ConvTranspose/Gemm/MatMul
  int64_t flops = 0;             // 2 * macs + one per output element of every other op
  int64_t activation_bytes = 0;  // sum of all node outputs (no reuse)
};

// Counts MACs for one node (0 for ops that are not multiply-accumulate heavy). Needs static shapes.
int64_t node_macs(const Graph& graph, const Node& node);
GraphStats compute_stats(const Graph& graph);

}  // namespace es
