// Builds the TensorRT network that TensorRT's ONNX parser (onnx-tensorrt) of a given release would build from
// an imported graph: one or more layers per ONNX node, IConstant layers where a consumer needs a weights
// tensor, shape-tensor layers where shape arithmetic is not known at parse time. The graph must be the one
// imported (before edgescope's own passes) with static shapes from infer_shapes().
#pragma once

#include "base/status.h"
#include "ir/graph.h"
#include "placement/trt_network.h"

namespace es::placement {

struct ParserOptions {
  TrtVersion version = TrtVersion::v8_5;
  // The ONNX file declares the inputs' first dimension symbolic (the zoo files do: "batch_size", "N"). The
  // importer binds it to a number, but TensorRT's network keeps -1 there, so the parser's shape arithmetic on
  // it (Flatten, Squeeze, Unsqueeze, old Softmax) creates Shape/Gather/Concatenation layers.
  bool dynamic_batch = false;
};

// Errors name the node: a value without an inferred shape.
Result<TrtNetwork> build_trt_network(const Graph& graph, const ParserOptions& options);

}  // namespace es::placement
