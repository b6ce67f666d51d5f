#include "backends/ref/kernel_support.h"
#include "backends/ref/ref_kernels.h"

#include <vector>

namespace es::ref {

const KernelTable& kernels() {
  // Every family, in one visible list (no static-initialiser registration).
  static const KernelTable table = [] {
    KernelTable t{};
    register_elementwise(t);
    register_reduce(t);
    register_conv(t);
    register_pool(t);
    register_linalg(t);
    register_normalization(t);
    register_shape_ops(t);
    register_resize(t);
    register_quantize(t);
    return t;
  }();
  return table;
}

Status run_node(const Node& node, std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  const Kernel kernel = find_kernel(node.op);
  if (!kernel) return node_error(node, StatusCode::unsupported, "no reference kernel for this op");
  if (inputs.size() != node.inputs.size() || outputs.size() != node.outputs.size())
    return node_error(node, StatusCode::invalid_argument, "called with {} inputs and {} outputs, node has {} and {}",
                      inputs.size(), outputs.size(), node.inputs.size(), node.outputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    if (node.has_input(i) && !inputs[i].present())
      return node_error(node, StatusCode::invalid_argument, "input {} has no data", i);
  if (outputs.empty() || !outputs[0].present())
    return node_error(node, StatusCode::invalid_argument, "output 0 has no buffer");
  return kernel(node, inputs, outputs);
}

NodeEvaluator evaluator() {
  return [](const Node& node, std::span<const Tensor* const> inputs, std::span<Tensor> outputs) -> Status {
    std::vector<TensorView> in, out;
    in.reserve(inputs.size());
    for (const Tensor* t : inputs) in.push_back(t ? TensorView::of(*t) : TensorView{});
    for (Tensor& t : outputs) out.push_back(t.empty() ? TensorView{} : TensorView::of(t));
    return run_node(node, in, out);
  };
}

}  // namespace es::ref
