// The reference backend: one plain, obviously-correct kernel per op. It is the oracle for every other
// backend and the evaluator for constant folding and shape-value propagation. No performance work here
// beyond avoiding quadratic blow-ups.
//
// Kernels are registered explicitly, one function per op family (see ref_registry.cpp), never by static
// initialisers. A kernel reads the node's attributes itself; outputs are preallocated with the shapes
// that shape inference computed.
#pragma once

#include "backends/tensor_view.h"
#include "base/status.h"
#include "ir/graph.h"
#include "ir/shape_inference.h"

#include <array>
#include <span>
#include <vector>

namespace es::ref {

using Kernel = Status (*)(const Node& node, std::span<const TensorView> inputs, std::span<const TensorView> outputs);

// Indexed by OpKind; nullptr where no reference kernel exists.
using KernelTable = std::array<Kernel, op_kind_count>;

// The table with every family registered.
const KernelTable& kernels();
// nullptr when the op has no reference kernel.
inline Kernel find_kernel(OpKind op) { return kernels()[static_cast<size_t>(op)]; }

// Runs one node on host tensors (allocating nothing): unsupported op → StatusCode::unsupported.
Status run_node(const Node& node, std::span<const TensorView> inputs, std::span<const TensorView> outputs);

// A NodeEvaluator for infer_shapes built on run_node.
NodeEvaluator evaluator();

// Runs a shape-inferred graph on host tensors, node by node with run_node (ref_graph.cpp). `inputs` are
// in graph.inputs order and must match their values' dtype and shape; returns graph.outputs in order.
// Intermediate tensors are released after their last use.
Result<std::vector<Tensor>> run_graph(const Graph& graph, std::span<const Tensor> inputs);

// Registration functions, one per family file. Each sets the entries of the ops it implements.
void register_elementwise(KernelTable& table);   // unary, binary (broadcast), activations, Cast, Where, ...
void register_reduce(KernelTable& table);        // Reduce*, ArgMax/Min, Softmax/LogSoftmax/Hardmax, CumSum, TopK
void register_conv(KernelTable& table);          // Conv, ConvTranspose, FusedConv
void register_pool(KernelTable& table);          // MaxPool, AveragePool, Global*Pool, LpPool, LRN
void register_linalg(KernelTable& table);        // Gemm, MatMul, Einsum
void register_normalization(KernelTable& table); // BatchNormalization, InstanceNorm, LayerNorm, ...
void register_shape_ops(KernelTable& table);     // Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze, Transpose,
                                                 // Concat, Split, Slice, Gather*, Pad, Expand, Tile, ...
void register_resize(KernelTable& table);        // Resize, DepthToSpace, SpaceToDepth
void register_quantize(KernelTable& table);      // QuantizeLinear, DequantizeLinear

}  // namespace es::ref
