// fold_constants: evaluates, with the reference kernels, every node whose inputs are all known before
// running, and turns its outputs into initializers. Shape and Size only need their input's static shape,
// so Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains fold even when the data is a graph input.
// One forward sweep reaches the fixpoint: a folded output is constant by the time its readers are seen.
//
// Size limit: folding writes the result into the model, so an output is materialised only when it has at
// most kMaxFoldedElements elements or is no larger than the constant inputs it is computed from (weight
// transforms such as Transpose/Cast/DequantizeLinear of a large initializer still fold; a
// ConstantOfShape/Expand/Tile producing 100M elements does not).
// Nodes writing a graph output are kept, so every graph output stays the output of a node.
// Nodes without a reference kernel are left alone. Values nothing reads any more are dropped; nodes
// whose results nothing reads are eliminate_dead_nodes' job.
#include "backends/ref/ref_kernels.h"
#include "base/log.h"
#include "passes/passes.h"
#include "passes/rewrite.h"

#include <algorithm>

namespace es::passes {
namespace {

constexpr int64_t kMaxFoldedElements = int64_t{1} << 20;  // 4 MiB of f32

bool static_shape(const Value& v) {
  return v.shape_known && std::all_of(v.shape.begin(), v.shape.end(), [](int64_t d) { return d >= 0; });
}

// Shape (with opset-15 start/end) and Size of a statically shaped input.
Tensor shape_metadata(const Node& node, const Value& input) {
  const int64_t rank = input.rank();
  if (node.op == OpKind::Size) return Tensor::scalar<int64_t>(shape_numel(input.shape));
  auto clamp_dim = [rank](int64_t d) { return std::clamp(d < 0 ? d + rank : d, int64_t{0}, rank); };
  int64_t start = clamp_dim(node.attrs.get_int("start", 0));
  int64_t end = std::max(start, clamp_dim(node.attrs.get_int("end", rank)));
  std::vector<int64_t> dims(input.shape.begin() + start, input.shape.begin() + end);
  return Tensor::from_vector<int64_t>({static_cast<int64_t>(dims.size())}, dims);
}

// Whether `node` can be folded: static output shapes, constant inputs (or, for Shape/Size, a static
// input shape), within the size limit.
bool foldable(const Graph& graph, const Node& node) {
  int64_t output_elements = 0;
  for (ValueId out : node.outputs) {
    if (out == kNoValue) continue;
    const Value& v = graph.value(out);
    if (graph.is_graph_output(out) || !static_shape(v) || dtype_size(v.dtype) == 0) return false;
    output_elements += shape_numel(v.shape);
  }
  if (node.op == OpKind::Shape || node.op == OpKind::Size) return static_shape(graph.value(node.inputs.at(0)));
  int64_t input_elements = 0;
  for (ValueId in : node.inputs) {
    if (in == kNoValue) continue;
    const Tensor* data = constant_data(graph, in);
    if (data == nullptr) return false;
    input_elements += data->numel();
  }
  if (output_elements > std::max(kMaxFoldedElements, input_elements)) {
    log::debug("fold_constants: node '{}' ({}) not folded: {} output elements exceed the limit", node.name,
               op_name(node.op), output_elements);
    return false;
  }
  return true;
}

// The node's output tensors (kNoValue outputs get an empty Tensor): Shape/Size from the static shape,
// values shape inference already propagated, or the reference kernel. No tensors at all means the
// reference backend cannot evaluate the node.
Result<std::vector<Tensor>> evaluate(const Graph& graph, const Node& node) {
  std::vector<Tensor> results;
  if (node.op == OpKind::Shape || node.op == OpKind::Size) {
    results.push_back(shape_metadata(node, graph.value(node.inputs.at(0))));
    return results;
  }
  bool propagated = std::all_of(node.outputs.begin(), node.outputs.end(),
                                [&](ValueId out) { return out == kNoValue || graph.value(out).data != nullptr; });
  for (ValueId out : node.outputs) {
    if (out == kNoValue) results.emplace_back();
    else if (propagated) results.push_back(*graph.value(out).data);
    else results.emplace_back(graph.value(out).dtype, graph.value(out).shape);
  }
  if (propagated) return results;
  std::vector<TensorView> input_views, output_views;
  for (ValueId in : node.inputs)
    input_views.push_back(in == kNoValue ? TensorView{} : TensorView::of(*graph.value(in).data));
  for (size_t k = 0; k < results.size(); ++k)
    output_views.push_back(node.outputs[k] == kNoValue ? TensorView{} : TensorView::of(results[k]));
  Status status = ref::run_node(node, input_views, output_views);
  if (status.code() == StatusCode::unsupported) {
    log::debug("fold_constants: node '{}' ({}) not folded: {}", node.name, op_name(node.op), status.message());
    return std::vector<Tensor>{};
  }
  if (!status.ok()) return status.with_context("fold_constants");
  return results;
}

}  // namespace

Result<bool> fold_constants(Graph& graph) {
  std::vector<bool> folded(graph.nodes.size(), false);
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (!foldable(graph, node)) continue;
    ES_ASSIGN_OR_RETURN(std::vector<Tensor> results, evaluate(graph, node));
    if (results.empty()) continue;
    for (size_t k = 0; k < node.outputs.size(); ++k)
      if (node.outputs[k] != kNoValue)
        graph.value(node.outputs[k]).data = std::make_shared<const Tensor>(std::move(results[k]));
    folded[i] = true;
    changed = true;
  }
  if (!changed) return false;
  graph.remove_nodes(folded);  // the outputs keep their data and now have no producer: initializers
  graph.remove_unused_values();
  return true;
}

}  // namespace es::passes
