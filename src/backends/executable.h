// Executable: a model compiled for one device (or a heterogeneous plan), split into the phases the
// study timed. The bench harness drives these calls and times each; `run` strings them together.
//
//   auto exe = compile(graph, options);           // runtime/compile.h
//   exe->copy_inputs(inputs);                     // host tensors -> runtime buffers (H2D on a GPU)
//   exe->execute();                               // enqueue/run the compute
//   exe->copy_outputs(outputs);                   // runtime buffers -> host tensors (D2H on a GPU)
//   exe->synchronize();                           // wait for the device
#pragma once

#include "base/status.h"
#include "ir/graph.h"
#include "ir/tensor.h"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace es {

// Time of one layer (a node or a fused kernel) in a profiling run.
struct LayerTime {
  std::string name;     // kernel name, e.g. "Conv_0+Clip_1"
  std::string op;       // op of the kernel, e.g. "FusedConv"
  std::string device;   // "cpu", "cuda:0"
  double milliseconds = 0;
  // What ran it, as the backend chose when it compiled: oneDNN's implementation ("brgconv:avx512_core"),
  // "cudnn:ALGO", "im2col+cublaslt", "cublaslt", "cublas", "edgescope" (an own kernel), ...
  std::string implementation;
};

// Device-side durations of one iteration's phases, measured by the device itself (CUDA events).
struct DevicePhaseTimes {
  double h2d_ms = 0;
  double compute_ms = 0;
  double d2h_ms = 0;
};

class Executable {
 public:
  virtual ~Executable() = default;

  virtual std::string device_name() const = 0;  // "cpu", "cuda:0", "cuda:0+cpu"
  // Input/output order is the graph's; shapes and dtypes must match the compiled graph exactly. Tensors from
  // pinned_host_tensor() are read and written by the device's copy engine directly, without a host copy, so the
  // inputs must stay unchanged and the outputs unread until synchronize() returns.
  virtual Status copy_inputs(std::span<const Tensor> inputs) = 0;
  virtual Status execute() = 0;
  virtual Status copy_outputs(std::span<Tensor> outputs) = 0;
  virtual Status synchronize() = 0;

  // A zero-initialised host tensor in page-locked memory that the device copies from and to directly, as
  // trtexec's own input and output buffers are; nullopt where the device has no such memory (the CPU).
  virtual Result<std::optional<Tensor>> pinned_host_tensor(DType, const Shape&) { return std::optional<Tensor>{}; }

  // Runs once with per-layer timing (a separate run, like trtexec --separateProfileRun).
  virtual Result<std::vector<LayerTime>> profile_layers() = 0;
  // How profile_layers() times its layers: "host" (each layer launched by the host, as execute() does without
  // a CUDA Graph) or "graph" (the layers replayed in a CUDA Graph with events between them, as execute()
  // replays them with one).
  virtual std::string layer_timing() const { return "host"; }

  // Where the device timestamps its own work (CUDA events), the last iteration's phase durations, read
  // after synchronize(). Synchronous devices (the CPU) return nothing: host timing is exact there.
  virtual std::optional<DevicePhaseTimes> last_phase_times() const { return std::nullopt; }

  // Bytes of activation memory the memory plan reserves (after buffer reuse).
  virtual size_t activation_bytes() const = 0;
};

}  // namespace es
