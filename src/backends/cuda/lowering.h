// Op lowerings: each turns one node into a Step, into a view (the output shares its input's bytes), or
// declines (nullopt), in which case the node is not supported on the GPU and the heterogeneous plan
// runs it on the CPU. Lowering looks at the graph only; it needs no GPU. One file per op family.
#pragma once

#include "backends/cuda/kernels.h"
#include "backends/cuda/program.h"

#include <array>
#include <optional>
#include <span>

namespace es::cuda {

struct Lowered {
  std::unique_ptr<Step> step;     // null for a view
  ValueId view_of = kNoValue;     // a view: the output aliases this input's bytes
};

using Lowering = std::optional<Lowered> (*)(const Graph& graph, const Node& node);
using LoweringTable = std::array<Lowering, op_kind_count>;  // nullptr: not on the GPU

const LoweringTable& lowerings();

void register_conv_lowerings(LoweringTable& table);     // Conv, FusedConv
void register_matmul_lowerings(LoweringTable& table);   // Gemm, MatMul
void register_eltwise_lowerings(LoweringTable& table);  // activations, unary math, broadcast binary
void register_data_lowerings(LoweringTable& table);     // views, Transpose, Slice, Concat, Expand
void register_reduce_lowerings(LoweringTable& table);   // pools, Reduce*, Softmax, Resize

// FusedConv's "activation" attribute as the epilogue function (params in ONNX order, ONNX defaults); nullopt
// for one the kernels do not have.
std::optional<UnaryFn> fused_activation(const Node& node);
// Where a convolution's Clip(0, hi) epilogue (ReLU6) feeds only the backend's own depthwise kernel, the
// convolution ends with ReLU, which cuBLASLt's and cuDNN's epilogues have, and the depthwise kernel reads its input
// as min(x, hi): the clip, a kernel of its own over the whole expanded tensor after a cuBLASLt product, is gone.
// On a configured program (after the storage plan, which decides which convolutions run depthwise).
void fold_upper_clips(Program& program);
// A stem convolution and the MaxPool that alone reads its output as one step (stem_conv_pool.h), for FP16
// programs: the step and the pool's node, or nullopt where the pair does not have the kernel's shape.
struct FusedPair {
  std::unique_ptr<Step> step;
  NodeId absorbed = kNoNode;
};
std::optional<FusedPair> lower_stem_pool(const Graph& graph, const Node& conv);

// "Conv_0+Clip_1": a node's origins joined, or its name when it has none.
std::string layer_name(const Node& node);
// True when every listed value (kNoValue skipped) is f32: the compute kernels are f32.
bool all_f32(const Graph& graph, std::span<const ValueId> values);
// A step's name, op, reads (the node's inputs) and writes (its outputs) from the node.
template <typename S>
std::unique_ptr<S> make_step(const Node& node) {
  auto step = std::make_unique<S>();
  step->name = layer_name(node);
  step->op = std::string(op_name(node.op));
  for (ValueId v : node.inputs)
    if (v != kNoValue) step->reads.push_back(v);
  step->writes = node.outputs;
  return step;
}
// Dims of a shape (nullopt above kMaxRank); row-major strides of a shape, right-aligned to `rank`, with
// 0 where the shape broadcasts (size 1) against `out`.
std::optional<Dims> dims_of(std::span<const int64_t> shape);
Strides broadcast_strides(std::span<const int64_t> shape, std::span<const int64_t> out);
// Integer contents of a constant input (initializer or value known at compile time).
std::optional<std::vector<int64_t>> constant_ints(const Graph& graph, const Node& node, size_t input);

}  // namespace es::cuda
