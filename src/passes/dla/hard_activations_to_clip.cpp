// hard_activations_to_clip: HardSigmoid and HardSwish, which TensorRT imports as an Activation kHARD_SIGMOID
// (plus an ElementWise kPROD for HardSwish) that the DLA does not run (dla-rules.md §1.3: ReLU, Sigmoid, TanH,
// Clipped ReLU, Leaky ReLU only), become layers it does run:
//   HardSigmoid(x; alpha, beta) = Clip(alpha * x + beta, 0, 1)
//   HardSwish(x)                = x * Clip(x / 6 + 1/2, 0, 1)        (HardSigmoid with alpha 1/6, beta 1/2)
// Clip(0, 1) is a Clipped ReLU within the DLA's range [1, 127]. On a 4-D input the affine step is a depthwise
// 1x1 Conv (weights alpha, bias beta: one DLA convolution layer, no Constant layers); on other ranks it is a
// Mul and an Add by constants. Same operations in the same order as ONNX's definition: exact up to float
// rounding (a fused multiply-add in one implementation rounds once instead of twice).
#include "passes/dla/dla_passes.h"
#include "passes/dla/graph_editor.h"

namespace es::passes::dla {
namespace {

// alpha * x + beta as new nodes; returns the result value.
ValueId affine(GraphEditor& e, const Node& origin, ValueId x, float alpha, float beta) {
  Graph& g = e.graph();
  const Shape shape = g.value(x).shape;
  ValueId y = e.value(origin.name + "_affine", DType::f32, shape);
  if (shape.size() == 4) {
    const int64_t c = shape[1];
    Tensor w(DType::f32, {c, 1, 1, 1});
    Tensor b(DType::f32, {c});
    std::fill(w.values<float>().begin(), w.values<float>().end(), alpha);
    std::fill(b.values<float>().begin(), b.values<float>().end(), beta);
    ValueId wv = e.initializer(origin.name + "_alpha", std::move(w));
    ValueId bv = e.initializer(origin.name + "_beta", std::move(b));
    e.add(OpKind::Conv, origin.name + "_affine", {x, wv, bv}, {y},
          attrs_of({{"kernel_shape", std::vector<int64_t>{1, 1}}, {"group", c}}), origin);
    return y;
  }
  const Shape ones(shape.size(), 1);
  ValueId scaled = e.value(origin.name + "_scaled", DType::f32, shape);
  e.add(OpKind::Mul, origin.name + "_scale", {x, e.filled(origin.name + "_alpha", ones, alpha)}, {scaled}, {}, origin);
  e.add(OpKind::Add, origin.name + "_shift", {scaled, e.filled(origin.name + "_beta", ones, beta)}, {y}, {}, origin);
  return y;
}

bool rewrite(GraphEditor& e, NodeId id) {
  Graph& g = e.graph();
  const Node n = g.node(id);
  if (n.op != OpKind::HardSigmoid && n.op != OpKind::HardSwish) return false;
  if (static_shape(g, n.inputs.at(0)) == nullptr || g.value(n.inputs[0]).dtype != DType::f32) return false;
  const Shape shape = g.value(n.inputs[0]).shape;  // a copy: adding values below moves them
  const bool swish = n.op == OpKind::HardSwish;
  const float alpha = swish ? 1.0f / 6.0f : n.attrs.get_float("alpha", 0.2f);
  const float beta = swish ? 0.5f : n.attrs.get_float("beta", 0.5f);
  const ValueId x = n.inputs[0], result = n.outputs.at(0);
  e.remove(id);
  ValueId a = affine(e, n, x, alpha, beta);
  ValueId gate = swish ? e.value(n.name + "_gate", DType::f32, shape) : result;
  e.add(OpKind::Clip, swish ? n.name + "_gate" : n.name,
        {a, e.initializer(n.name + "_min", Tensor::scalar<float>(0.0f)),
         e.initializer(n.name + "_max", Tensor::scalar<float>(1.0f))},
        {gate}, {}, n);
  if (swish) e.add(OpKind::Mul, n.name, {x, gate}, {result}, {}, n);
  return true;
}

}  // namespace

Result<bool> hard_activations_to_clip(Graph& graph) {
  GraphEditor editor(graph);
  const size_t count = graph.nodes.size();
  for (size_t i = 0; i < count; ++i) rewrite(editor, static_cast<NodeId>(i));
  return editor.finish();
}

}  // namespace es::passes::dla
