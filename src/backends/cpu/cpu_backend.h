// The CPU backend: oneDNN primitives for convolutions, pools, matrix products and element-wise work,
// the reference kernels for everything else, one activation arena with buffer reuse.
//
//   ES_ASSIGN_OR_RETURN(auto exe, cpu::compile_cpu(graph, {.threads = 2}));
//   ES_TRY(exe->copy_inputs(inputs)); ES_TRY(exe->execute()); ES_TRY(exe->copy_outputs(outputs));
//
// The graph must be verified and fully shape-inferred (static shapes).
#pragma once

#include "backends/executable.h"
#include "ir/graph.h"

#include <memory>

namespace es::cpu {

struct CpuOptions {
  int threads = 0;  // OpenMP threads for oneDNN; 0 = all cores
};

Result<std::unique_ptr<Executable>> compile_cpu(const Graph& graph, const CpuOptions& options);

// Compiles and runs once (the conformance suite, tests): outputs in graph.outputs order.
Result<std::vector<Tensor>> run_graph(const Graph& graph, std::span<const Tensor> inputs, const CpuOptions& options = {});

}  // namespace es::cpu
