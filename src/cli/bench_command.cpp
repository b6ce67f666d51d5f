// `edgescope bench MODEL`: measure inference like the study did (copy in, infer, copy out, synchronise,
// 1,000 times) or like trtexec, with phase breakdowns, percentiles, a per-layer profile and a timeline.
#include "base/build_info.h"
#include "base/progress.h"
#include "base/sha256.h"
#include "bench/random_inputs.h"
#include "bench/result.h"
#include "cli/command.h"
#include "cli/host_memory_option.h"
#include "cli/image_options.h"
#include "cli/model_options.h"
#include "cli/plan_options.h"
#include "onnx/tensor_file.h"
#include "report/bench_report.h"
#include "runtime/classify.h"
#include "runtime/compile.h"
#include "runtime/image_dataset.h"
#include "runtime/provenance.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace es::cli {
namespace {

struct BenchCliOptions {
  ModelCliOptions model;
  std::string device = "cpu";
  int64_t batch = 0;
  int threads = 0;
  std::string precision = "fp32";
  bool cuda_graph = false;
  std::string host_memory = "pinned";
  PlanCliOptions plan;
  std::string mode = "study";
  std::string scenario = "single-stream";
  int streams = 2;
  int64_t iterations = -1;  // -1: the mode's default
  int64_t warmup_iterations = 10;
  double warmup_ms = 200;
  double duration_s = 3;
  uint64_t seed = 0;
  std::vector<std::string> input_files;
  std::string images_dir;
  std::string labels_path;
  ImageCliOptions image;
  int64_t profile_layers = 0;
  std::string json_path, csv_path, trace_path, times_path, profile_path;
};

// Defaults of each method: the study's 1,000 serial runs; trtexec's 10 iterations and 3 s.
constexpr int64_t study_iterations = 1000;
constexpr int64_t trtexec_iterations = 10;

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

Result<bench::Options> harness_options(const BenchCliOptions& o) {
  bench::Options h;
  if (o.mode == "study") h.mode = bench::Mode::study;
  else if (o.mode == "trtexec") h.mode = bench::Mode::trtexec;
  else return error(StatusCode::invalid_argument, "--mode '{}': expected study or trtexec", o.mode);
  if (o.scenario == "single-stream") h.scenario = bench::Scenario::single_stream;
  else if (o.scenario == "offline") h.scenario = bench::Scenario::offline;
  else if (o.scenario == "multi-stream") h.scenario = bench::Scenario::multi_stream;
  else return error(StatusCode::invalid_argument, "--scenario '{}': expected single-stream, offline or multi-stream", o.scenario);
  h.iterations = o.iterations >= 0 ? o.iterations : h.mode == bench::Mode::study ? study_iterations : trtexec_iterations;
  if (h.iterations < 1) return error(StatusCode::invalid_argument, "--iterations must be at least 1");
  h.warmup_iterations = o.warmup_iterations;
  h.warmup_ms = o.warmup_ms;
  h.duration_s = o.duration_s;
  h.streams = h.scenario == bench::Scenario::multi_stream ? o.streams : 1;
  if (h.streams < 1) return error(StatusCode::invalid_argument, "--streams must be at least 1");
  return h;
}

// Inputs: the given .pb files by input name, random tensors for the rest; with --images, one input set
// per batch of photos (decoded and preprocessed now, before timing), fed to the model's first input.
struct BenchInputs {
  bench::InputFeed feed;
  std::vector<DatasetImage> images;  // with --images, in feeding order
};

Result<BenchInputs> make_inputs(const Graph& graph, const BenchCliOptions& o) {
  std::vector<Tensor> set = bench::random_inputs(graph, o.seed);
  for (const std::string& binding : o.input_files) {
    size_t eq = binding.find('=');
    if (eq == std::string::npos)
      return error(StatusCode::invalid_argument, "--input '{}': expected NAME=FILE.pb", binding);
    std::string name = binding.substr(0, eq), path = binding.substr(eq + 1);
    size_t index = 0;
    while (index < graph.inputs.size() && graph.value(graph.inputs[index]).name != name) ++index;
    if (index == graph.inputs.size())
      return error(StatusCode::invalid_argument, "--input '{}': the model has no input '{}'", binding, name);
    ES_ASSIGN_OR_RETURN(auto named, onnx_io::read_tensor_file(path));
    const Value& v = graph.value(graph.inputs[index]);
    if (named.tensor.dtype() != v.dtype || named.tensor.shape() != v.shape)
      return error(StatusCode::invalid_argument, "--input {}: file holds {}[{}], input '{}' is {}[{}]", path,
                   dtype_name(named.tensor.dtype()), shape_str(named.tensor.shape()), name, dtype_name(v.dtype),
                   shape_str(v.shape));
    set[index] = std::move(named.tensor);
  }
  BenchInputs inputs;
  if (o.images_dir.empty()) {
    inputs.feed.sets.push_back(std::move(set));
    return inputs;
  }
  const Value& first = graph.value(graph.inputs.at(0));
  if (first.dtype != DType::f32)
    return error(StatusCode::invalid_argument, "--images: the model's input '{}' is {}, images become float32",
                 first.name, dtype_name(first.dtype));
  ES_ASSIGN_OR_RETURN(ImagePreprocessing preprocessing, to_preprocessing(o.image));
  ES_ASSIGN_OR_RETURN(inputs.images, list_images(o.images_dir));
  if (!o.labels_path.empty()) ES_TRY(attach_labels(o.labels_path, inputs.images));
  ProgressLine progress("decoding images");
  auto start = std::chrono::steady_clock::now();
  ES_ASSIGN_OR_RETURN(std::vector<Tensor> batches,
                      image_batches(inputs.images, preprocessing, first.shape,
                                    [&](int64_t done, int64_t total) { progress.update(done, total, ms_since(start) / 1000); }));
  progress.finish();
  for (Tensor& batch : batches) {
    set[0] = std::move(batch);
    inputs.feed.sets.push_back(set);
  }
  return inputs;
}

// --host-memory pinned: the input sets and the output tensors move into the device's pinned host memory once,
// before timing, so that its copy engine moves them directly (trtexec's own buffers are pinned). Returns the memory
// the run uses: "pinned", or "pageable" where the device has none (the CPU) or it was not asked for.
Result<std::string> place_host_buffers(bool pinned_wanted, Executable& exe, bench::InputFeed& feed,
                                       std::vector<std::vector<Tensor>>& outputs) {
  if (!pinned_wanted) return std::string("pageable");
  std::vector<Tensor*> tensors;
  for (auto& set : feed.sets)
    for (Tensor& t : set) tensors.push_back(&t);
  for (auto& set : outputs)
    for (Tensor& t : set) tensors.push_back(&t);
  for (Tensor* t : tensors) {
    ES_ASSIGN_OR_RETURN(std::optional<Tensor> pinned, exe.pinned_host_tensor(t->dtype(), t->shape()));
    if (!pinned) return std::string("pageable");  // the device has none: the first tensor says so
    std::memcpy(pinned->raw(), t->raw(), t->nbytes());
    *t = std::move(*pinned);
  }
  return std::string("pinned");
}

// Top-1/top-5 of the first output against the labels, once per image (the first time it is fed).
class AccuracyCounter {
 public:
  AccuracyCounter(const std::vector<DatasetImage>& images, int64_t batch)
      : images_(images), batch_(batch), first_class_(images.size(), -1) {}

  Status add(int64_t input_index, const Tensor& output) {
    const int64_t sets = (static_cast<int64_t>(images_.size()) + batch_ - 1) / batch_;
    const int64_t first_image = (input_index % sets) * batch_;
    ES_ASSIGN_OR_RETURN(auto rows, top_k_classes(output, 5));
    for (int64_t row = 0; row < static_cast<int64_t>(rows.size()) && first_image + row < static_cast<int64_t>(images_.size()); ++row) {
      size_t image = static_cast<size_t>(first_image + row);
      const auto& top = rows[static_cast<size_t>(row)];
      if (first_class_[image] >= 0 || top.empty()) continue;
      first_class_[image] = top[0].index;
      ++accuracy_.images;
      if (top[0].index == images_[image].label) ++accuracy_.top1;
      for (const ClassScore& c : top) accuracy_.top5 += c.index == images_[image].label;
    }
    return {};
  }
  bench::Accuracy accuracy() const {
    bench::Accuracy a = accuracy_;
    for (size_t i = 0; i < images_.size(); ++i)
      if (first_class_[i] >= 0)
        a.predictions.push_back({std::filesystem::path(images_[i].path).filename().string(), images_[i].label, first_class_[i]});
    return a;
  }

 private:
  const std::vector<DatasetImage>& images_;
  int64_t batch_;
  std::vector<int64_t> first_class_;  // by image; -1 until the image's output is seen
  bench::Accuracy accuracy_;
};

std::map<std::string, std::string> effective_options(const BenchCliOptions& o, const bench::Options& h) {
  return {{"model", o.model.model_path},   {"device", o.device},
          {"batch", std::to_string(o.batch)}, {"threads", std::to_string(o.threads)},
          {"precision", o.precision},      {"mode", o.mode},
          {"scenario", o.scenario},        {"streams", std::to_string(h.streams)},
          {"iterations", std::to_string(h.iterations)},
          {"warmup_iterations", std::to_string(h.warmup_iterations)},
          {"warmup_ms", fmt::format("{}", h.warmup_ms)}, {"duration_s", fmt::format("{}", h.duration_s)},
          {"seed", std::to_string(o.seed)}, {"passes", o.model.passes},
          {"shape", fmt::format("{}", fmt::join(o.model.shapes, " "))},
          {"profile_layers", std::to_string(o.profile_layers)}, {"images", o.images_dir},
          {"labels", o.labels_path}, {"restrict", o.plan.restriction},
          {"cuda_graph", o.cuda_graph ? "true" : "false"}};
}

Status write_text(const std::string& path, const std::string& text, const char* what) {
  if (path.empty()) return {};
  std::ofstream out(path, std::ios::binary);
  if (!out || !(out << text)) return error(StatusCode::not_found, "{}: cannot write '{}'", what, path);
  return {};
}

Status run_bench(const BenchCliOptions& o) {
  ES_ASSIGN_OR_RETURN(bench::Options h, harness_options(o));
  ES_ASSIGN_OR_RETURN(const bool pinned_wanted, parse_host_memory(o.host_memory));
  if (!o.labels_path.empty() && o.images_dir.empty())
    return error(StatusCode::invalid_argument, "--labels {}: needs --images DIR (the photos the labels are for)", o.labels_path);
  bench::Result result;
  result.mode = o.mode;
  result.scenario = o.scenario;

  auto t = std::chrono::steady_clock::now();
  ES_ASSIGN_OR_RETURN(LoadOptions load, to_load_options(o.model));
  if (o.batch > 0) load.import.batch = o.batch;
  ES_ASSIGN_OR_RETURN(Graph graph, es::load_model(o.model.model_path, load));
  result.setup.push_back({"model load (import + passes)", ms_since(t)});
  result.batch = graph.inputs.empty() || graph.value(graph.inputs[0]).shape.empty()
                     ? 1 : graph.value(graph.inputs[0]).shape[0];

  CompileOptions compile_options;
  compile_options.device = o.device;
  compile_options.threads = o.threads;
  compile_options.precision = o.precision;
  compile_options.cuda_graph = o.cuda_graph;
  ES_TRY(apply_plan_options(o.plan, o.model.model_path, load, graph, compile_options));
  std::vector<std::unique_ptr<Executable>> executables;
  for (int s = 0; s < h.streams; ++s) {
    t = std::chrono::steady_clock::now();
    ES_ASSIGN_OR_RETURN(auto exe, compile(graph, compile_options));
    result.setup.push_back({h.streams > 1 ? fmt::format("compile + allocate (stream {})", s)
                                          : std::string("compile + allocate"), ms_since(t)});
    executables.push_back(std::move(exe));
  }
  ES_ASSIGN_OR_RETURN(BenchInputs inputs, make_inputs(graph, o));
  std::vector<std::vector<Tensor>> outputs(executables.size());
  for (auto& set : outputs)
    for (ValueId id : graph.outputs) set.emplace_back(graph.value(id).dtype, graph.value(id).shape);
  ES_ASSIGN_OR_RETURN(const std::string host_memory, place_host_buffers(pinned_wanted, *executables[0], inputs.feed, outputs));

  auto& p = result.provenance;
  p.tool_version = build_info().version;
  p.git_commit = build_info().git_commit;
  p.build_type = build_info().build_type;
  p.libraries = library_versions();
  p.device = executables[0]->device_name();
  p.host = host_description();
  p.model_path = o.model.model_path;
  ES_ASSIGN_OR_RETURN(p.model_sha256, sha256_file(o.model.model_path));
  p.date = utc_now_iso8601();
  result.options = effective_options(o, h);
  result.options["host_memory"] = host_memory;  // simulate and calibrate price the copies by it

  std::vector<Executable*> raw;
  for (auto& e : executables) raw.push_back(e.get());
  ProgressLine progress("bench " + o.model.model_path);
  std::optional<AccuracyCounter> accuracy;
  Status accuracy_status;
  bench::OutputSink sink;
  if (!o.labels_path.empty()) {
    accuracy.emplace(inputs.images, result.batch);
    sink = [&](int64_t input_index, const std::vector<Tensor>& out) {
      if (accuracy_status.ok()) accuracy_status = accuracy->add(input_index, out[0]);
    };
  }
  ES_ASSIGN_OR_RETURN(result.run, bench::run(raw, outputs, inputs.feed, h,
                                             [&](int64_t done, int64_t total, double s) { progress.update(done, total, s); },
                                             sink));
  progress.finish();
  if (!accuracy_status.ok()) return accuracy_status.with_context("--labels: reading the first output as class scores");
  if (accuracy) {
    result.accuracy = accuracy->accuracy();
    if (result.accuracy->images < static_cast<int64_t>(inputs.images.size()))
      result.warnings.push_back(fmt::format("accuracy covers {} of the {} images: use --iterations {} or more to see them all",
                                            result.accuracy->images, inputs.images.size(),
                                            (static_cast<int64_t>(inputs.images.size()) + result.batch - 1) / result.batch * h.streams));
  }
  result.summary = bench::summarize_run(result.run, result.batch);
  for (std::string& w : bench::warnings_for(result.summary)) result.warnings.push_back(std::move(w));
  if (o.profile_layers > 0) {
    ES_ASSIGN_OR_RETURN(result.layers, bench::profile_layers(*executables[0], o.profile_layers));
    result.profile_iterations = o.profile_layers;
    result.options["layer_timing"] = executables[0]->layer_timing();  // calibrate predicts the layers this way
  }

  fmt::print("{}", report::format_console(result));
  ES_TRY(write_text(o.json_path, report::to_json(result), "--json"));
  ES_TRY(write_text(o.csv_path, report::to_csv(result), "--csv"));
  ES_TRY(write_text(o.times_path, report::to_trtexec_times(result), "--export-times"));
  ES_TRY(write_text(o.profile_path, report::to_trtexec_profile(result), "--export-profile"));
  if (!o.trace_path.empty()) ES_TRY(report::to_trace(result).write(o.trace_path, {{"model", p.model_path}, {"device", p.device}}));
  return {};
}

}  // namespace

Command add_bench_command(CLI::App& app) {
  auto o = std::make_shared<BenchCliOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure inference: phases (H2D, compute, D2H, sync), percentiles, layers, timeline");
  add_model_options(cmd, o->model);
  auto* run_group = "Inference";
  cmd->add_option("--device", o->device, "Device: cpu | cuda[:N]")->capture_default_str()->group(run_group);
  cmd->add_option("--batch", o->batch, "Batch size bound to the inputs' leading dimension")->group(run_group);
  cmd->add_option("--threads", o->threads, "CPU threads (0 = all cores)")->capture_default_str()->group(run_group);
  cmd->add_option("--precision", o->precision, "fp32 | tf32 | fp16 (device permitting)")->capture_default_str()->group(run_group);
  cmd->add_option("--input", o->input_files, "NAME=FILE.pb: feed this tensor (others are seeded random)")->group(run_group);
  cmd->add_flag("--cuda-graph", o->cuda_graph, "cuda: capture the whole compute as a CUDA Graph and replay it")->group(run_group);
  add_host_memory_option(cmd, o->host_memory, run_group);
  add_plan_options(cmd, o->plan, run_group);
  cmd->add_option("--seed", o->seed, "Seed of the random inputs")->capture_default_str()->group(run_group);
  cmd->add_option("--images", o->images_dir,
                  "Feed the photos of DIR (JPEG/PNG/...; decoded and preprocessed before timing, cycled through) to "
                  "the model's first input")->group(run_group);
  cmd->add_option("--labels", o->labels_path,
                  "Ground truth for --images: lines holding a class index and an image file name (e.g. "
                  "'ILSVRC2012_val_00000001.JPEG 65'); reports top-1/top-5 accuracy of the first output")
      ->group(run_group);
  add_image_options(cmd, o->image);
  auto* method = "Method";
  cmd->add_option("--mode", o->mode,
                  "study: serial loop of copy in, infer, copy out, synchronise (--iterations, default 1000); "
                  "trtexec: warm-up by time, run until both --iterations (default 10) and --duration are met")
      ->capture_default_str()->group(method);
  cmd->add_option("--iterations", o->iterations, "Timed iterations (default: 1000 in study mode, 10 in trtexec mode)")->group(method);
  cmd->add_option("--warmup-iterations", o->warmup_iterations, "Untimed iterations first (study mode)")->capture_default_str()->group(method);
  cmd->add_option("--warmup", o->warmup_ms, "Warm-up in ms (trtexec mode)")->capture_default_str()->group(method);
  cmd->add_option("--duration", o->duration_s, "Minimum timed seconds (trtexec mode)")->capture_default_str()->group(method);
  cmd->add_option("--scenario", o->scenario,
                  "MLPerf LoadGen scenario: single-stream | offline (use --batch for throughput) | multi-stream")
      ->capture_default_str()->group(method);
  cmd->add_option("--streams", o->streams, "Concurrent streams in the multi-stream scenario")->capture_default_str()->group(method);
  cmd->add_option("--profile-layers", o->profile_layers,
                  "Time every layer in N separate runs after the benchmark (like trtexec --separateProfileRun)")
      ->group(method);
  auto* out = "Reporting";
  cmd->add_option("--json", o->json_path, "Write the full result (provenance, options, samples) as JSON")->group(out);
  cmd->add_option("--csv", o->csv_path, "Write one CSV row per timed iteration")->group(out);
  cmd->add_option("--trace", o->trace_path, "Write a Chrome trace (open in Perfetto / chrome://tracing)")->group(out);
  cmd->add_option("--export-times", o->times_path, "trtexec-compatible per-iteration times JSON")->group(out);
  cmd->add_option("--export-profile", o->profile_path, "trtexec-compatible per-layer profile JSON (with --profile-layers)")->group(out);
  cmd->footer(
      "Examples:\n"
      "  edgescope bench model.onnx                                  # the study's method: 1,000 timed runs\n"
      "  edgescope bench model.onnx --mode trtexec --duration 10 --profile-layers 20 --trace run.json\n"
      "  edgescope bench model.onnx --scenario multi-stream --streams 2 --json result.json\n"
      "  edgescope bench mobilenetv2.onnx --images photos/ --labels labels.tsv  # accuracy over the photos\n"
      "  edgescope bench mobilenetv2.onnx --device cuda --restrict cuda=dla    # the DLA's fallback on the GPU\n" +
      std::string(image_options_footer));
  return {cmd, [o] { return run_bench(*o); }};
}

}  // namespace es::cli
