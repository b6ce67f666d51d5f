// The pass functions behind all_passes() (pass_list.cpp holds their names, descriptions and order).
// Tests call them directly; everything else goes through run_pipeline().
// Each expects a shape-inferred graph and returns whether it changed it.
#pragma once

#include "base/status.h"
#include "ir/graph.h"

namespace es::passes {

Result<bool> fold_constants(Graph& graph);
Result<bool> eliminate_identity(Graph& graph);
Result<bool> eliminate_dead_nodes(Graph& graph);
Result<bool> fuse_conv_batchnorm(Graph& graph);
Result<bool> fuse_conv_add(Graph& graph);
Result<bool> fuse_conv_activation(Graph& graph);

}  // namespace es::passes
