// Small helpers the zoo builders share: exporters name values independently of nodes (torch numbers
// them, MXNet reuses the node name), so every node here gets an explicit output name.
#pragma once

#include "ir/graph.h"

#include <initializer_list>
#include <string>
#include <utility>

namespace es::zoo {

inline Attributes make_attrs(std::initializer_list<std::pair<const char*, AttrValue>> list) {
  Attributes a;
  for (const auto& [key, value] : list) a.set(key, value);
  return a;
}

// Appends one node with one output named `output_name`.
inline ValueId add_op(Graph& g, OpKind op, std::string node_name, std::vector<ValueId> inputs,
                      std::string output_name, Attributes attrs = {}, DType dtype = DType::f32) {
  ValueId out = g.add_value_unshaped(std::move(output_name), dtype);
  g.add_node(op, std::move(node_name), std::move(inputs), {out}, std::move(attrs));
  return out;
}

// Conv attributes as both exporters write them (all five, explicitly).
inline Attributes conv_attrs(int64_t kernel, int64_t stride, int64_t pad, int64_t group = 1) {
  return make_attrs({{"dilations", std::vector<int64_t>{1, 1}},
                     {"group", group},
                     {"kernel_shape", std::vector<int64_t>{kernel, kernel}},
                     {"pads", std::vector<int64_t>{pad, pad, pad, pad}},
                     {"strides", std::vector<int64_t>{stride, stride}}});
}

// Declares the classifier output [batch, classes] so exporters can write its type.
inline void set_classifier_output(Graph& g, ValueId out, int64_t batch, int64_t classes) {
  g.value(out).shape = {batch, classes};
  g.value(out).shape_known = true;
  g.outputs.push_back(out);
}

}  // namespace es::zoo
