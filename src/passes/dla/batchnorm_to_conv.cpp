// batchnorm_to_conv: an inference BatchNormalization with constant parameters that fuse_conv_batchnorm could
// not fold (it follows an Add, a Concat, a pool or an input) becomes a depthwise 1x1 Conv with
//   weight[c] = scale[c] / sqrt(var[c] + epsilon),  bias[c] = shift[c] - mean[c] * weight[c]
// (double, rounded once): the per-channel scale-and-shift that TensorRT's Scale layer computes, in the layer
// type every DLA generation and TensorRT release runs, with no dependency on the parser's BatchNormalization
// importer (which falls back to ElementWise + Unary kSQRT layers, off the DLA, when a parameter is not an
// initializer). 4-D f32 inputs only. Exact up to float rounding.
#include "passes/dla/dla_passes.h"
#include "passes/dla/graph_editor.h"

#include <cmath>

namespace es::passes::dla {
namespace {

bool rewrite(GraphEditor& e, NodeId id) {
  Graph& g = e.graph();
  const Node bn = g.node(id);
  if (bn.op != OpKind::BatchNormalization || bn.attrs.get_int("training_mode", 0) != 0) return false;
  for (size_t i = 1; i < bn.outputs.size(); ++i)
    if (bn.outputs[i] != kNoValue) return false;
  const Shape* in = static_shape(g, bn.inputs.at(0));
  if (in == nullptr || in->size() != 4 || g.value(bn.inputs[0]).dtype != DType::f32) return false;
  const int64_t channels = (*in)[1];
  std::vector<const Tensor*> p;
  for (size_t i = 1; i <= 4; ++i) {
    const Tensor* t = bn.has_input(i) ? constant_float(g, bn.inputs[i]) : nullptr;
    if (t == nullptr || t->numel() != channels) return false;
    p.push_back(t);
  }
  const double epsilon = bn.attrs.get_float("epsilon", 1e-5f);
  Tensor weight(DType::f32, {channels, 1, 1, 1});
  Tensor bias(DType::f32, {channels});
  for (int64_t c = 0; c < channels; ++c) {
    double s = p[0]->data<float>()[c] / std::sqrt(static_cast<double>(p[3]->data<float>()[c]) + epsilon);
    weight.data<float>()[c] = static_cast<float>(s);
    bias.data<float>()[c] = static_cast<float>(p[1]->data<float>()[c] - p[2]->data<float>()[c] * s);
  }
  e.remove(id);
  ValueId w = e.initializer(bn.name + "_scale", std::move(weight));
  ValueId b = e.initializer(bn.name + "_shift", std::move(bias));
  e.add(OpKind::Conv, bn.name, {bn.inputs[0], w, b}, {bn.outputs[0]},
        attrs_of({{"kernel_shape", std::vector<int64_t>{1, 1}}, {"group", channels}}), bn);
  return true;
}

}  // namespace

Result<bool> batchnorm_to_conv(Graph& graph) {
  GraphEditor editor(graph);
  const size_t count = graph.nodes.size();
  for (size_t i = 0; i < count; ++i) rewrite(editor, static_cast<NodeId>(i));
  return editor.finish();
}

}  // namespace es::passes::dla
