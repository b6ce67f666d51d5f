// GraphEditor: the small toolkit the DLA rewrite passes share. A pass finds a pattern, adds the nodes that
// replace it (appended, with explicitly shaped values so later matches in the same sweep can read them),
// marks the replaced nodes removed, and finish() drops them and restores topological order.
//
// A replacement usually writes the replaced node's own output value, so graph outputs keep their names and
// readers need no rewiring; the first replacement node may take over the replaced node's name so placement
// reports still show the ONNX node names users know.
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <string>
#include <vector>

namespace es::passes::dla {

class GraphEditor {
 public:
  explicit GraphEditor(Graph& graph) : g_(graph) {}

  Graph& graph() { return g_; }

  // A new activation value of known dtype and shape, named uniquely after `base`.
  ValueId value(const std::string& base, DType dtype, Shape shape);
  // A new initializer named uniquely after `base`.
  ValueId initializer(const std::string& base, Tensor tensor);
  // An int64 1-D initializer (Reshape shapes, axes).
  ValueId ints(const std::string& base, const std::vector<int64_t>& values);
  // A float initializer of `shape` filled with `value`.
  ValueId filled(const std::string& base, Shape shape, float value);

  // Appends a node. Its name is `name` when no live node has it (a removed node's name is free), else a
  // unique variant. The node's origin is that of `replaces` (the ONNX nodes it stands for).
  NodeId add(OpKind op, const std::string& name, std::vector<ValueId> inputs, std::vector<ValueId> outputs,
             Attributes attrs, const Node& replaces);
  // Marks a node removed: it loses its name, inputs and outputs at once (so consumers() no longer counts it).
  void remove(NodeId id);

  // Drops the removed nodes and unused values and sorts the nodes topologically. Returns whether the
  // graph changed.
  Result<bool> finish();

 private:
  Graph& g_;
  std::vector<NodeId> removed_;
  bool added_ = false;
};

// Shared pattern helpers.
// The shape of `id` when it is known and fully static; nullptr otherwise.
const Shape* static_shape(const Graph& graph, ValueId id);
// Float constant contents of `id` (see rewrite.h constant_data), nullptr when not a constant float tensor.
const Tensor* constant_float(const Graph& graph, ValueId id);
// Attributes from a list of name/value pairs.
Attributes attrs_of(std::initializer_list<std::pair<const char*, AttrValue>> list);

}  // namespace es::passes::dla
