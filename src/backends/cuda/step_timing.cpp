#include "backends/cuda/step_timing.h"

#include <memory>

namespace es::cuda {

namespace {

cudaEvent_t new_event() {
  cudaEvent_t e = nullptr;
  return cudaEventCreate(&e) == cudaSuccess ? e : nullptr;
}

}  // namespace

Result<float> time_enqueued(const Context& ctx, const std::function<Status()>& enqueue) {
  constexpr int kRuns = 10;
  auto runs = [&]() -> Status {
    for (int i = 0; i < kRuns; ++i) ES_TRY(enqueue());
    return Status::ok_status();
  };
  const std::unique_ptr<CUevent_st, decltype(&cudaEventDestroy)> begin(new_event(), cudaEventDestroy),
      end(new_event(), cudaEventDestroy);
  if (!begin || !end) return error(StatusCode::internal, "cudaEventCreate failed");
  std::unique_ptr<CUgraphExec_st, decltype(&cudaGraphExecDestroy)> replay(nullptr, cudaGraphExecDestroy);
  if (ctx.cuda_graph) {
    cudaGraph_t graph = nullptr;
    ES_CUDA_TRY(cudaStreamBeginCapture(ctx.stream, cudaStreamCaptureModeThreadLocal));
    const Status captured = runs();
    const cudaError_t ended = cudaStreamEndCapture(ctx.stream, &graph);
    ES_TRY(captured);
    ES_CUDA_TRY(ended);
    cudaGraphExec_t exec = nullptr;
    const cudaError_t made = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    ES_CUDA_TRY(made);
    replay.reset(exec);
  }
  auto once = [&]() -> Status {
    if (replay) return check(cudaGraphLaunch(replay.get(), ctx.stream), "cudaGraphLaunch");
    return runs();
  };
  ES_TRY(once());  // warm-up
  ES_CUDA_TRY(cudaEventRecord(begin.get(), ctx.stream));
  ES_TRY(once());
  ES_CUDA_TRY(cudaEventRecord(end.get(), ctx.stream));
  ES_CUDA_TRY(cudaEventSynchronize(end.get()));
  float ms = 0;
  ES_CUDA_TRY(cudaEventElapsedTime(&ms, begin.get(), end.get()));
  return ms / kRuns;
}

}  // namespace es::cuda
