#include "sim/kernel_class.h"

namespace es::sim {
namespace {

bool transcendental(OpKind op) {
  switch (op) {
    case OpKind::Softmax:
    case OpKind::LogSoftmax:
    case OpKind::Pow:
    case OpKind::Exp:
    case OpKind::Log:
    case OpKind::Erf:
    case OpKind::Tanh:
    case OpKind::Sigmoid:
    case OpKind::Softplus:
    case OpKind::Mish:
    case OpKind::Elu:
    case OpKind::Selu:
    case OpKind::Celu:
    case OpKind::Sin:
    case OpKind::Cos:
      return true;
    default:
      return false;
  }
}

bool reduction(OpKind op) {
  switch (op) {
    case OpKind::ReduceMean:
    case OpKind::ReduceSum:
    case OpKind::ReduceMax:
    case OpKind::ReduceMin:
    case OpKind::ReduceProd:
    case OpKind::ReduceSumSquare:
      return true;
    default:
      return false;
  }
}

double numel(const Graph& graph, ValueId v) { return static_cast<double>(shape_numel(graph.value(v).shape)); }

// A binary op one of whose inputs is broadcast along some axes but is not a scalar (a per-channel scale).
bool channel_broadcast(const Graph& graph, const Node& node) {
  if (node.inputs.size() != 2 || node.outputs.size() != 1) return false;
  const double out = numel(graph, node.outputs[0]);
  for (ValueId v : node.inputs)
    if (v != kNoValue && numel(graph, v) > 1 && numel(graph, v) < out) return true;
  return false;
}

// What edgescope's scalar reference kernel of an op does for each element (backends/ref): Concat copies
// contiguous runs (as fast as memory), Resize computes source coordinates and taps over every axis, math
// ops call a transcendental function, reductions visit every input element, the rest map an index.
KernelClass reference_class(OpKind op) {
  if (op == OpKind::Concat) return KernelClass::stream;
  if (op == OpKind::Resize) return KernelClass::resize;
  if (transcendental(op)) return KernelClass::math;
  if (reduction(op)) return KernelClass::reduce;
  return KernelClass::index;
}

}  // namespace

KernelClass kernel_class(const Graph& graph, const NativeKernel& k, bool cpu) {
  if (cpu && k.implementation == "reference" && k.node) return reference_class(k.node->op);
  if (cpu && k.implementation.rfind("ref", 0) == 0) return KernelClass::onednn_reference;  // oneDNN's "ref:any"
  if (!k.node) return cpu ? KernelClass::reorder : KernelClass::stream;
  switch (k.node->op) {
    case OpKind::Conv:
    case OpKind::FusedConv:
    case OpKind::ConvTranspose:
      if (k.node->attrs.get_int("group", 1) > 1) return KernelClass::depthwise;
      return cpu && k.implementation.find("wino") != std::string::npos ? KernelClass::winograd : KernelClass::dense;
    case OpKind::Gemm:
    case OpKind::MatMul:
      return KernelClass::gemm;
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
      return cpu && channel_broadcast(graph, *k.node) ? KernelClass::channel_broadcast : KernelClass::stream;
    default:
      return cpu && transcendental(k.node->op) ? KernelClass::vector_math : KernelClass::stream;
  }
}

double class_elements(const Graph& graph, const NativeKernel& k, KernelClass kind) {
  if (!k.node) return k.write_bytes / 4;  // a layout conversion of FP32 data
  double n = 0;
  for (ValueId v : kind == KernelClass::reduce ? k.node->inputs : k.node->outputs)
    if (v != kNoValue && !graph.value(v).is_initializer()) n += numel(graph, v);
  return n;
}

double stream_operations(const Graph& graph, const NativeKernel& k) {
  if (k.node) {
    const Node& node = *k.node;
    if (node.op == OpKind::GlobalAveragePool || node.op == OpKind::GlobalMaxPool) return numel(graph, node.inputs[0]);
    if (node.op == OpKind::MaxPool || node.op == OpKind::AveragePool) {
      double window = 1;
      for (int64_t extent : node.attrs.get_ints("kernel_shape")) window *= static_cast<double>(extent);
      return numel(graph, node.outputs[0]) * window;
    }
  }
  return class_elements(graph, k, KernelClass::stream);
}

}  // namespace es::sim
