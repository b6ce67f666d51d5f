// The compiled form of a graph for the GPU: steps (cuDNN/cuBLAS calls or own kernels) in execution
// order over device buffers. Lowering decides on the host alone (no GPU needed: the partitioner asks
// which nodes the backend takes); prepare() then makes descriptors, picks algorithms and uploads what
// a step needs once the device memory exists.
#pragma once

#include "backends/cuda/cuda_check.h"
#include "ir/graph.h"

#include <memory>
#include <string>
#include <vector>

namespace es::cuda {

// Where values live once the executable has allocated its memory: activations in the planned arena
// (views share their source's bytes), initializers in their own upload.
class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;
  virtual void* data(ValueId id) const = 0;
  float* f32(ValueId id) const { return static_cast<float*>(data(id)); }
};

// What every step runs with.
struct Context {
  cudaStream_t stream = nullptr;
  cudnnHandle_t cudnn = nullptr;
  cublasHandle_t cublas = nullptr;
  void* workspace = nullptr;  // shared scratch of cuDNN convolutions
  size_t workspace_bytes = 0;
  bool tf32 = false;          // tensor cores with TF32 inputs allowed (--precision tf32)
  const DeviceMemory* memory = nullptr;
};

class Step {
 public:
  virtual ~Step() = default;
  // Once, before the first run: descriptors, algorithm choice (which may run trial kernels on the
  // memory). Returns the workspace bytes it needs in `workspace_bytes`.
  virtual Status prepare(const Context& ctx, size_t& workspace_bytes) { return Status::ok_status(); }
  // Enqueues the work on ctx.stream; must not synchronize (CUDA Graph capture records it).
  virtual Status run(const Context& ctx) = 0;

  std::string name;            // layer name for profiles and NVTX: the node's origins joined with '+'
  std::string op;              // "FusedConv", "MatMul", ...
  std::vector<ValueId> reads;  // values read (initializers included)
  std::vector<ValueId> writes;
};

struct Program {
  std::shared_ptr<const Graph> graph;   // a private copy: steps keep pointers into it
  std::vector<ValueId> alias_of;        // by ValueId: the value whose bytes it shares (itself when none)
  std::vector<std::unique_ptr<Step>> steps;
};

}  // namespace es::cuda
