// The Executable of the CUDA backend: owns the stream, library handles, device memory (activation
// arena, uploaded constants, workspaces), pinned staging buffers, the phase events and the CUDA Graph.
#pragma once

#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/program.h"

#include <functional>

namespace es::cuda {

class CudaExecutable final : public Executable, private DeviceMemory {
 public:
  static Result<std::unique_ptr<Executable>> create(Program program, const CudaOptions& options);
  ~CudaExecutable() override;

  std::string device_name() const override { return "cuda:" + std::to_string(options_.device); }
  Status copy_inputs(std::span<const Tensor> inputs) override;
  Status execute() override;
  Status copy_outputs(std::span<Tensor> outputs) override;
  Status synchronize() override;
  Result<std::optional<Tensor>> pinned_host_tensor(DType dtype, const Shape& shape) override;
  Result<std::vector<LayerTime>> profile_layers() override;
  std::string layer_timing() const override { return options_.cuda_graph ? "graph" : "host"; }
  std::optional<DevicePhaseTimes> last_phase_times() const override;
  size_t activation_bytes() const override { return arena_bytes_; }

 private:
  enum Event { h2d_begin, h2d_end, compute_begin, compute_end, d2h_begin, d2h_end, event_count };
  // A host copy to finish in synchronize(): pinned staging bytes into the caller's output tensor.
  struct PendingOutput {
    void* dst;
    const std::byte* staged;
    size_t bytes;
  };

  CudaExecutable(Program program, const CudaOptions& options) : program_(std::move(program)), options_(options) {}
  Status init();
  Status plan_and_allocate();
  Status upload_constants();
  // How run_steps() records the timing events of profile_layers() (marks_[0] before the first step, one after
  // each): not at all, into the stream, or into the graph being captured as event nodes.
  enum class Marks { none, stream, graph };
  Status run_steps(Marks marks);
  // With --cuda-graph: `enqueue` captured into `exec` on the first call, then replayed; else enqueued directly.
  Status run_or_replay(cudaGraphExec_t& exec, const std::function<Status()>& enqueue);
  bool needs_conversion(ValueId id) const;
  Status convert_value(ValueId id, void* host_form, bool to_device);
  void* data(ValueId id) const override { return pointers_[static_cast<size_t>(program_.alias_of[static_cast<size_t>(id)])]; }

  Program program_;
  CudaOptions options_;
  Context ctx_;
  cudaEvent_t events_[event_count] = {};
  bool recorded_[event_count] = {};
  std::vector<void*> pointers_;        // by ValueId (alias roots): arena or constant bytes
  void* arena_ = nullptr;
  size_t arena_bytes_ = 0;
  void* constants_ = nullptr;
  void* cublas_workspace_ = nullptr;
  void* staging_ = nullptr;          // inputs and outputs in host form on the device (FP16 conversions)
  size_t staging_output_base_ = 0;
  std::byte* pinned_inputs_ = nullptr;
  std::byte* pinned_outputs_ = nullptr;
  std::vector<size_t> input_offsets_, output_offsets_;  // into the pinned buffers
  std::vector<PendingOutput> pending_;
  cudaGraphExec_t graph_exec_ = nullptr;
  std::vector<cudaEvent_t> marks_;                 // profile_layers(): one event before the steps and after each
  cudaGraphExec_t profile_graph_exec_ = nullptr;  // with --cuda-graph: the steps and the marks, captured once
};

}  // namespace es::cuda
