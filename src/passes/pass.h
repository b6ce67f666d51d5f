// Graph passes: small named rewrites run by one visible pipeline.
//
// A pass returns whether it changed the graph. The pipeline verifies the graph after every pass and names
// the pass that broke it. Every pass keeps what the model computes (up to float rounding, which its
// description states where it applies).
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace es {

struct Pass {
  std::string_view name;         // verb first: "fold_constants", "fuse_conv_batchnorm"
  std::string_view description;  // one line for --help
  Result<bool> (*run)(Graph& graph);
};

// Every pass edgescope has, in the default pipeline's order.
const std::vector<Pass>& all_passes();

struct PipelineOptions {
  // "default", "none" or a comma-separated list of pass names.
  std::string passes = "default";
  // Print the IR after this pass to stderr ("" = never).
  std::string dump_ir_after;
};

// Runs shape inference, then the selected passes in order, verifying after each.
Status run_pipeline(Graph& graph, const PipelineOptions& options);
// The same, choosing among `available` instead of all_passes() ("default" = all of them, in order);
// tests use it to run passes that are not part of the product.
Status run_pipeline(Graph& graph, const PipelineOptions& options, std::span<const Pass> available);

}  // namespace es
