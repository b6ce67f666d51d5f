// es_cpu_latency: batch-1 latency of a model on the CPU backend, for bench/cpu_vs_ort.sh. Each timed
// iteration is copy_inputs + execute + copy_outputs + synchronize on random inputs; prints JSON with
// the median and p90, the process CPU time per run (and, with --layers, the mean per-layer profile over 20 profiling runs).
//
//   es_cpu_latency MODEL.onnx [--threads N] [--warmup N] [--iterations N] [--passes LIST] [--layers]
#include "runtime/compile.h"
#include "runtime/model.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include <sys/resource.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string model;
  int threads = 0;
  int warmup = 20;
  int iterations = 200;
  std::string passes = "default";
  bool layers = false;
};

es::Result<Args> parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> es::Result<std::string> {
      if (i + 1 >= argc) return es::error(es::StatusCode::invalid_argument, "{} needs a value", a);
      return std::string(argv[++i]);
    };
    if (a == "--layers") {
      args.layers = true;
    } else if (a == "--threads" || a == "--warmup" || a == "--iterations" || a == "--passes") {
      ES_ASSIGN_OR_RETURN(std::string v, value());
      if (a == "--passes") {
        args.passes = v;
        continue;
      }
      int& target = a == "--threads" ? args.threads : a == "--warmup" ? args.warmup : args.iterations;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), target);
      if (ec != std::errc() || end != v.data() + v.size())
        return es::error(es::StatusCode::invalid_argument, "{} '{}': expected an integer", a, v);
    } else if (!a.starts_with("--") && args.model.empty()) {
      args.model = a;
    } else {
      return es::error(es::StatusCode::invalid_argument, "unexpected argument '{}'", a);
    }
  }
  if (args.model.empty() || args.iterations < 1)
    return es::error(es::StatusCode::invalid_argument,
                     "usage: es_cpu_latency MODEL [--threads N] [--warmup N] [--iterations N] [--passes LIST] [--layers]");
  return args;
}

std::vector<es::Tensor> random_inputs(const es::Graph& graph) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(0.0f, 1.0f);
  std::vector<es::Tensor> inputs;
  for (es::ValueId id : graph.inputs) {
    es::Tensor t(graph.value(id).dtype, graph.value(id).shape);
    if (t.dtype() == es::DType::f32)
      for (float& v : t.values<float>()) v = dist(rng);
    inputs.push_back(std::move(t));
  }
  return inputs;
}

double percentile(std::vector<double> sorted, double p) {
  std::sort(sorted.begin(), sorted.end());
  const double rank = p * static_cast<double>(sorted.size() - 1);
  const size_t low = static_cast<size_t>(rank);
  const size_t high = std::min(low + 1, sorted.size() - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - static_cast<double>(low));
}

// CPU time of the whole process (all threads), which load from other processes barely changes.
double process_cpu_ms() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

es::Status iterate(es::Executable& exe, std::span<const es::Tensor> inputs, std::vector<es::Tensor>& outputs) {
  ES_TRY(exe.copy_inputs(inputs));
  ES_TRY(exe.execute());
  ES_TRY(exe.copy_outputs(outputs));
  return exe.synchronize();
}

es::Result<nlohmann::json> measure(const Args& args) {
  es::LoadOptions load;
  load.pipeline.passes = args.passes;
  ES_ASSIGN_OR_RETURN(es::Graph graph, es::load_model(args.model, load));
  const auto compile_start = Clock::now();
  es::CompileOptions options;
  options.threads = args.threads;
  ES_ASSIGN_OR_RETURN(auto exe, es::compile(graph, options));
  const double compile_ms = std::chrono::duration<double, std::milli>(Clock::now() - compile_start).count();

  const std::vector<es::Tensor> inputs = random_inputs(graph);
  std::vector<es::Tensor> outputs(graph.outputs.size());
  for (int i = 0; i < args.warmup; ++i) ES_TRY(iterate(*exe, inputs, outputs));
  std::vector<double> times;
  const double cpu_start_ms = process_cpu_ms();
  for (int i = 0; i < args.iterations; ++i) {
    const auto start = Clock::now();
    ES_TRY(iterate(*exe, inputs, outputs));
    times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  const double cpu_ms_per_run = (process_cpu_ms() - cpu_start_ms) / args.iterations;

  nlohmann::json result = {
      {"model", args.model},         {"threads", args.threads},       {"passes", args.passes},
      {"iterations", args.iterations}, {"median_ms", percentile(times, 0.5)}, {"p90_ms", percentile(times, 0.9)},
      {"min_ms", *std::min_element(times.begin(), times.end())},        {"compile_ms", compile_ms},
      {"cpu_ms_per_run", cpu_ms_per_run},
      {"activation_bytes", exe->activation_bytes()}};
  if (args.layers) {
    constexpr int kProfileRuns = 20;
    std::vector<es::LayerTime> mean;  // every run has the same layers in the same order
    for (int run = 0; run < kProfileRuns; ++run) {
      ES_ASSIGN_OR_RETURN(std::vector<es::LayerTime> layers, exe->profile_layers());
      if (run == 0) {
        mean = layers;
        for (es::LayerTime& l : mean) l.milliseconds = 0;
      }
      for (size_t i = 0; i < layers.size(); ++i) mean[i].milliseconds += layers[i].milliseconds / kProfileRuns;
    }
    for (const es::LayerTime& l : mean) result["layers"].push_back({{"name", l.name}, {"op", l.op}, {"ms", l.milliseconds}});
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_args(argc, argv);
  auto result = args.ok() ? measure(*args) : es::Result<nlohmann::json>(args.status());
  if (!result.ok()) {
    fmt::print(stderr, "es_cpu_latency: error: {}\n", result.status().message());
    return 2;
  }
  fmt::print("{}\n", result->dump(2));
  return 0;
}
