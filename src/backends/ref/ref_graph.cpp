#include "backends/ref/ref_kernels.h"

#include <fmt/format.h>

namespace es::ref {

Result<std::vector<Tensor>> run_graph(const Graph& graph, std::span<const Tensor> inputs) {
  if (inputs.size() != graph.inputs.size())
    return error(StatusCode::invalid_argument, "graph '{}' has {} inputs, {} given", graph.name, graph.inputs.size(),
                 inputs.size());
  std::vector<Tensor> env(graph.values.size());
  for (size_t v = 0; v < graph.values.size(); ++v)
    if (graph.values[v].producer == kNoNode && graph.values[v].data) env[v] = *graph.values[v].data;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value& v = graph.value(graph.inputs[i]);
    if (inputs[i].dtype() != v.dtype || inputs[i].shape() != v.shape)
      return error(StatusCode::invalid_argument, "input '{}' is {} {}, the graph expects {} {}", v.name,
                   dtype_name(inputs[i].dtype()), shape_str(inputs[i].shape()), dtype_name(v.dtype),
                   shape_str(v.shape));
    env[static_cast<size_t>(graph.inputs[i])] = inputs[i];
  }

  // Index of the last node reading each value, so intermediates can be dropped early.
  std::vector<size_t> last_use(graph.values.size(), 0);
  for (size_t n = 0; n < graph.nodes.size(); ++n)
    for (ValueId id : graph.nodes[n].inputs)
      if (id != kNoValue) last_use[static_cast<size_t>(id)] = n;

  for (size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    std::vector<TensorView> in, out;
    for (ValueId id : node.inputs) {
      if (id == kNoValue) {
        in.emplace_back();
        continue;
      }
      const Tensor& t = env[static_cast<size_t>(id)];
      if (t.empty())
        return error(StatusCode::invalid_model, "node '{}' ({}): input '{}' has no value", node.name,
                     op_name(node.op), graph.value(id).name);
      in.push_back(TensorView::of(t));
    }
    for (ValueId id : node.outputs) {
      if (id == kNoValue) {
        out.emplace_back();
        continue;
      }
      const Value& v = graph.value(id);
      if (!v.shape_known || dtype_size(v.dtype) == 0)
        return error(StatusCode::unsupported, "node '{}' ({}): output '{}' has no static shape or dense dtype",
                     node.name, op_name(node.op), v.name);
      ES_TRY(checked_numel(v.shape));
      env[static_cast<size_t>(id)] = Tensor(v.dtype, v.shape);
      out.push_back(TensorView::of(env[static_cast<size_t>(id)]));
    }
    ES_TRY(run_node(node, in, out));
    for (ValueId id : node.inputs)
      if (id != kNoValue && last_use[static_cast<size_t>(id)] == n && !graph.is_graph_output(id))
        env[static_cast<size_t>(id)] = Tensor();
  }

  std::vector<Tensor> results;
  for (ValueId id : graph.outputs) {
    if (env[static_cast<size_t>(id)].empty())
      return error(StatusCode::invalid_model, "graph output '{}' is never computed", graph.value(id).name);
    results.push_back(env[static_cast<size_t>(id)]);
  }
  return results;
}

}  // namespace es::ref
