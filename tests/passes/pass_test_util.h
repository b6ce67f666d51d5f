// Helpers for the pass tests: build a shape-inferred graph, run it on the reference kernels, and check
// that a rewrite kept the outputs (relative L2 error <= 1e-5 on random inputs).
#pragma once

#include "ir/builder.h"
#include "ir/graph.h"

#include <cstdint>
#include <string>
#include <vector>

namespace es::test {

// A tensor of uniform values in [-1, 1) (float dtypes) or [0, 8) (integer dtypes), reproducible by seed.
Tensor random_tensor(DType dtype, Shape shape, uint32_t seed);

// Finishes the builder's graph and runs shape inference with the reference evaluator (asserts success).
Graph build_inferred(GraphBuilder& builder);

// Runs `graph` on the reference kernels (ref::run_graph); `inputs` follow graph.inputs. Empty on failure.
std::vector<Tensor> run_reference(const Graph& graph, const std::vector<Tensor>& inputs);

double relative_l2(const Tensor& expected, const Tensor& actual);

// Feeds both graphs the same random inputs and expects every output to agree within 1e-5 (relative L2).
void expect_same_outputs(const Graph& before, const Graph& after, uint32_t seed = 7);

int count_ops(const Graph& graph, OpKind op);

// A Conv weight/bias-ready builder shortcut: Conv(x, random W [out, in/group, k, k], random B?) with
// "same" padding, named `name`.
ValueId add_conv(GraphBuilder& builder, ValueId x, int64_t in_channels, int64_t out_channels, bool with_bias,
                 const std::string& name, uint32_t seed);

}  // namespace es::test
