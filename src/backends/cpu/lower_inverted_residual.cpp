// Recognises inverted residual blocks (expand 1x1 -> depthwise 3x3 -> project 1x1 [+ residual]) and lowers
// each to one InvertedResidualStep, absorbing the block's later nodes.
//
// Why: MobileNetV2's early blocks are bound by memory traffic, not arithmetic. At 112x112 and 56x56 the expanded
// tensor is 1.2-4.8 MB, written by the expanding convolution and read back by the depthwise one (and its output
// again by the projecting one), each a separate oneDNN primitive over the whole image. Carried through row by row
// per thread, the expanded rows stay in L2. Blocks without an expansion (MobileNet v1's depthwise + pointwise pairs)
// stay with oneDNN: there fusing saves only a tensor the size of the block's input, and on this project's 2-core
// machine (es_cpu_latency, 2 threads, 3 alternating rounds, medians) UltraFace's such blocks made RFB-640 7.65 ms
// fused against 6.49 ms unfused, RFB-320 1.96 against 1.78 ms, MobileNetV2 2.69 against 2.68 ms.
#include "backends/cpu/activation.h"
#include "backends/cpu/inverted_residual_step.h"
#include "backends/cpu/lowering.h"
#include "backends/cpu/window.h"

#include <omp.h>

namespace es::cpu {

namespace {

using dnnl::algorithm;

// Narrower rows are too short for the kernels' 8-row tiles and MobileNetV2's 7x7 blocks are compute-bound,
// where oneDNN's kernels are near the machine's peak. Measured on MobileNetV2 at batch 1 with 2 threads on this
// project's 2-core machine (es_cpu_latency, whole model, 6 alternating rounds with other processes paused,
// medians): fusing blocks from width 14 up 2.54 ms, from 7 up 2.61 ms, from 28 up 2.65 ms, from 56 up 2.70 ms,
// none 2.82 ms.
constexpr int64_t kMinWidth = 14;

bool is_conv(const Node& node) { return node.op == OpKind::Conv || node.op == OpKind::FusedConv; }

std::optional<irb::Clamp> clamp_of(const Node& node) {
  if (node.op == OpKind::Conv) return irb::Clamp{};
  auto ops = activation_ops(node.attrs.get_string("activation"), node.attrs.get_floats("activation_params"));
  if (!ops || ops->size() > 1) return std::nullopt;
  if (ops->empty()) return irb::Clamp{};
  const EltwiseOp& op = ops->front();
  if (op.algorithm == algorithm::eltwise_relu && op.alpha == 0.0f) return irb::Clamp{0.0f, irb::Clamp{}.hi};
  if (op.algorithm == algorithm::eltwise_clip) return irb::Clamp{op.alpha, op.beta};
  return std::nullopt;
}

// A 4-D f32 convolution with constant weights (and bias), no residual input, with the given kernel size,
// padding and group; its stride when it is one.
std::optional<int64_t> conv_stride(const ProgramBuilder& b, const Node& node, int64_t kernel, int64_t pad,
                                   bool depthwise) {
  if (!is_conv(node) || node.outputs.size() != 1 || (node.op == OpKind::FusedConv && node.has_input(3)))
    return std::nullopt;
  if (!all_f32(b, node.inputs) || !all_f32(b, node.outputs)) return std::nullopt;
  const Value& x = b.value(node.inputs[0]);
  const Value& w = b.value(node.inputs[1]);
  const Value& y = b.value(node.outputs[0]);
  if (x.rank() != 4 || !b.is_constant(node.inputs[1]) || (node.has_input(2) && !b.is_constant(node.inputs[2])))
    return std::nullopt;
  const int64_t group = node.attrs.get_int("group", 1);
  if (group != (depthwise ? x.shape[1] : 1) || (depthwise && y.shape[1] != x.shape[1])) return std::nullopt;
  if (w.shape != Shape{y.shape[1], depthwise ? 1 : x.shape[1], kernel, kernel}) return std::nullopt;
  const int64_t k[] = {kernel, kernel};
  auto win = forward_window(node, k, std::span(x.shape).subspan(2), std::span(y.shape).subspan(2));
  if (!win || win->dilations != memory::dims{0, 0} || win->padding_l != memory::dims{pad, pad} ||
      win->padding_r != memory::dims{pad, pad} || win->strides[0] != win->strides[1])
    return std::nullopt;
  return win->strides[0];
}

// The single node that reads `value`, when the value is nothing else's (not a graph output).
const Node* only_consumer(const ProgramBuilder& b, ValueId value) {
  const std::vector<NodeId> consumers = b.graph().consumers(value);
  if (consumers.size() != 1 || b.graph().is_graph_output(value)) return nullptr;
  return &b.graph().node(consumers.front());
}

const float* floats_of(const ProgramBuilder& b, const Node& node, size_t input) {
  return node.has_input(input) ? b.value(node.inputs[input]).data->data<float>() : nullptr;
}

irb::PackedPointwise pack_pointwise(const ProgramBuilder& b, const Node& node) {
  const Shape& w = b.value(node.inputs[1]).shape;
  return irb::pack_pointwise(floats_of(b, node, 1), floats_of(b, node, 2), w[0], w[1]);
}

}  // namespace

Result<bool> lower_inverted_residual(ProgramBuilder& b, const Node& first) {
  if (!irb::supported()) return false;
  // The block starts at its expanding 1x1 convolution.
  if (conv_stride(b, first, 1, 0, false) != 1) return false;
  const Node* depthwise = only_consumer(b, first.outputs[0]);
  if (!depthwise) return false;
  const std::optional<int64_t> stride = conv_stride(b, *depthwise, 3, 1, true);
  if (!stride || *stride > 2) return false;
  const Node* project = only_consumer(b, depthwise->outputs[0]);
  if (!project || project->op == OpKind::ConvTranspose) return false;

  // The projection may add a residual computed before the block (a value the block itself makes cannot be it).
  const ValueId residual = project->op == OpKind::FusedConv && project->has_input(3) ? project->inputs[3] : kNoValue;
  const NodeId first_id = static_cast<NodeId>(&first - b.graph().nodes.data());
  if (residual != kNoValue) {
    const Value& r = b.value(residual);
    if (b.is_constant(residual) || r.dtype != DType::f32 || r.shape != b.value(project->outputs[0]).shape ||
        (r.producer != kNoNode && r.producer >= first_id))
      return false;
  }
  Node project_without_residual = *project;
  if (residual != kNoValue) project_without_residual.inputs.resize(3);
  if (conv_stride(b, project_without_residual, 1, 0, false) != 1) return false;

  const Value& x = b.value(first.inputs[0]);
  const Value& expanded = b.value(depthwise->inputs[0]);
  const Value& y = b.value(project->outputs[0]);
  if (expanded.shape[3] < kMinWidth) return false;
  auto expand_clamp = clamp_of(first);
  auto depthwise_clamp = clamp_of(*depthwise);
  auto project_clamp = clamp_of(*project);
  if (!expand_clamp || !depthwise_clamp || !project_clamp) return false;

  const Value& dw_out = b.value(depthwise->outputs[0]);
  InvertedResidualGeometry geometry{.batch = x.shape[0],
                                    .in_channels = x.shape[1],
                                    .expanded_channels = expanded.shape[1],
                                    .out_channels = y.shape[1],
                                    .in_height = expanded.shape[2],
                                    .in_width = expanded.shape[3],
                                    .out_height = dw_out.shape[2],
                                    .out_width = dw_out.shape[3],
                                    .stride = *stride};
  InvertedResidualLayers layers;
  layers.expand = pack_pointwise(b, first);
  layers.expand_clamp = *expand_clamp;
  layers.depthwise = irb::pack_depthwise(floats_of(b, *depthwise, 1), floats_of(b, *depthwise, 2), geometry.expanded_channels);
  layers.depthwise_clamp = *depthwise_clamp;
  layers.project = pack_pointwise(b, *project);
  layers.project_clamp = *project_clamp;

  auto nhwc = [&](const Value& v) {
    return Layout::of(memory::desc(to_dims(v.shape), memory::data_type::f32, memory::format_tag::nhwc), v.dtype, v.shape);
  };
  const SlotId input_slot = b.use(first.inputs[0], nhwc(x));
  const SlotId residual_slot = residual == kNoValue ? kNoSlot : b.use(residual, nhwc(b.value(residual)));
  const SlotId output_slot = b.define(project->outputs[0], nhwc(y));
  // build_program set OpenMP's thread count for this compilation; the step runs with the same.
  auto step = std::make_unique<InvertedResidualStep>(geometry, std::move(layers), input_slot, residual_slot,
                                                     output_slot, omp_get_max_threads());
  step->name = layer_name(first) + "+" + layer_name(*depthwise) + "+" + layer_name(*project);
  step->op = "InvertedResidual";
  step->implementation = "edgescope:avx512";
  step->nodes = {&first, depthwise, project};
  b.add_step(std::move(step));
  b.absorb(*depthwise);
  b.absorb(*project);
  return true;
}

}  // namespace es::cpu
