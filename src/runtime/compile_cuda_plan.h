// The "cuda" / "cuda:N" device of compile(): the CUDA backend, with the CPU taking the nodes it does not
// run (see hetero_executable.h). Declared only in builds with the CUDA backend (ES_HAVE_CUDA).
#pragma once

#include "runtime/compile.h"

namespace es {

Result<std::unique_ptr<Executable>> compile_cuda_plan(const Graph& graph, const CompileOptions& options);

}  // namespace es
