// div_to_mul: x / c with a constant float divisor becomes x * (1 / c). TensorRT 8.5's DLA has no ElementWise
// kDIV (dla-rules.md §1.3; native from 8.6.12), and exporters write HardSwish as x * Clip(x + 3, 0, 6) / 6
// (Paddle2ONNX, PP-OCR) and normalisations as a Div. The reciprocal is computed in double and rounded once:
// exact when c is a power of two, otherwise exact up to float rounding (one more rounding step).
// Divisors containing a zero are left alone (x / 0 is inf or nan, x * inf is not the same for x = 0).
#include "passes/dla/dla_passes.h"
#include "passes/dla/graph_editor.h"

#include <algorithm>
#include <span>

namespace es::passes::dla {

Result<bool> div_to_mul(Graph& graph) {
  GraphEditor editor(graph);
  const size_t count = graph.nodes.size();
  for (size_t i = 0; i < count; ++i) {
    const Node n = graph.node(static_cast<NodeId>(i));
    if (n.op != OpKind::Div || graph.value(n.inputs.at(0)).dtype != DType::f32) continue;
    const Tensor* c = constant_float(graph, n.inputs.at(1));
    if (c == nullptr) continue;
    const std::span<const float> divisor = c->values<float>();
    if (std::find(divisor.begin(), divisor.end(), 0.0f) != divisor.end()) continue;
    Tensor reciprocal(DType::f32, c->shape());
    for (size_t k = 0; k < divisor.size(); ++k)
      reciprocal.values<float>()[k] = static_cast<float>(1.0 / static_cast<double>(divisor[k]));
    editor.remove(static_cast<NodeId>(i));
    ValueId r = editor.initializer(graph.value(n.inputs[1]).name + "_reciprocal", std::move(reciprocal));
    editor.add(OpKind::Mul, n.name, {n.inputs[0], r}, {n.outputs.at(0)}, {}, n);
  }
  return editor.finish();
}

}  // namespace es::passes::dla
