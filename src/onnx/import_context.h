// ImportContext: what node handlers may do to the graph being imported. It owns the name tables so
// every node and value name stays unique, and stamps every node with the ONNX node it came from.
#pragma once

#include "ir/graph.h"
#include "onnx/type_hints.h"

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace es::onnx_io {

// One IR node before it enters the graph. A handler receives the direct translation of an ONNX node
// (inputs, outputs, attributes) and emits its opset-17 equivalent: usually the same node, sometimes
// rewritten or surrounded by helper nodes.
struct NodeDraft {
  OpKind op = OpKind::Identity;
  std::string name;  // unique in the graph
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  Attributes attrs;
};

class ImportContext {
 public:
  // `model_value_names`: every value name the ONNX graph defines, so generated names never take one
  // that a later node will define.
  ImportContext(Graph& graph, TypeHints& hints, int64_t opset, std::unordered_set<std::string> model_value_names);

  Graph& graph() { return graph_; }
  int64_t opset() const { return opset_; }
  // Best-effort dtype/rank of a value (see TypeHints).
  TypeHint hint(ValueId id) { return id == kNoValue ? TypeHint{} : hints_.best_effort(graph_.value(id).name); }
  // Contents of an initializer or of a Constant node's output, else null.
  const Tensor* constant_data(ValueId id) const;

  // ValueId of a defined name, or kNoValue.
  ValueId lookup(const std::string& name) const;
  bool is_defined(const std::string& name) const { return lookup(name) != kNoValue; }
  // Defines an ONNX value under its own name (the caller checked it is new).
  ValueId define_value(const std::string& name, DType dtype);
  ValueId define_initializer(const std::string& name, Tensor tensor);
  ValueId define_input(const std::string& name, DType dtype, Shape shape);

  // Helper values for handlers, named after `base` and made unique.
  ValueId add_value(const std::string& base, DType dtype = DType::undefined);
  ValueId add_constant(const std::string& base, Tensor tensor);

  // `base` if no node has it yet, else base_1, base_2, ...
  std::string unique_node_name(const std::string& base) const;
  // Sets the ONNX node name recorded as origin of the nodes emitted next.
  void set_origin(std::string onnx_node_name) { origin_ = std::move(onnx_node_name); }
  // Appends the node to the graph (its name must be unique: use unique_node_name for helpers).
  void emit(NodeDraft node);

 private:
  std::string unique_value_name(const std::string& base) const;

  Graph& graph_;
  TypeHints& hints_;
  int64_t opset_;
  std::unordered_set<std::string> model_value_names_;
  std::unordered_map<std::string, ValueId> values_;
  std::unordered_set<std::string> node_names_;
  std::string origin_;
};

}  // namespace es::onnx_io
