// Static shape and dtype inference over the whole graph, with propagation of known values.
//
// For each node in order: checks its inputs (count, dtypes, ranks, attribute values) and computes the
// outputs' dtype and shape. When every input of a node has known contents (Value::data) and the node is
// cheap shape arithmetic (Shape, Gather, Unsqueeze, Concat, Slice, Cast, Squeeze, Reshape, element-wise
// on small integer tensors, ConstantOfShape, Range, ...), the evaluator computes its outputs and they
// become known too; that is how Reshape/Expand/Resize/... get static target shapes from
// Shape->Gather->Concat chains. Errors name the node and op, e.g.
// "node 'Conv_3' (Conv): input 1 has rank 3, expected 4".
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <functional>
#include <span>

namespace es {

// Computes a node's outputs from fully known inputs (the reference backend provides one).
// Shapes of `outputs` are already inferred; the evaluator fills them.
using NodeEvaluator = std::function<Status(const Node& node, std::span<const Tensor* const> inputs,
                                           std::span<Tensor> outputs)>;

struct ShapeInferenceOptions {
  // Known-value propagation evaluates nodes whose outputs have at most this many elements, so shape
  // arithmetic is folded while large constant subgraphs are left to the fold_constants pass.
  int64_t max_propagated_elements = 4096;
};

Status infer_shapes(Graph& graph, const NodeEvaluator& evaluator, ShapeInferenceOptions options = {});

// Shape rule of one node (inputs must have known shapes); used by infer_shapes and by passes that
// create nodes. Sets dtype/shape of the node's outputs.
Status infer_node(Graph& graph, NodeId node);

}  // namespace es
