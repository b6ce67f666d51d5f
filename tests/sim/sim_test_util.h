// Zoo graphs for the simulator's tests: as imported (what TensorRT's parser and the placement see) or after
// edgescope's default passes (what its own backends run, so the native plan's kernels).
#pragma once

#include "backends/ref/ref_kernels.h"
#include "ir/shape_inference.h"
#include "passes/pass.h"
#include "zoo/zoo.h"

#include <gtest/gtest.h>

namespace es::sim::testing {

inline Graph zoo_graph(std::string_view model, bool optimised = false, int64_t batch = 1) {
  const zoo::ZooModel* z = zoo::find_zoo_model(model);
  EXPECT_NE(z, nullptr);
  Graph graph = z->build({.batch = batch});
  Status shapes = infer_shapes(graph, ref::evaluator());
  EXPECT_TRUE(shapes.ok()) << shapes.message();
  if (optimised) {
    Status passes = run_pipeline(graph, PipelineOptions{});
    EXPECT_TRUE(passes.ok()) << passes.message();
  }
  return graph;
}

}  // namespace es::sim::testing
