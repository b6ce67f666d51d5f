// A heterogeneous plan: segments compiled by different backends, run one after the other. Values that
// cross a segment boundary go through host tensors: a CUDA segment's copy_inputs is the H2D copy, its
// copy_outputs the D2H copy, and each boundary waits for the device, as a hand-off between devices does.
//
// Phases: copy_inputs only takes the caller's tensors (host memcpy); execute runs every segment with its
// boundary copies; last_phase_times reports the boundary copies (H2D, D2H) and the segments' compute,
// measured on the host around each synchronous boundary. profile_layers lists each boundary copy as a
// layer "copy <tensors> cpu->cuda:0" / "copy <tensors> cuda:0->cpu" between the segments' own layers.
#pragma once

#include "backends/executable.h"
#include "runtime/compile.h"
#include "runtime/partition.h"

#include <functional>
#include <memory>

namespace es {

class HeteroExecutable final : public Executable {
 public:
  struct Part {
    Segment segment;
    std::unique_ptr<Executable> exe;
  };
  HeteroExecutable(const Graph& graph, std::vector<Part> parts);

  std::string device_name() const override;
  Status copy_inputs(std::span<const Tensor> inputs) override;
  Status execute() override;
  Status copy_outputs(std::span<Tensor> outputs) override;
  Status synchronize() override { return Status::ok_status(); }  // every boundary already waited
  Result<std::vector<LayerTime>> profile_layers() override;
  std::optional<DevicePhaseTimes> last_phase_times() const override { return phases_; }
  size_t activation_bytes() const override;

 private:
  // Runs part `i` with its boundary copies, adding their times to phases_; with `layers`, profiles it
  // and appends its layers and copies there.
  Status run_part(size_t i, std::vector<LayerTime>* layers);

  std::shared_ptr<const Graph> graph_;
  std::vector<Part> parts_;
  std::vector<Tensor> host_;  // by ValueId of the whole graph: the boundary values and graph inputs/outputs
  DevicePhaseTimes phases_;
};

// Compiles each segment on its device (`compile_segment` per part) into a HeteroExecutable.
Result<std::unique_ptr<Executable>> compile_segments(
    const Graph& graph, std::vector<Segment> segments,
    const std::function<Result<std::unique_ptr<Executable>>(const Segment&)>& compile_segment);

}  // namespace es
