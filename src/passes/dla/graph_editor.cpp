#include "passes/dla/graph_editor.h"

#include "passes/rewrite.h"

#include <algorithm>

namespace es::passes::dla {

ValueId GraphEditor::value(const std::string& base, DType dtype, Shape shape) {
  return g_.add_value(g_.unique_value_name(base), dtype, std::move(shape));
}

ValueId GraphEditor::initializer(const std::string& base, Tensor tensor) {
  return g_.add_initializer(g_.unique_value_name(base), std::move(tensor));
}

ValueId GraphEditor::ints(const std::string& base, const std::vector<int64_t>& values) {
  return initializer(base, Tensor::from_vector<int64_t>({static_cast<int64_t>(values.size())}, values));
}

ValueId GraphEditor::filled(const std::string& base, Shape shape, float value) {
  Tensor t(DType::f32, std::move(shape));
  std::fill(t.values<float>().begin(), t.values<float>().end(), value);
  return initializer(base, std::move(t));
}

NodeId GraphEditor::add(OpKind op, const std::string& name, std::vector<ValueId> inputs, std::vector<ValueId> outputs,
                        Attributes attrs, const Node& replaces) {
  std::vector<std::string> origin = replaces.origin;
  NodeId id = g_.add_node(op, g_.unique_node_name(name), std::move(inputs), std::move(outputs), std::move(attrs));
  g_.node(id).origin = std::move(origin);
  added_ = true;
  return id;
}

void GraphEditor::remove(NodeId id) {
  Node& n = g_.node(id);
  n.name.clear();
  n.inputs.clear();
  for (ValueId out : n.outputs)
    if (out != kNoValue && g_.value(out).producer == id) g_.value(out).producer = kNoNode;
  n.outputs.clear();
  removed_.push_back(id);
}

Result<bool> GraphEditor::finish() {
  if (removed_.empty() && !added_) return false;
  std::vector<bool> flags(g_.nodes.size(), false);
  for (NodeId id : removed_) flags[static_cast<size_t>(id)] = true;
  g_.remove_nodes(flags);
  g_.remove_unused_values();
  ES_TRY(g_.sort_topologically());
  removed_.clear();
  added_ = false;
  return true;
}

const Shape* static_shape(const Graph& graph, ValueId id) {
  if (id == kNoValue) return nullptr;
  const Value& v = graph.value(id);
  if (!v.shape_known || std::any_of(v.shape.begin(), v.shape.end(), [](int64_t d) { return d < 0; })) return nullptr;
  return &v.shape;
}

const Tensor* constant_float(const Graph& graph, ValueId id) {
  const Tensor* t = constant_data(graph, id);
  return t != nullptr && t->dtype() == DType::f32 ? t : nullptr;
}

Attributes attrs_of(std::initializer_list<std::pair<const char*, AttrValue>> list) {
  Attributes a;
  for (const auto& [key, value] : list) a.set(key, value);
  return a;
}

}  // namespace es::passes::dla
