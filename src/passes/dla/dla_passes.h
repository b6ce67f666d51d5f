// The DLA rewrite passes behind `edgescope optimize`: graph rewrites that keep what a model computes and turn
// the layers the DLA refuses into layers it runs (../shared/docs/dla-rules.md §1, §4), so that TensorRT can
// build fewer, larger DLA loadables. They produce only ONNX ops (the result is exported), unlike the CPU
// runtime's fusions. Each expects a shape-inferred graph and returns whether it changed it.
#pragma once

#include "base/status.h"
#include "ir/graph.h"
#include "passes/pass.h"

#include <vector>

namespace es::passes::dla {

Result<bool> batchnorm_to_conv(Graph& graph);
Result<bool> global_pool_to_average_pool(Graph& graph);
Result<bool> fc_to_conv(Graph& graph);
Result<bool> hard_activations_to_clip(Graph& graph);
Result<bool> div_to_mul(Graph& graph);
Result<bool> split_max_pool(Graph& graph);
Result<bool> undilate_conv(Graph& graph);
Result<bool> concat_to_channel_axis(Graph& graph);
Result<bool> resize_sizes_to_scales(Graph& graph);
Result<bool> keep_4d_outputs(Graph& graph);

// Every pass `optimize` may run, in its default order; keep_4d_outputs is last and runs only when asked for
// (--keep-4d-output), as it changes an output's shape.
const std::vector<Pass>& dla_passes();
inline constexpr std::string_view kKeep4dOutputs = "keep_4d_outputs";
// The comma-separated pass list `optimize` runs for `spec` ("default" or a list), with keep_4d_outputs
// appended when `keep_4d_output` and not already listed.
std::string dla_pass_list(std::string_view spec, bool keep_4d_output);

}  // namespace es::passes::dla
