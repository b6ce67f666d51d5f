// The graph IR: values (typed, statically shaped edges) and nodes (ops) in topological order.
//
// Conventions every stage relies on:
//  - `nodes` is always in topological order; passes that insert nodes keep it so (verify() checks).
//  - A Value is produced by at most one node (SSA). Graph inputs and initializers have no producer.
//  - Value::data is set for initializers and for values whose contents are known before running
//    (shape inference evaluates shape arithmetic); a produced value with data is still computed at
//    run time unless the fold_constants pass removes its producer.
//  - An omitted optional input is kNoValue.
//  - Ops have ONNX opset-17 semantics (see ops.def).
//
// Example (a tiny graph built by hand; tests use GraphBuilder in builder.h instead):
//   Graph g;
//   ValueId x = g.add_value("x", DType::f32, {1, 8});
//   g.inputs.push_back(x);
//   ValueId y = g.add_value("y", DType::f32, {1, 8});
//   g.add_node(OpKind::Relu, "relu0", {x}, {y});
//   g.outputs.push_back(y);
#pragma once

#include "base/status.h"
#include "ir/attribute.h"
#include "ir/op_kind.h"
#include "ir/tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace es {

using ValueId = int32_t;
using NodeId = int32_t;
inline constexpr ValueId kNoValue = -1;
inline constexpr NodeId kNoNode = -1;

struct Value {
  std::string name;
  DType dtype = DType::undefined;
  Shape shape;               // meaningful only when shape_known
  bool shape_known = false;  // false until shape inference (or the importer) fixes it
  std::shared_ptr<const Tensor> data;  // initializer or compile-time-known contents
  NodeId producer = kNoNode;

  bool is_initializer() const { return producer == kNoNode && data != nullptr; }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
};

struct Node {
  std::string name;  // unique within the graph; the ONNX node name (or a generated one) for messages
  OpKind op = OpKind::Identity;
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  Attributes attrs;
  // ONNX node names this node stands for; fusion passes append, so reports can map back to the model.
  std::vector<std::string> origin;

  bool has_input(size_t i) const { return i < inputs.size() && inputs[i] != kNoValue; }
};

class Graph {
 public:
  std::string name;
  int64_t opset = 17;  // ai.onnx opset of the source model (for reports; semantics are opset 17)
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<ValueId> inputs;   // graph inputs that are fed at run time (initializers excluded)
  std::vector<ValueId> outputs;

  ValueId add_value(std::string value_name, DType dtype, Shape shape);
  ValueId add_value_unshaped(std::string value_name, DType dtype = DType::undefined);
  ValueId add_initializer(std::string value_name, Tensor tensor);
  // Appends a node (caller keeps topological order) and sets the outputs' producer.
  NodeId add_node(OpKind op, std::string node_name, std::vector<ValueId> node_inputs,
                  std::vector<ValueId> node_outputs, Attributes attrs = {});

  Value& value(ValueId id) { return values.at(static_cast<size_t>(id)); }
  const Value& value(ValueId id) const { return values.at(static_cast<size_t>(id)); }
  Node& node(NodeId id) { return nodes.at(static_cast<size_t>(id)); }
  const Node& node(NodeId id) const { return nodes.at(static_cast<size_t>(id)); }

  // Nodes that read `id`, in topological order (one entry per node even if it reads it twice).
  std::vector<NodeId> consumers(ValueId id) const;
  bool is_graph_output(ValueId id) const;
  ValueId find_value(const std::string& value_name) const;  // kNoValue when absent
  NodeId find_node(const std::string& node_name) const;     // kNoNode when absent
  // A value name not used yet, derived from `base`.
  std::string unique_value_name(const std::string& base) const;
  std::string unique_node_name(const std::string& base) const;

  // Replaces every use of `from` (node inputs and graph outputs) by `to`.
  void replace_uses(ValueId from, ValueId to);
  // Removes the nodes whose flag is set and refreshes producers. Values stay (unused ones are harmless);
  // call remove_unused_values() to drop them.
  void remove_nodes(const std::vector<bool>& remove);
  // Drops values no node, input or output refers to, renumbering ValueIds.
  void remove_unused_values();
  // Recomputes Value::producer from the node list.
  void refresh_producers();
  // Sorts nodes topologically (stable: keeps the current order where dependencies allow).
  Status sort_topologically();

  int64_t parameter_count() const;  // elements in initializers
};

struct VerifyOptions {
  bool require_shapes = true;  // every value used must have a known shape and dtype
};
// Checks SSA, topological order, dangling references, arity of known ops, and (optionally) shapes.
// The message names the node and the problem.
Status verify(const Graph& graph, VerifyOptions options = {});

// Stable text form, one line per value/node (what `inspect --ir` and golden tests show).
std::string print_graph(const Graph& graph);

}  // namespace es
