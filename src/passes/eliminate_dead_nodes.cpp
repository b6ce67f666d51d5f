// eliminate_dead_nodes: removes nodes none of whose outputs reaches a graph output (every op in the
// vocabulary is free of side effects), then the values nothing refers to any more.
#include "passes/passes.h"

namespace es::passes {

Result<bool> eliminate_dead_nodes(Graph& graph) {
  std::vector<bool> live_value(graph.values.size(), false);
  for (ValueId out : graph.outputs) live_value[out] = true;
  std::vector<bool> dead(graph.nodes.size(), true);
  bool any_dead = false;
  // Reverse topological order: a node's readers are decided before the node itself.
  for (size_t i = graph.nodes.size(); i-- > 0;) {
    const Node& node = graph.nodes[i];
    for (ValueId out : node.outputs)
      if (out != kNoValue && live_value[out]) dead[i] = false;
    if (dead[i]) {
      any_dead = true;
      continue;
    }
    for (ValueId in : node.inputs)
      if (in != kNoValue) live_value[in] = true;
  }
  size_t values_before = graph.values.size();
  if (any_dead) graph.remove_nodes(dead);
  graph.remove_unused_values();
  return any_dead || graph.values.size() != values_before;
}

}  // namespace es::passes
