// One inference as edgescope's own backends run it (`edgescope bench --device cpu|cuda`), so that a host-like
// target (this machine's CPU, a datacentre GPU) can be predicted, measured and calibrated with the same plan:
// the backend's kernels (sim/native_program.h), named as its profiles name them, framed by the study's copies
// and synchronisation. Kernel classes and their cost:
//   dense convolution / Gemm / MatMul: roofline over the implicit GEMM, output channels padded to the
//     vector width (CPU), or tiled into thread blocks that run in whole waves over the SMs (CUDA), at the
//     efficiency of the math that runs it (CPU: per class; CUDA: FP32 on CUDA cores, FP16 on tensor cores),
//     on CUDA in the form the backend runs it (cuDNN, im2col + cuBLASLt, cuBLASLt: sim/cuda_conv_forms.h);
//   grouped / depthwise convolution: roofline at its own efficiency (CPU) or on CUDA cores (GPU);
//   reference kernels (CPU: edgescope's, and oneDNN's "ref" implementations): a time per element written,
//     scalar code whose cost is its index arithmetic;
//   everything else, layout conversions included: streaming kernels bound by bandwidth (on the CPU its own:
//     element-wise kernels stream through the caches at another rate than convolutions fetch their operands);
// plus a fixed per-kernel overhead (a primitive call on the CPU, launch and host enqueue on the GPU).
#pragma once

#include "base/status.h"
#include "ir/graph.h"
#include "sim/inference_plan.h"
#include "sim/native_program.h"
#include "sim/target_model.h"

namespace es::sim {

// `graph` has static shapes and went through the pass pipeline the backend sees (bench's default).
Result<InferencePlan> plan_native(const Graph& graph, const std::string& target_name, const TargetModel& model,
                                  const PlanOptions& options);
// The same from the backend's kernels for `graph` (native_kernels), which calibration computes once per profile.
Result<InferencePlan> plan_native(const Graph& graph, const std::vector<NativeKernel>& kernels,
                                  const std::string& target_name, const TargetModel& model, const PlanOptions& options);

}  // namespace es::sim
