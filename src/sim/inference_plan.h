// One inference as the simulator runs it: the ordered steps of the TensorRT engine that the placement
// predicts (hardware layers / fused kernels, DLA loadable launches, hand-offs with their reformats and
// synchronisation), framed by the copies and the final synchronisation the study timed, each with its cost
// from the engine's cost model. TensorRT enqueues an engine's layers in order on one stream, so the steps of an
// inference form a chain; concurrency comes from several streams (simulate.h).
#pragma once

#include "base/status.h"
#include "bench/harness.h"
#include "ir/graph.h"
#include "placement/target.h"
#include "placement/trt_version.h"
#include "sim/target_model.h"

#include <string>
#include <vector>

namespace es::sim {

enum class EngineKind { gpu, dla, copy_h2d, copy_d2h, cpu, none };
inline constexpr int kEngineKinds = 5;  // engines that hold work (none = a pure latency)

struct PlanStep {
  std::string name;
  std::string op;  // TensorRT layer type of the head layer, or "Reformat", "Sync", "DLA loadable launch", "Copy"
  EngineKind engine = EngineKind::gpu;
  bench::Phase phase = bench::Phase::compute;
  double fixed_us = 0;    // overheads (launch, programming, latency)
  double compute_us = 0;  // arithmetic (or a minimum kernel time)
  double dram_bytes = 0;
  double bandwidth_gb_s = 0;
  bool layer = false;     // a hardware layer or kernel: listed in the per-layer profile
  std::string implementation = {};  // native plans: what runs the kernel, as the backend's profiles name it
};

struct PlanOptions {
  // gpu | dla0 | dla1: a TensorRT engine as trtexec builds it (the study's method);
  // cpu | cuda: edgescope's own backends as `edgescope bench --device cpu|cuda` runs them (native_plan.h).
  std::string device = "gpu";
  int threads = 0;  // cpu: threads (0 = the target's cpu.cores)
  Precision precision = Precision::fp16;
  placement::TrtVersion trt = placement::TrtVersion::v8_5;
  // The ONNX inputs declare a symbolic batch (as the ONNX Model Zoo files do): see ParserOptions::dynamic_batch.
  bool symbolic_batch = false;
  // cuda: the inference replays one CUDA Graph (bench --cuda-graph), so a kernel costs the GPU's gap between
  // kernels of a graph (cuda.graph_kernel_us) instead of its launch from the host.
  bool cuda_graph = false;
  // cuda: the inputs and outputs lie in pinned host memory (bench --host-memory pinned, the default), which the
  // copy engine moves directly at memory.dma_gb_s; else they are staged through a pinned buffer
  // (host_copy_rate_gb_s).
  bool pinned_host = true;
};

struct InferencePlan {
  std::string target;
  std::string device;
  Precision precision = Precision::fp16;
  std::vector<PlanStep> steps;
  // From the placement (the study's Table 1 and the engine level).
  int network_layers = 0;
  int network_gpu = 0;
  int engine_layers = 0;
  int engine_gpu_layers = 0;
  int dla_loadables = 0;
  int boundaries = 0;
  double setup_loadable_ms = 0;  // loading the DLA loadables, once
  std::vector<std::string> notes;
};

bool is_native_device(const std::string& device);  // cpu, cuda, cuda:N

// The graph is the model as imported (placement needs it before edgescope's passes), with static shapes.
// On a DLA device layers the DLA refuses fall back to the GPU (trtexec --allowGPUFallback, as the study).
Result<InferencePlan> plan_inference(const Graph& graph, const placement::Target& target, const TargetModel& model,
                                     const PlanOptions& options);

}  // namespace es::sim
