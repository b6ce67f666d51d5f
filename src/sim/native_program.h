// The kernels edgescope's own backends run for a graph, in order, named as their profiles name them, so the
// simulator costs each as what it is (sim/native_plan.h). On the CPU they come from the backend's compiled
// program: a node may run as a oneDNN primitive, as oneDNN's own reference implementation (scalar code with
// per-element index arithmetic, e.g. a binary op over a broadcast blocked layout) or as edgescope's reference
// kernel (Resize, Concat, Slice, Transpose, ...), and the backend inserts layout conversions (Reorder) where
// a consumer needs another layout, and it runs MobileNet's inverted residual blocks (expand, depthwise,
// project) as one fused kernel of its own. The program is compiled on this host, so its choices are this host's
// oneDNN's: exact for this machine as a target, an approximation for another CPU. On CUDA the kernels are one
// per node that is not a view, but for ResNet's stem, whose MaxPool runs in its convolution's kernel in FP16
// (cuda_conv_forms.h mirrors that choice of the backend, which is not built on every host; its layout
// conversions are not predicted).
#pragma once

#include "base/status.h"
#include "ir/graph.h"
#include "sim/inference_plan.h"

#include <string>
#include <vector>

namespace es::sim {

struct NativeKernel {
  std::string name;            // the node's origins joined with '+'; "reorder VALUE" for a layout conversion
  std::string op;              // the node's op, or "Reorder"
  // CPU: oneDNN's implementation name, or "reference"; CUDA: what a measured profile names (calibrate), else
  // empty and the plan decides (sim/cuda_conv_forms.h)
  std::string implementation = {};
  const Node* node = nullptr;  // the graph node it runs; null for a layout conversion or a fused block
  // A fused block's nodes, in order: the CPU's inverted residual blocks, CUDA's stem with its MaxPool; else empty
  std::vector<const Node*> fused = {};
  double read_bytes = 0, write_bytes = 0;  // activations (and constants read as tensors), in their layouts
};

// `graph` has static shapes and went through the passes the backend sees; the kernels point into it.
Result<std::vector<NativeKernel>> native_kernels(const Graph& graph, const PlanOptions& options);

}  // namespace es::sim
