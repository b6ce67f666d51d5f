// Printers for bench::Result: one results model, several views.
#pragma once

#include "bench/result.h"
#include "report/chrome_trace.h"

#include <string>

namespace es::report {

// trtexec-like performance summary: setup phases, latency and each phase (min/max/mean/median/p90/p95/p99,
// stddev, CV), throughput, the slowest layers, accuracy, warnings.
std::string format_console(const bench::Result& result);
// The whole result with provenance and options; per-iteration samples included when `with_iterations`.
std::string to_json(const bench::Result& result, bool with_iterations = true);
// One row per timed iteration: stream,input,start_ms,latency_ms,h2d_ms,compute_ms,d2h_ms,sync_ms,host_ms.
std::string to_csv(const bench::Result& result);
// Timeline: setup phases, every iteration's phases on its stream's track, the profiled layers on a
// "layers" track of the device.
ChromeTrace to_trace(const bench::Result& result);
// trtexec --exportTimes: [{"startEnqMs",...,"latencyMs"}] per iteration.
std::string to_trtexec_times(const bench::Result& result);
// trtexec --exportProfile: [{"count": N}, {"name","timeMs","averageMs","medianMs","percentage"}, ...].
std::string to_trtexec_profile(const bench::Result& result);

}  // namespace es::report
