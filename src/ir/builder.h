// GraphBuilder: a fluent way to build small graphs in tests, zoo models and rewrite passes.
//   GraphBuilder b("tiny");
//   ValueId x = b.input("x", DType::f32, {1, 3, 8, 8});
//   ValueId w = b.initializer("w", Tensor(DType::f32, {4, 3, 3, 3}));
//   ValueId y = b.op(OpKind::Conv, {x, w}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
//   b.output(b.op(OpKind::Relu, {y}));
//   Graph g = b.build();  // shapes of node outputs are left for infer_shapes()
#pragma once

#include "ir/graph.h"

#include <initializer_list>
#include <utility>

namespace es {

class GraphBuilder {
 public:
  explicit GraphBuilder(std::string graph_name = "graph", int64_t opset = 17) {
    graph_.name = std::move(graph_name);
    graph_.opset = opset;
  }

  ValueId input(const std::string& name, DType dtype, Shape shape) {
    ValueId id = graph_.add_value(name, dtype, std::move(shape));
    graph_.inputs.push_back(id);
    return id;
  }
  ValueId initializer(const std::string& name, Tensor tensor) {
    return graph_.add_initializer(graph_.unique_value_name(name), std::move(tensor));
  }
  // One-output op; the output is named after the node and left unshaped.
  ValueId op(OpKind kind, std::vector<ValueId> inputs,
             std::initializer_list<std::pair<const char*, AttrValue>> attrs = {}, const std::string& name = {}) {
    return ops(kind, std::move(inputs), 1, attrs, name).front();
  }
  std::vector<ValueId> ops(OpKind kind, std::vector<ValueId> inputs, int output_count,
                           std::initializer_list<std::pair<const char*, AttrValue>> attrs = {},
                           const std::string& name = {}) {
    std::string node_name = graph_.unique_node_name(name.empty() ? std::string(op_name(kind)) : name);
    std::vector<ValueId> outputs;
    for (int i = 0; i < output_count; ++i)
      outputs.push_back(graph_.add_value_unshaped(graph_.unique_value_name(node_name + (i ? "_out" + std::to_string(i) : ""))));
    Attributes a;
    for (const auto& [key, value] : attrs) a.set(key, value);
    graph_.add_node(kind, node_name, std::move(inputs), outputs, std::move(a));
    return outputs;
  }
  void output(ValueId id) { graph_.outputs.push_back(id); }

  Graph& graph() { return graph_; }
  Graph build() { return std::move(graph_); }

 private:
  Graph graph_;
};

}  // namespace es
