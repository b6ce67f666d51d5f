// The exporter's reverse of the import handlers: rewrites a node written in its opset-17 form into the
// form of an older target opset (axes/split/min/max/pads/starts/k/ratio inputs back to attributes,
// Resize back to Resize-10/Upsample, Softmax on the last axis). The input must then be a constant.
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <onnx/onnx_pb.h>

namespace es::onnx_io {

// `proto` holds the node as written for opset 17; on return it is valid for `opset`, or the Status says
// why the node cannot be written at that opset (names the node, the op and the opset). Initializers the
// older form needs (Resize-11's empty roi) are added to `graph_proto`.
Status lower_node_to_opset(const Graph& graph, const Node& node, int64_t opset, onnx::NodeProto& proto,
                           onnx::GraphProto& graph_proto);

}  // namespace es::onnx_io
