#include "ir/graph.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace es {

ValueId Graph::add_value(std::string value_name, DType dtype, Shape shape) {
  Value v;
  v.name = std::move(value_name);
  v.dtype = dtype;
  v.shape = std::move(shape);
  v.shape_known = true;
  values.push_back(std::move(v));
  return static_cast<ValueId>(values.size() - 1);
}

ValueId Graph::add_value_unshaped(std::string value_name, DType dtype) {
  Value v;
  v.name = std::move(value_name);
  v.dtype = dtype;
  values.push_back(std::move(v));
  return static_cast<ValueId>(values.size() - 1);
}

ValueId Graph::add_initializer(std::string value_name, Tensor tensor) {
  ValueId id = add_value(std::move(value_name), tensor.dtype(), tensor.shape());
  value(id).data = std::make_shared<const Tensor>(std::move(tensor));
  return id;
}

NodeId Graph::add_node(OpKind op, std::string node_name, std::vector<ValueId> node_inputs,
                       std::vector<ValueId> node_outputs, Attributes attrs) {
  Node n;
  n.op = op;
  n.origin.push_back(node_name);
  n.name = std::move(node_name);
  n.inputs = std::move(node_inputs);
  n.outputs = std::move(node_outputs);
  n.attrs = std::move(attrs);
  NodeId id = static_cast<NodeId>(nodes.size());
  for (ValueId out : n.outputs)
    if (out != kNoValue) value(out).producer = id;
  nodes.push_back(std::move(n));
  return id;
}

std::vector<NodeId> Graph::consumers(ValueId id) const {
  std::vector<NodeId> result;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (std::find(nodes[i].inputs.begin(), nodes[i].inputs.end(), id) != nodes[i].inputs.end())
      result.push_back(static_cast<NodeId>(i));
  return result;
}

bool Graph::is_graph_output(ValueId id) const {
  return std::find(outputs.begin(), outputs.end(), id) != outputs.end();
}

ValueId Graph::find_value(const std::string& value_name) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == value_name) return static_cast<ValueId>(i);
  return kNoValue;
}

NodeId Graph::find_node(const std::string& node_name) const {
  for (size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == node_name) return static_cast<NodeId>(i);
  return kNoNode;
}

namespace {
template <typename Taken>
std::string unique_name(const std::string& base, Taken taken) {
  if (!taken(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (!taken(candidate)) return candidate;
  }
}
}  // namespace

std::string Graph::unique_value_name(const std::string& base) const {
  return unique_name(base, [&](const std::string& n) { return find_value(n) != kNoValue; });
}

std::string Graph::unique_node_name(const std::string& base) const {
  return unique_name(base, [&](const std::string& n) { return find_node(n) != kNoNode; });
}

void Graph::replace_uses(ValueId from, ValueId to) {
  for (Node& n : nodes)
    for (ValueId& in : n.inputs)
      if (in == from) in = to;
  for (ValueId& out : outputs)
    if (out == from) out = to;
}

void Graph::remove_nodes(const std::vector<bool>& remove) {
  ES_ASSERT(remove.size() == nodes.size());
  std::vector<Node> kept;
  kept.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i)
    if (!remove[i]) kept.push_back(std::move(nodes[i]));
  nodes = std::move(kept);
  refresh_producers();
}

void Graph::refresh_producers() {
  for (Value& v : values) v.producer = kNoNode;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (ValueId out : nodes[i].outputs)
      if (out != kNoValue) value(out).producer = static_cast<NodeId>(i);
}

void Graph::remove_unused_values() {
  std::vector<bool> used(values.size(), false);
  for (const Node& n : nodes) {
    for (ValueId v : n.inputs) if (v != kNoValue) used[v] = true;
    for (ValueId v : n.outputs) if (v != kNoValue) used[v] = true;
  }
  for (ValueId v : inputs) used[v] = true;
  for (ValueId v : outputs) used[v] = true;
  std::vector<ValueId> remap(values.size(), kNoValue);
  std::vector<Value> kept;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!used[i]) continue;
    remap[i] = static_cast<ValueId>(kept.size());
    kept.push_back(std::move(values[i]));
  }
  values = std::move(kept);
  auto fix = [&](ValueId& v) { if (v != kNoValue) v = remap[v]; };
  for (Node& n : nodes) {
    for (ValueId& v : n.inputs) fix(v);
    for (ValueId& v : n.outputs) fix(v);
  }
  for (ValueId& v : inputs) fix(v);
  for (ValueId& v : outputs) fix(v);
  refresh_producers();
}

Status Graph::sort_topologically() {
  refresh_producers();
  std::vector<int> pending(nodes.size(), 0);
  std::vector<std::vector<size_t>> dependents(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::unordered_set<NodeId> seen;
    for (ValueId in : nodes[i].inputs) {
      if (in == kNoValue) continue;
      NodeId p = value(in).producer;
      if (p != kNoNode && seen.insert(p).second) {
        ++pending[i];
        dependents[p].push_back(i);
      }
    }
  }
  // Kahn's algorithm taking the lowest index first keeps the existing order where possible.
  std::vector<size_t> order;
  std::vector<size_t> ready;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (pending[i] == 0) ready.push_back(i);
  while (!ready.empty()) {
    auto it = std::min_element(ready.begin(), ready.end());
    size_t i = *it;
    ready.erase(it);
    order.push_back(i);
    for (size_t d : dependents[i])
      if (--pending[d] == 0) ready.push_back(d);
  }
  if (order.size() != nodes.size())
    return error(StatusCode::invalid_model, "graph '{}' has a cycle", name);
  std::vector<Node> sorted;
  sorted.reserve(nodes.size());
  for (size_t i : order) sorted.push_back(std::move(nodes[i]));
  nodes = std::move(sorted);
  refresh_producers();
  return {};
}

int64_t Graph::parameter_count() const {
  int64_t total = 0;
  for (const Value& v : values)
    if (v.is_initializer()) total += v.data->numel();
  return total;
}

}  // namespace es
