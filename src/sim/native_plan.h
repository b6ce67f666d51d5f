// One inference as edgescope's own backends run it (`edgescope bench --device cpu|cuda`), so that a host-like
// target (this machine's CPU, a datacentre GPU) can be predicted, measured and calibrated with the same plan:
// one kernel per node of the graph after edgescope's passes (views such as Reshape cost nothing), named as
// the backends' profiles name it (the node's ONNX origins joined with '+'), framed by the study's copies
// and synchronisation. Kernel classes and their cost:
//   dense convolution / Gemm / MatMul: roofline over the implicit GEMM, output channels padded to the
//     vector width (CPU) or to tensor-core tiles (GPU at reduced precision), at the class's efficiency;
//   grouped / depthwise convolution: roofline at its own efficiency (CPU) or on CUDA cores (GPU);
//   everything else: streaming kernels bound by bandwidth (on the CPU its own: element-wise kernels stream
//     through the caches at another rate than convolutions fetch their operands);
// plus a fixed per-kernel overhead (a primitive call on the CPU, a launch on the GPU).
#pragma once

#include "base/status.h"
#include "ir/graph.h"
#include "sim/inference_plan.h"
#include "sim/target_model.h"

namespace es::sim {

// `graph` has static shapes and went through the pass pipeline the backend sees (bench's default).
Result<InferencePlan> plan_native(const Graph& graph, const std::string& target_name, const TargetModel& model,
                                  const PlanOptions& options);

}  // namespace es::sim
