#include "sim/kernel_class.h"

#include <algorithm>
#include <optional>

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

// The fewest elements of a binary op's inputs, relative to its output: below 1 when one is broadcast.
double smallest_input(const Graph& graph, const Node& node) {
  double smallest = numel(graph, node.outputs[0]);
  for (ValueId v : node.inputs)
    if (v != kNoValue) smallest = std::min(smallest, numel(graph, v));
  return smallest;
}

// Whether every input of a binary op has the output's shape after its first dimension: a broadcast, if any,
// is over the batch only (UltraFace's priors, [1,17640,2], against the boxes of a batch of 2).
bool broadcast_over_batch_only(const Graph& graph, const Node& node) {
  const Shape& y = graph.value(node.outputs[0]).shape;
  if (y.empty()) return false;
  for (ValueId v : node.inputs) {
    if (v == kNoValue) continue;
    const Shape& x = graph.value(v).shape;
    if (x.size() != y.size() || !std::equal(x.begin() + 1, x.end(), y.begin() + 1)) return false;
  }
  return true;
}

// How oneDNN's binary kernel runs an op: a tensor of rank <= 3 keeps a plain layout in the CPU backend, and
// with any broadcast operand (a scalar too) the kernel is called per row; on the 4-D activations of
// convolutions a scalar operand streams and a per-channel one ([1,C,1,1]) costs its own time per element,
// unless the activation is channels-last with channels that are not whole vectors: then every pixel is a call
// with a masked tail (PP-OCR cls's 8-, 40-, 88-, 104- and 200-channel tensors: 7-20 ns per pixel, where its 32-
// and 48-channel ones stream; docs/validation.md).
// On a plain tensor an operand broadcast over the batch only is one same-shape operation per image, which
// streams: UltraFace RFB-640 at batch 2 (docs/validation.md) ran its [2,17640,2] + [1,17640,2] in 0.013 ms,
// the time of a same-shape Add of its size; called per row it would be 35,280 calls (about 0.26 ms).
KernelClass binary_class(const Graph& graph, const Node& node, const CpuLayouts& layouts) {
  if (node.inputs.size() != 2 || node.outputs.size() != 1) return KernelClass::stream;
  const double out = numel(graph, node.outputs[0]), smallest = smallest_input(graph, node);
  if (smallest >= out) return KernelClass::stream;
  const Shape& y = graph.value(node.outputs[0]).shape;
  if (y.size() <= 3) return broadcast_over_batch_only(graph, node) ? KernelClass::stream : KernelClass::row_broadcast;
  const bool channels_last = std::any_of(node.inputs.begin(), node.inputs.end(), [&](ValueId v) {
    return graph.value(v).shape == y && layouts.channels_last.count(v);
  });
  if (y.size() == 4 && channels_last && y[1] % layouts.lanes != 0) return KernelClass::row_broadcast;
  return smallest > 1 ? KernelClass::channel_broadcast : KernelClass::stream;
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

CpuLayouts cpu_layouts(const Graph& graph, const std::vector<NativeKernel>& kernels, int64_t lanes) {
  CpuLayouts layouts;
  layouts.lanes = std::max<int64_t>(lanes, 1);
  for (const NativeKernel& k : kernels) {
    if (!k.fused.empty()) {
      layouts.channels_last.insert(k.fused.back()->outputs.at(0));
      continue;
    }
    if (!k.node || k.node->outputs.size() != 1 || k.implementation == "reference") continue;
    const Node& node = *k.node;
    const ValueId y = node.outputs[0];
    const bool conv = node.op == OpKind::Conv || node.op == OpKind::FusedConv;
    const bool brgemm = k.implementation.rfind("brg", 0) == 0 || k.implementation.rfind("brdgmm", 0) == 0;
    const bool keeps = !conv && std::any_of(node.inputs.begin(), node.inputs.end(), [&](ValueId v) {
      return v != kNoValue && graph.value(v).shape == graph.value(y).shape && layouts.channels_last.count(v);
    });
    if ((conv && brgemm) || keeps) layouts.channels_last.insert(y);
  }
  return layouts;
}

KernelClass kernel_class(const Graph& graph, const NativeKernel& k, const CpuLayouts* layouts) {
  const bool cpu = layouts != nullptr;
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
      return cpu ? binary_class(graph, *k.node, *layouts) : KernelClass::stream;
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

double broadcast_rows(const Graph& graph, const NativeKernel& k) {
  const Shape& y = graph.value(k.node->outputs.at(0)).shape;
  if (y.size() == 4) return static_cast<double>(y[0] * y[2] * y[3]);  // pixels of a channels-last tensor
  double rows = 1;
  for (size_t axis = 0; axis < std::min<size_t>(y.size(), 2); ++axis) rows *= static_cast<double>(y[axis]);
  return rows;
}

double copy_runs(const Graph& graph, const NativeKernel& k) {
  if (k.implementation != "reference" || !k.node) return 0;
  const Node& node = *k.node;
  const Shape& y = graph.value(node.outputs.at(0)).shape;
  if (node.op == OpKind::Concat) {
    const int64_t rank = static_cast<int64_t>(y.size());
    int64_t axis = node.attrs.get_int("axis", 0);
    if (axis < 0) axis += rank;
    double outer = 1;
    for (int64_t d = 0; d < std::min(axis, rank); ++d) outer *= static_cast<double>(y[static_cast<size_t>(d)]);
    const auto inputs = std::count_if(node.inputs.begin(), node.inputs.end(), [](ValueId v) { return v != kNoValue; });
    return outer * static_cast<double>(inputs);
  }
  if ((node.op == OpKind::Slice || node.op == OpKind::Transpose) && !y.empty() && y.back() > 0)
    return static_cast<double>(shape_numel(y)) / static_cast<double>(y.back());
  return 0;
}

double unpadded_tap_fraction(const Graph& graph, const Node& conv) {
  const Shape& x = graph.value(conv.inputs.at(0)).shape;
  const Shape& y = graph.value(conv.outputs.at(0)).shape;
  const Shape& w = graph.value(conv.inputs.at(1)).shape;  // [K, C/group, kernel...]
  if (conv.op == OpKind::ConvTranspose || x.size() != y.size() || w.size() != x.size() || x.size() < 3) return 1;
  const size_t spatial = x.size() - 2;
  const auto attr = [&](const char* name, int64_t fallback, size_t count) {
    std::vector<int64_t> v = conv.attrs.get_ints(name);
    if (v.size() < count) v.assign(count, fallback);
    return v;
  };
  const std::vector<int64_t> strides = attr("strides", 1, spatial), dilations = attr("dilations", 1, spatial),
                             pads = attr("pads", 0, 2 * spatial);
  double fraction = 1;
  for (size_t a = 0; a < spatial; ++a) {
    const int64_t in = x[a + 2], out = y[a + 2], taps = w[a + 2];
    if (out <= 0 || taps <= 0) continue;
    int64_t inside = 0;
    for (int64_t o = 0; o < out; ++o)
      for (int64_t t = 0; t < taps; ++t) {
        const int64_t i = o * strides[a] - pads[a] + t * dilations[a];
        inside += i >= 0 && i < in;
      }
    fraction *= static_cast<double>(inside) / static_cast<double>(out * taps);
  }
  return fraction;
}

bool few_channel_stem(const Graph& graph, const Node& conv) {
  const Shape& x = graph.value(conv.inputs.at(0)).shape;
  return conv.attrs.get_int("group", 1) == 1 && x.size() >= 2 && x[1] < 8;
}

double fused_math_elements(const Graph& graph, const NativeKernel& k, int64_t lanes) {
  if (!k.node || k.node->op != OpKind::FusedConv) return 0;
  const std::optional<OpKind> activation = op_from_onnx_name(k.node->attrs.get_string("activation"));
  if (!activation || !transcendental(*activation)) return 0;
  const Shape& y = graph.value(k.node->outputs.at(0)).shape;
  if (y.size() < 2 || lanes <= 0) return numel(graph, k.node->outputs[0]);
  const double channels = static_cast<double>((y[1] + lanes - 1) / lanes * lanes);
  return numel(graph, k.node->outputs[0]) / static_cast<double>(std::max<int64_t>(y[1], 1)) * channels;
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
