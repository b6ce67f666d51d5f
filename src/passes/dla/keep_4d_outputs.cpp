// keep_4d_outputs (only with --keep-4d-output): a graph output computed by a Reshape/Flatten/Squeeze of a
// [N, C, 1, 1] map into [N, C] is replaced by the map itself, so the output becomes [N, C, 1, 1] and no
// layer is left on the GPU after the DLA loadable (the DLA's shuffles need 4-D tensors). This changes the
// output's shape, not its values or element order; the output keeps its name.
#include "passes/dla/dla_passes.h"
#include "passes/dla/graph_editor.h"
#include "passes/rewrite.h"

namespace es::passes::dla {

Result<bool> keep_4d_outputs(Graph& graph) {
  std::vector<bool> removed(graph.nodes.size(), false);
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& n = graph.nodes[i];
    if (n.op != OpKind::Reshape && n.op != OpKind::Flatten && n.op != OpKind::Squeeze) continue;
    const ValueId in = n.inputs.at(0), out = n.outputs.at(0);
    const Shape* s = static_shape(graph, in);
    if (!graph.is_graph_output(out) || s == nullptr || s->size() != 4 || (*s)[2] != 1 || (*s)[3] != 1) continue;
    if (!bypass(graph, in, out)) continue;
    removed[i] = true;
    changed = true;
  }
  if (!changed) return false;
  graph.remove_nodes(removed);
  graph.remove_unused_values();
  return true;
}

}  // namespace es::passes::dla
