#include "runtime/compile.h"

#include "backends/cpu/cpu_backend.h"
#ifdef ES_HAVE_CUDA
#include "runtime/compile_cuda_plan.h"
#endif

#include <array>
#include <string_view>

namespace es {

namespace {

using DeviceCompiler = Result<std::unique_ptr<Executable>> (*)(const Graph&, const CompileOptions&);

Result<std::unique_ptr<Executable>> compile_for_cpu(const Graph& graph, const CompileOptions& options) {
  if (options.precision != "fp32")
    return error(StatusCode::unsupported, "precision '{}' is not supported on device 'cpu' (only fp32)", options.precision);
  return cpu::compile_cpu(graph, {.threads = options.threads});
}

struct Device {
  std::string_view name;     // "cuda" also matches "cuda:N"
  DeviceCompiler compile;    // nullptr: known, but not built into this binary
};

// Every device edgescope knows; a backend plugs in by filling its compile function here.
constexpr std::array kDevices = {
    Device{"cpu", compile_for_cpu},
#ifdef ES_HAVE_CUDA
    Device{"cuda", compile_cuda_plan},
#else
    Device{"cuda", nullptr},
#endif
};

}  // namespace

Result<std::unique_ptr<Executable>> compile(const Graph& graph, const CompileOptions& options) {
  const std::string_view device = options.device;
  const std::string_view family = device.substr(0, device.find(':'));
  for (const Device& d : kDevices) {
    if (d.name != family) continue;
    if (family == "cpu" && device != "cpu")
      return error(StatusCode::invalid_argument, "device '{}': the CPU takes no index, use 'cpu'", device);
    if (d.compile == nullptr) return error(StatusCode::unsupported, "device '{}' is not built in", d.name);
    return d.compile(graph, options);
  }
  return error(StatusCode::invalid_argument, "unknown device '{}' (expected cpu, cuda or cuda:N)", device);
}

}  // namespace es
