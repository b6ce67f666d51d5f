#include "bench/harness.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

namespace es::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// One inference as the study timed it: copy in, infer, copy out, synchronise. Host timestamps around each
// call; where the device reports its own phase durations (CUDA events), those replace the host ones for
// h2d/compute/d2h, and the host's wait in synchronize() stays the sync phase.
Result<Iteration> time_one(Executable& exe, const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs,
                           Clock::time_point origin) {
  Iteration it;
  auto t0 = Clock::now();
  ES_TRY(exe.copy_inputs(inputs));
  auto t1 = Clock::now();
  ES_TRY(exe.execute());
  auto t2 = Clock::now();
  ES_TRY(exe.copy_outputs(outputs));
  auto t3 = Clock::now();
  ES_TRY(exe.synchronize());
  auto t4 = Clock::now();
  it.start_ms = ms_between(origin, t0);
  it.latency_ms = ms_between(t0, t4);
  const Clock::time_point marks[] = {t0, t1, t2, t3, t4};
  for (size_t p = 0; p < 4; ++p) {
    it.phase_start_ms[p] = ms_between(t0, marks[p]);
    it.phase_ms[p] = ms_between(marks[p], marks[p + 1]);
  }
  if (auto device = exe.last_phase_times()) {
    // The enqueue calls returned at once; the device's events say how long each phase really took.
    double host_enqueue = it.phase_ms[0] + it.phase_ms[1] + it.phase_ms[2];
    it.phase_ms[static_cast<size_t>(Phase::h2d)] = device->h2d_ms;
    it.phase_ms[static_cast<size_t>(Phase::compute)] = device->compute_ms;
    it.phase_ms[static_cast<size_t>(Phase::d2h)] = device->d2h_ms;
    double device_total = device->h2d_ms + device->compute_ms + device->d2h_ms;
    it.phase_ms[static_cast<size_t>(Phase::sync)] = std::max(0.0, it.latency_ms - host_enqueue - device_total);
    it.phase_start_ms[static_cast<size_t>(Phase::compute)] = device->h2d_ms;
    it.phase_start_ms[static_cast<size_t>(Phase::d2h)] = device->h2d_ms + device->compute_ms;
    it.phase_start_ms[static_cast<size_t>(Phase::sync)] = device_total;
  }
  double accounted = 0;
  for (size_t p = 0; p < 4; ++p) accounted += it.phase_ms[p];
  it.phase_ms[static_cast<size_t>(Phase::host)] = std::max(0.0, it.latency_ms - accounted);
  it.phase_start_ms[static_cast<size_t>(Phase::host)] = accounted;
  return it;
}

struct StreamState {
  std::vector<Iteration> iterations;
  Status status;
};

// Runs one stream's loop; stream 0 reports progress and feeds the output sink.
void run_stream(int stream, Executable& exe, std::vector<Tensor>& outputs, const InputFeed& feed,
                const Options& options, Clock::time_point origin, const Progress& progress, const OutputSink& sink,
                StreamState& state) {
  const double duration_ms = options.mode == Mode::trtexec ? options.duration_s * 1000 : 0;
  auto last_report = Clock::now();
  for (int64_t i = 0;; ++i) {
    double elapsed = ms_between(origin, Clock::now());
    if (i >= options.iterations && elapsed >= duration_ms) break;
    int64_t input_index = i * options.streams + stream;
    auto it = time_one(exe, feed.at(input_index), outputs, origin);
    if (!it.ok()) {
      state.status = it.status();
      return;
    }
    it->stream = stream;
    it->input_index = input_index;
    state.iterations.push_back(*it);
    if (stream != 0) continue;
    if (sink) sink(input_index, outputs);
    auto now = Clock::now();
    if (progress && ms_between(last_report, now) >= 100) {
      progress(i + 1, duration_ms > 0 ? -1 : options.iterations, ms_between(origin, now) / 1000);
      last_report = now;
    }
  }
}

Status warm_up(Executable& exe, std::vector<Tensor>& outputs, const InputFeed& feed, const Options& options) {
  auto start = Clock::now();
  for (int64_t i = 0;; ++i) {
    bool done = options.mode == Mode::study ? i >= options.warmup_iterations
                                            : ms_between(start, Clock::now()) >= options.warmup_ms;
    if (done) return {};
    ES_TRY(time_one(exe, feed.at(i), outputs, start).status());
  }
}

}  // namespace

std::string_view phase_name(Phase phase) {
  switch (phase) {
    case Phase::h2d: return "h2d";
    case Phase::compute: return "compute";
    case Phase::d2h: return "d2h";
    case Phase::sync: return "sync";
    case Phase::host: return "host";
  }
  return "?";
}

Result<Run> run(std::span<Executable* const> executables, std::vector<std::vector<Tensor>>& outputs,
                const InputFeed& feed, const Options& options, const Progress& progress, const OutputSink& sink) {
  ES_ASSERT(!executables.empty() && outputs.size() == executables.size() && !feed.sets.empty());
  for (size_t s = 0; s < executables.size(); ++s) ES_TRY(warm_up(*executables[s], outputs[s], feed, options));

  std::vector<StreamState> states(executables.size());
  auto origin = Clock::now();
  if (executables.size() == 1) {
    run_stream(0, *executables[0], outputs[0], feed, options, origin, progress, sink, states[0]);
  } else {
    std::vector<std::thread> threads;
    for (size_t s = 0; s < executables.size(); ++s)
      threads.emplace_back(run_stream, static_cast<int>(s), std::ref(*executables[s]), std::ref(outputs[s]),
                           std::cref(feed), std::cref(options), origin, std::cref(progress), std::cref(sink),
                           std::ref(states[s]));
    for (auto& t : threads) t.join();
  }
  Run result;
  result.wall_ms = ms_between(origin, Clock::now());
  for (auto& state : states) {
    ES_TRY(state.status);
    result.iterations.insert(result.iterations.end(), state.iterations.begin(), state.iterations.end());
  }
  return result;
}

RunSummary summarize_run(const Run& run, int64_t batch) {
  RunSummary s;
  std::vector<double> latency;
  std::array<std::vector<double>, phase_count> phases;
  for (const Iteration& it : run.iterations) {
    latency.push_back(it.latency_ms);
    for (size_t p = 0; p < phase_count; ++p) phases[p].push_back(it.phase_ms[p]);
  }
  s.latency = summarize(latency);
  for (size_t p = 0; p < phase_count; ++p) s.phases[p] = summarize(phases[p]);
  if (run.wall_ms > 0)
    s.throughput_qps = static_cast<double>(run.iterations.size() * batch) / (run.wall_ms / 1000);
  return s;
}

std::vector<std::string> warnings_for(const RunSummary& s) {
  std::vector<std::string> warnings;
  const Summary& compute = s.phases[static_cast<size_t>(Phase::compute)];
  const Summary& h2d = s.phases[static_cast<size_t>(Phase::h2d)];
  const Summary& d2h = s.phases[static_cast<size_t>(Phase::d2h)];
  const Summary& host = s.phases[static_cast<size_t>(Phase::host)];
  // Thresholds as trtexec's: CV over 1% is "unstable"; transfers as long as compute dominate.
  if (compute.cv_percent > 1.0)
    warnings.push_back(fmt::format("compute time is unstable: coefficient of variation {:.1f}% (> 1%); close other "
                                   "programs, pin clocks, or use --mode trtexec with a longer --duration",
                                   compute.cv_percent));
  if (h2d.median >= compute.median && compute.median > 0)
    warnings.push_back("latency may be bound by host-to-device transfers (median H2D >= median compute)");
  if (d2h.median >= compute.median && compute.median > 0)
    warnings.push_back("latency may be bound by device-to-host transfers (median D2H >= median compute)");
  if (host.median > 0.8 * compute.median && compute.median > 0)
    warnings.push_back("host overhead is over 80% of compute time: the loop, not the model, may limit latency");
  return warnings;
}

}  // namespace es::bench
