// The measurement loop. Two methods, as the issue and trtexec define them:
//  - study:   a serial loop of `iterations` inferences, each = copy in, infer, copy out, synchronise, as the
//             study timed 1,000 classifications (after `warmup_iterations` untimed ones).
//  - trtexec: warm-up by time (`warmup_ms`), then run until BOTH `iterations` and `duration_s` are met.
// Warm-up never enters the statistics. Every iteration keeps its raw phase times.
#pragma once

#include "backends/executable.h"
#include "base/status.h"
#include "bench/stats.h"

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace es::bench {

enum class Mode { study, trtexec };
enum class Scenario { single_stream, offline, multi_stream };

// Per-iteration phases, in the order the study's profile shows them.
enum class Phase { h2d = 0, compute, d2h, sync, host };
inline constexpr size_t phase_count = 5;
std::string_view phase_name(Phase phase);  // "h2d", "compute", "d2h", "sync", "host"

struct Options {
  Mode mode = Mode::study;
  Scenario scenario = Scenario::single_stream;
  int64_t iterations = 1000;
  int64_t warmup_iterations = 10;  // study mode
  double warmup_ms = 200;          // trtexec mode
  double duration_s = 3;           // trtexec mode
  int streams = 1;                 // multi-stream scenario: concurrent executables
};

struct Iteration {
  int stream = 0;
  int64_t input_index = 0;  // which input set was fed (images are cycled)
  double start_ms = 0;      // from the start of the timed run
  double latency_ms = 0;    // whole iteration: all phases + host overhead
  std::array<double, phase_count> phase_ms{};
  // Phase start offsets from start_ms (for the timeline); on asynchronous devices they are host enqueue
  // points, with device durations from the device's own events.
  std::array<double, phase_count> phase_start_ms{};
};

struct Run {
  std::vector<Iteration> iterations;
  double wall_ms = 0;  // timed part only
};

// Feeds input set i (i cycles through the available sets).
struct InputFeed {
  std::vector<std::vector<Tensor>> sets;
  const std::vector<Tensor>& at(int64_t i) const { return sets[static_cast<size_t>(i) % sets.size()]; }
};

// Called about every 100 ms with (done, expected total or -1 when bounded by time, elapsed seconds).
using Progress = std::function<void(int64_t done, int64_t total, double elapsed_s)>;
// Called after each timed iteration of stream 0 with its outputs (for accuracy); may be empty.
using OutputSink = std::function<void(int64_t input_index, const std::vector<Tensor>& outputs)>;

// `executables` holds one per stream (multi-stream) or one. Outputs of every iteration are copied into
// `outputs` (preallocated by the caller with the graph's output shapes, one set per stream).
Result<Run> run(std::span<Executable* const> executables, std::vector<std::vector<Tensor>>& outputs,
                const InputFeed& feed, const Options& options, const Progress& progress,
                const OutputSink& sink = {});

// Summaries of latency and each phase over a run.
struct RunSummary {
  Summary latency;
  std::array<Summary, phase_count> phases;
  double throughput_qps = 0;  // inferences (x batch) per second of wall time
};
RunSummary summarize_run(const Run& run, int64_t batch);

// trtexec-style warnings (high variation, transfer-bound, host-bound).
std::vector<std::string> warnings_for(const RunSummary& summary);

}  // namespace es::bench
