#include "onnx/import_context.h"

#include <fmt/format.h>

namespace es::onnx_io {

ImportContext::ImportContext(Graph& graph, TypeHints& hints, int64_t opset,
                             std::unordered_set<std::string> model_value_names)
    : graph_(graph), hints_(hints), opset_(opset), model_value_names_(std::move(model_value_names)) {}

ValueId ImportContext::lookup(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? kNoValue : it->second;
}

const Tensor* ImportContext::constant_data(ValueId id) const {
  if (id == kNoValue) return nullptr;
  const Value& v = graph_.value(id);
  if (v.data) return v.data.get();
  if (v.producer != kNoNode && graph_.node(v.producer).op == OpKind::Constant)
    return graph_.node(v.producer).attrs.get_tensor("value");
  return nullptr;
}

ValueId ImportContext::define_value(const std::string& name, DType dtype) {
  ES_ASSERT(!is_defined(name));
  ValueId id = graph_.add_value_unshaped(name, dtype);
  values_.emplace(name, id);
  return id;
}

ValueId ImportContext::define_initializer(const std::string& name, Tensor tensor) {
  ES_ASSERT(!is_defined(name));
  ValueId id = graph_.add_initializer(name, std::move(tensor));
  values_.emplace(name, id);
  return id;
}

ValueId ImportContext::define_input(const std::string& name, DType dtype, Shape shape) {
  ES_ASSERT(!is_defined(name));
  ValueId id = graph_.add_value(name, dtype, std::move(shape));
  values_.emplace(name, id);
  graph_.inputs.push_back(id);
  return id;
}

std::string ImportContext::unique_value_name(const std::string& base) const {
  auto taken = [&](const std::string& n) { return is_defined(n) || model_value_names_.count(n) != 0; };
  if (!taken(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = fmt::format("{}_{}", base, i);
    if (!taken(candidate)) return candidate;
  }
}

ValueId ImportContext::add_value(const std::string& base, DType dtype) {
  return define_value(unique_value_name(base), dtype);
}

ValueId ImportContext::add_constant(const std::string& base, Tensor tensor) {
  return define_initializer(unique_value_name(base), std::move(tensor));
}

std::string ImportContext::unique_node_name(const std::string& base) const {
  if (!base.empty() && node_names_.count(base) == 0) return base;
  for (int i = 1;; ++i) {
    std::string candidate = fmt::format("{}_{}", base, i);
    if (node_names_.count(candidate) == 0) return candidate;
  }
}

void ImportContext::emit(NodeDraft node) {
  ES_ASSERT_MSG(node_names_.insert(node.name).second, "node name emitted twice");
  NodeId id = graph_.add_node(node.op, std::move(node.name), std::move(node.inputs), std::move(node.outputs),
                              std::move(node.attrs));
  graph_.node(id).origin = {origin_};
}

}  // namespace es::onnx_io
