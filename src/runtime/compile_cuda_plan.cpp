// The "cuda" device: the CUDA backend for the nodes it runs, the CPU backend for the rest (a
// heterogeneous plan). Built only with ES_HAVE_CUDA.
#include "backends/cpu/cpu_backend.h"
#include "backends/cuda/cuda_backend.h"
#include "runtime/compile_cuda_plan.h"
#include "runtime/hetero_executable.h"

#include <algorithm>
#include <charconv>

namespace es {

Result<std::unique_ptr<Executable>> compile_cuda_plan(const Graph& graph, const CompileOptions& options) {
  const std::string_view device = options.device;
  int index = 0;
  if (const size_t colon = device.find(':'); colon != std::string_view::npos) {
    const std::string_view digits = device.substr(colon + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (ec != std::errc() || end != digits.data() + digits.size() || index < 0)
      return error(StatusCode::invalid_argument, "device '{}': expected cuda or cuda:N", device);
  }
  const cuda::CudaOptions cuda_options{index, options.precision, options.cuda_graph};
  PlacementPolicy policy;
  policy.accelerator = "cuda:" + std::to_string(index);
  policy.accelerator_runs = [](const Graph& g, const Node& n) { return cuda::supports(g, n); };
  policy.fallback_cpu = options.fallback_cpu;
  policy.pins = options.pins;
  policy.restricted = options.restricted;
  ES_ASSIGN_OR_RETURN(std::vector<std::string> devices, assign_devices(graph, policy));
  if (std::all_of(devices.begin(), devices.end(), [&](const std::string& d) { return d == policy.accelerator; }))
    return cuda::compile_cuda(graph, cuda_options);
  return compile_segments(graph, partition(graph, devices), [&](const Segment& s) -> Result<std::unique_ptr<Executable>> {
    if (s.device == "cpu") return cpu::compile_cpu(s.graph, {.threads = options.threads});
    return cuda::compile_cuda(s.graph, cuda_options);
  });
}

}  // namespace es
