// The Executable of the CPU backend: owns the program, its arena and the oneDNN engine and stream.
#pragma once

#include "backends/cpu/program.h"
#include "backends/cpu/program_memory.h"
#include "backends/executable.h"

#include <cstdlib>
#include <functional>
#include <memory>

namespace es::cpu {

class CpuExecutable final : public Executable {
 public:
  CpuExecutable(Program program, dnnl::engine engine, int threads);

  std::string device_name() const override { return "cpu"; }
  Status copy_inputs(std::span<const Tensor> inputs) override;
  Status execute() override;
  Status copy_outputs(std::span<Tensor> outputs) override;
  Status synchronize() override;
  Result<std::vector<LayerTime>> profile_layers() override;
  size_t activation_bytes() const override { return memory_.arena_bytes; }

 private:
  // Graph I/O: a memcpy for plain slots, a reorder between the caller's plain tensor and the slot otherwise.
  struct IoCopy {
    SlotId slot;
    std::optional<dnnl::reorder> reorder;
    dnnl::memory user;  // the caller's tensor; its handle is set on every copy
  };
  IoCopy make_io_copy(SlotId slot, bool to_slot) const;
  // Runs every step; `on_step` (when set) gets each step's index and wall time in milliseconds.
  Status run_steps(const std::function<void(size_t, double)>& on_step);

  struct FreeArena {
    void operator()(std::byte* p) const { std::free(p); }
  };

  Program program_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  int threads_;
  ProgramMemory memory_;
  std::unique_ptr<std::byte, FreeArena> arena_;
  dnnl::memory scratchpad_;
  std::unique_ptr<Storage> storage_;
  std::vector<IoCopy> inputs_;
  std::vector<IoCopy> outputs_;
};

}  // namespace es::cpu
