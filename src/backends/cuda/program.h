// The compiled form of a graph for the GPU: steps (cuDNN/cuBLAS calls or own kernels) in execution
// order over device buffers. Lowering decides on the host alone (no GPU needed: the partitioner asks
// which nodes the backend takes); the storage plan (storage_plan.h) then fixes how each value lies in
// memory, configure() adapts each step to it, and prepare() makes descriptors and picks algorithms once
// the device memory exists.
#pragma once

#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_check.h"
#include "ir/graph.h"

#include "backends/cuda/kernels.h"

#include <initializer_list>
#include <memory>
#include <span>
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

// How a value's bytes lie on the device. --precision fp16 stores every f32 value as f16 (half); every
// precision keeps the 4-D activations around convolutions channels-last (nhwc: [N,H,W,C]), the layout of
// cuDNN's tensor-core kernels and of 1x1 convolutions as matrix products; other values are row-major.
struct Storage {
  bool half = false;
  bool nhwc = false;
};

// Strides in elements of a value's logical dims as stored (row-major, or NHWC for a 4-D nhwc value).
Strides stored_strides(std::span<const int64_t> shape, const Storage& storage);
// Reorders `dims` (and every stride set over them) so that `dst` is walked in memory order: a kernel
// iterating the result writes its destination contiguously.
void order_by_destination(Dims& dims, Strides& dst, std::initializer_list<Strides*> others);

// The layout a step wants of its activation inputs and gives its outputs (fp16 plans; see storage_plan.h).
enum class LayoutRule {
  dense,         // inputs row-major; outputs row-major (matrix products, reductions, softmax)
  nhwc,          // 4-D inputs NHWC; 4-D outputs NHWC (convolutions)
  follow_first,  // inputs as they are; outputs in the first input's layout (unary ops, pools, resize, slice)
  follow_any,    // inputs as they are; a 4-D output is NHWC when a 4-D input is (binary ops, concat)
  dense_output,  // inputs as they are; outputs row-major (global pools, transpose, expand)
  nhwc_output,   // inputs as they are; 4-D outputs NHWC (a convolution that repacks its own input)
};

// What every step runs with.
struct Context {
  cudaStream_t stream = nullptr;
  cudnnHandle_t cudnn = nullptr;
  cublasHandle_t cublas = nullptr;
  cublasLtHandle_t cublaslt = nullptr;  // 1x1 convolutions with fused epilogues (epilogue_gemm.h)
  void* workspace = nullptr;  // shared scratch of cuDNN convolutions and cuBLASLt products
  size_t workspace_bytes = 0;
  bool tf32 = false;          // tensor cores with TF32 inputs allowed (--precision tf32)
  ConvForm conv_form = ConvForm::fastest;
  bool cuda_graph = false;    // the compute is replayed as a CUDA Graph (no host overhead per step)
  const DeviceMemory* memory = nullptr;
};

class Step {
 public:
  virtual ~Step() = default;
  virtual LayoutRule layout_rule() const { return LayoutRule::dense; }
  // Once every value's storage is known (before prepare): element types, strides, layouts.
  virtual void configure(const Graph& graph, const std::vector<Storage>& storage) {}
  // Reads `to` instead of `from` (the storage plan put a layout conversion in between).
  void rebind(ValueId from, ValueId to) {
    for (ValueId& r : reads)
      if (r == from) r = to;
    rebind_fields(from, to);
  }
  // Once, before the first run: descriptors, algorithm choice (which may run trial kernels on the
  // memory). Returns the workspace bytes it needs in `workspace_bytes`.
  virtual Status prepare(const Context& ctx, size_t& workspace_bytes) { return Status::ok_status(); }
  // Enqueues the work on ctx.stream; must not synchronize (CUDA Graph capture records it).
  virtual Status run(const Context& ctx) = 0;
  // What runs it once prepared, for profiles (LayerTime::implementation): "edgescope" for the backend's own
  // kernels; library steps name the library and the form they chose ("cudnn:ALGO", "im2col+cublaslt", ...).
  virtual std::string implementation() const { return "edgescope"; }

  std::string name;            // layer name for profiles and NVTX: the node's origins joined with '+'
  std::string op;              // "FusedConv", "MatMul", ...
  std::vector<ValueId> reads;  // values read (initializers included)
  std::vector<ValueId> writes;

 protected:
  // Steps that keep value ids outside `reads` rebind them here.
  virtual void rebind_fields(ValueId from, ValueId to) {}
};

struct Program {
  std::shared_ptr<const Graph> graph;   // a private copy (with the storage plan's conversion values)
  std::vector<ValueId> alias_of;        // by ValueId: the value whose bytes it shares (itself when none)
  std::vector<Storage> storage;         // by ValueId
  std::vector<std::unique_ptr<Step>> steps;
};

}  // namespace es::cuda
