// Helpers shared by the pass and backend tests: build a shape-inferred, verified graph, feed it random
// inputs, run it on the reference kernels (the oracle), and compare outputs by relative L2 error.
#pragma once

#include "ir/builder.h"
#include "ir/graph.h"

#include <cstdint>
#include <string>
#include <vector>

namespace es::test {

// A tensor of uniform values in [-1, 1) (float dtypes) or [0, 8) (integer dtypes), reproducible by seed.
Tensor random_tensor(DType dtype, Shape shape, uint32_t seed);
inline Tensor random_tensor(Shape shape, uint32_t seed) { return random_tensor(DType::f32, std::move(shape), seed); }

// Random f32 inputs for every graph input (seeds seed, seed + 1, ...), in graph.inputs order.
std::vector<Tensor> random_inputs(const Graph& graph, uint32_t seed);

// Finishes the builder's graph, runs shape inference with the reference evaluator and the verifier
// (expects both to succeed).
Graph build_inferred(GraphBuilder& builder);

// Runs `graph` on the reference kernels (ref::run_graph); `inputs` follow graph.inputs. Empty on failure.
std::vector<Tensor> run_reference(const Graph& graph, const std::vector<Tensor>& inputs);

// ||actual - expected|| / ||expected|| over all elements (expects equal sizes).
double relative_l2(const Tensor& expected, const Tensor& actual);

// Feeds both graphs the same random inputs and expects every output to agree within 1e-5 (relative L2).
void expect_same_outputs(const Graph& before, const Graph& after, uint32_t seed = 7);

int count_ops(const Graph& graph, OpKind op);

// A Conv weight/bias-ready builder shortcut: Conv(x, random W [out, in/group, k, k], random B?) with
// "same" padding, named `name`.
ValueId add_conv(GraphBuilder& builder, ValueId x, int64_t in_channels, int64_t out_channels, bool with_bias,
                 const std::string& name, uint32_t seed);

}  // namespace es::test
