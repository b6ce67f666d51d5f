// What decides the time of a kernel of edgescope's own backends: the class the native plan costs it by
// (sim/native_plan.cpp), from the op and, on the CPU, the implementation the backend chose for it. The CPU
// profiles of docs/validation.md show each class behaving differently per element or per byte: a
// convolution is bound by its arithmetic, an element-wise kernel by the cache it streams through, a layout
// conversion (Reorder) by its gather pattern, a transcendental function or a per-channel broadcast by the
// vector code per element, and scalar reference code by its index arithmetic per element.
#pragma once

#include "ir/graph.h"
#include "sim/native_program.h"

#include <unordered_set>

namespace es::sim {

enum class KernelClass {
  dense, depthwise, gemm,  // roofline over the implicit GEMM
  winograd,                // CPU: a Winograd convolution, on the direct convolution's FLOPs at its own efficiency
  stream,                  // bandwidth (on the CPU: in the cache or beyond it)
  // CPU only:
  reorder,            // a layout conversion: its own bandwidth
  vector_math,        // a transcendental function in oneDNN's vector code: time per element
  channel_broadcast,  // oneDNN's binary op with a per-channel operand ([1,C,1,1]): time per element
  row_broadcast,      // oneDNN's binary op broadcasting an operand over a tensor of rank <= 3 (not over its batch
                      // only): time per row
  // scalar code, time per element: oneDNN's reference implementations, edgescope's reference kernels by what
  // they compute for each element (an index, a transcendental function, Resize's taps, a reduction's input)
  onednn_reference, index, math, resize, reduce,
};

// What the CPU backend's layouts decide about its binary kernels: the values it holds channels-last (NHWC), and
// the vector width its channels are blocked by.
struct CpuLayouts {
  std::unordered_set<ValueId> channels_last;
  int64_t lanes = 16;
};

// The outputs of oneDNN's brgemm convolutions (the backend's profiles and ONEDNN_VERBOSE show them `acdb`) and of
// fused blocks (NHWC by construction), and of the oneDNN kernels that keep the layout of such an input of their
// output's shape (element-wise and binary ones).
CpuLayouts cpu_layouts(const Graph& graph, const std::vector<NativeKernel>& kernels, int64_t lanes);

// `cpu`: the CPU backend's layouts, for its kernels (the classes marked CPU only apply); null for CUDA's.
KernelClass kernel_class(const Graph& graph, const NativeKernel& kernel, const CpuLayouts* cpu);

// The elements a scalar or per-element class pays for: those written, or read (non-constant) for reductions.
double class_elements(const Graph& graph, const NativeKernel& kernel, KernelClass kind);

// The rows of a row_broadcast kernel: oneDNN's jit binary kernel (2.6) runs a plain tensor with a broadcast
// operand one call per (dim 0, dim 1) index, over the dimensions after them; a tensor of rank 3 with a tiny
// last dimension (UltraFace's boxes, 1 x 17640 x 2, times a scalar) is then thousands of calls of 2 elements.
// A channels-last 4-D tensor whose channels are not whole vectors is one call per pixel (N x H x W).
double broadcast_rows(const Graph& graph, const NativeKernel& kernel);

// The contiguous runs an edgescope reference kernel copies one at a time, each at a cost of its own besides
// its elements: Concat copies one run per input and index of the dimensions before its axis (a memcpy each;
// UltraFace's boxes, concatenated along their last axis of 2, are thousands of 8-byte copies), Slice and
// Transpose walk their output's index, carrying into the next dimension at the end of every row of the last
// one. 0 for other kernels.
double copy_runs(const Graph& graph, const NativeKernel& kernel);

// The fraction of a convolution's (output, kernel tap) pairs whose tap reads the input rather than its zero
// padding: oneDNN's direct and brgemm convolutions skip the others, which the node's MACs count. Near 1 on
// large feature maps; 0.6 for a 5x5 kernel over 3 rows with 2 rows of padding either side.
double unpadded_tap_fraction(const Graph& graph, const Node& conv);

// A convolution of one group and fewer than 8 input channels (an RGB stem), which both backends run apart:
// oneDNN reads its plain input a few channels per tap; the CUDA backend packs it into a buffer of its own.
bool few_channel_stem(const Graph& graph, const Node& conv);

// The elements a CPU convolution's fused activation applies a transcendental function to (a FusedConv with
// activation Sigmoid, Tanh, ...; oneDNN runs it as an eltwise post-op in the kernel's epilogue), channels padded
// to whole vectors of `lanes` as the kernel writes them; 0 for any other kernel. YOLOX's heads' 1x1
// convolutions with a fused Sigmoid took 1.24-2.16x their time without it (docs/validation.md).
double fused_math_elements(const Graph& graph, const NativeKernel& kernel, int64_t lanes);

// Arithmetic of a streaming kernel: a pooling window's elements per output, else one per element written.
double stream_operations(const Graph& graph, const NativeKernel& kernel);

}  // namespace es::sim
