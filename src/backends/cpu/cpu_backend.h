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

// One step of the program compile_cpu builds, as it will run: what the simulator needs to cost it as what it
// is (sim/native_program.h), since a node may become a oneDNN primitive, oneDNN's reference implementation
// or edgescope's reference kernel, and layout conversions are steps of their own.
struct CompiledStep {
  std::string name;            // as profile_layers names it: the node's origins joined with '+', "reorder VALUE"
  std::string op;              // the node's op, or "Reorder"
  std::string implementation;  // oneDNN's implementation ("brgconv:avx512_core", "ref:any"), "edgescope:avx512"
                               // (a fused inverted residual block), or "reference"
  std::vector<std::string> nodes;  // names of the graph nodes it computes: one, or a fused block's; none for a Reorder
  // Bytes it reads and writes: its slots in their layouts (a blocked layout pads channels to its block) and
  // the constants reordered for it at compile time (a convolution's weights).
  double read_bytes = 0, write_bytes = 0;
};

// The steps of the program for `graph`, compiled as compile_cpu does (nothing allocated or run).
Result<std::vector<CompiledStep>> compiled_steps(const Graph& graph, const CpuOptions& options);

// Compiles and runs once (the conformance suite, tests): outputs in graph.outputs order.
Result<std::vector<Tensor>> run_graph(const Graph& graph, std::span<const Tensor> inputs, const CpuOptions& options = {});

}  // namespace es::cpu
