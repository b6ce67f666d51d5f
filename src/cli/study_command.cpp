// `edgescope study`: the whole study in one command, into one folder. For each of the study's two models (the
// zoo's MobileNetV2 and ResNet50 v1, written as ONNX files the way the ONNX Model Zoo ships them):
//   1. Table 1: where TensorRT 8.5 puts every layer on the target's DLA (fp16, GPU fallback allowed);
//   2. bench on this machine's devices (cpu; cuda when there is one), the study's serial loop with a
//      per-layer profile: JSON files that `edgescope calibrate` reads;
//   3. Figure 3-5 for the target: the GPU and DLA runs simulated side by side.
// summary.md and study.json index everything written.
#include "base/build_info.h"
#include "base/progress.h"
#include "base/sha256.h"
#include "bench/random_inputs.h"
#include "bench/result.h"
#include "cli/command.h"
#include "cli/sim_cli.h"
#include "onnx/onnx_export.h"
#include "placement/placement.h"
#include "placement/placement_print.h"
#include "report/bench_report.h"
#include "runtime/compile.h"
#include "runtime/provenance.h"
#include "sim/compare.h"
#include "zoo/zoo.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

namespace es::cli {
namespace {

namespace fs = std::filesystem;

struct StudyCliOptions {
  std::string target = "orin-agx-32gb";
  std::string output = "edgescope-study";
  std::vector<std::string> models = {"mobilenetv2-12", "resnet50-v1-12"};
  int64_t iterations = 20;
  int64_t profile_layers = 3;
  int64_t sim_iterations = 1000;
  int threads = 0;
};

// The study's published figures (../shared/docs/study.md, Table 1 and Figure 3), shown beside ours.
struct Published {
  std::string_view model;
  int layers, fallback;
  double gpu_ms, dla_ms;
  std::string_view ratio;  // as the study rounds it
};
constexpr Published kPublished[] = {{"mobilenetv2-12", 104, 10, 14.90, 76.12, "5.1x"},
                                    {"resnet50-v1-12", 179, 10, 44.34, 95.44, "2.1x"}};

const Published* published(std::string_view model) {
  for (const Published& p : kPublished)
    if (p.model == model) return &p;
  return nullptr;
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// The study's serial loop on a local device, with a per-layer profile, in the results model of `bench`
// (same options keys, so `edgescope calibrate` reads the file).
Result<bench::Result> measure(const Graph& graph, const std::string& model_path, const std::string& device,
                              const StudyCliOptions& o) {
  bench::Result r;
  r.mode = "study";
  r.scenario = "single-stream";
  auto t = std::chrono::steady_clock::now();
  CompileOptions compile_options;
  compile_options.device = device;
  compile_options.threads = o.threads;
  ES_ASSIGN_OR_RETURN(std::unique_ptr<Executable> exe, compile(graph, compile_options));
  r.setup.push_back({"compile + allocate", ms_since(t)});
  bench::InputFeed feed;
  feed.sets.push_back(bench::random_inputs(graph, 0));
  std::vector<std::vector<Tensor>> outputs(1);
  for (ValueId id : graph.outputs) outputs[0].emplace_back(graph.value(id).dtype, graph.value(id).shape);
  bench::Options h;
  h.iterations = o.iterations;
  h.warmup_iterations = std::min<int64_t>(10, o.iterations);
  Executable* raw = exe.get();
  ProgressLine progress(fmt::format("bench {} on {}", model_path, device));
  ES_ASSIGN_OR_RETURN(r.run, bench::run(std::span<Executable* const>(&raw, 1), outputs, feed, h,
                                        [&](int64_t done, int64_t total, double s) { progress.update(done, total, s); }));
  progress.finish();
  r.batch = graph.value(graph.inputs.at(0)).shape.empty() ? 1 : graph.value(graph.inputs[0]).shape[0];
  r.summary = bench::summarize_run(r.run, r.batch);
  r.warnings = bench::warnings_for(r.summary);
  ES_ASSIGN_OR_RETURN(r.layers, bench::profile_layers(*exe, o.profile_layers));
  r.profile_iterations = o.profile_layers;
  auto& p = r.provenance;
  p.tool_version = build_info().version;
  p.git_commit = build_info().git_commit;
  p.build_type = build_info().build_type;
  p.libraries = library_versions();
  p.device = exe->device_name();
  p.host = host_description();
  p.model_path = model_path;
  ES_ASSIGN_OR_RETURN(p.model_sha256, sha256_file(model_path));
  p.date = utc_now_iso8601();
  r.options = {{"model", model_path},       {"device", device},         {"batch", "0"},
               {"threads", std::to_string(o.threads)}, {"precision", "fp32"}, {"mode", "study"},
               {"scenario", "single-stream"}, {"iterations", std::to_string(o.iterations)},
               {"passes", "default"},      {"profile_layers", std::to_string(o.profile_layers)}};
  return r;
}

struct ModelOutcome {
  std::string name;
  placement::PlacementReport placement;
  sim::Comparison comparison;
  std::vector<bench::Result> measured;
  std::vector<std::string> skipped;  // local devices not measured, with the reason
  nlohmann::json files = nlohmann::json::object();
};

Status write_file(const fs::path& path, const std::string& text, nlohmann::json& index, const std::string& key,
                  const fs::path& root) {
  ES_TRY(write_text(path.string(), text, "-o"));
  index[key] = fs::relative(path, root).string();
  return {};
}

Result<ModelOutcome> study_model(const zoo::ZooModel& zoo_model, const placement::Target& target,
                                 const StudyCliOptions& o, const fs::path& root) {
  ModelOutcome m;
  m.name = std::string(zoo_model.name);
  const fs::path dir = root / m.name;
  fs::create_directories(dir);
  // The model file as the ONNX Model Zoo ships it: symbolic batch, the original opset.
  const fs::path model_path = dir / (m.name + ".onnx");
  onnx_io::ExportOptions export_options;
  export_options.opset = zoo_model.opset;
  export_options.symbolic_batch_name = std::string(zoo_model.symbolic_batch);
  ES_TRY(onnx_io::export_file(zoo_model.build({0, 1}), model_path.string(), export_options));
  m.files["model"] = fs::relative(model_path, root).string();
  ModelCliOptions model_options;
  model_options.model_path = model_path.string();
  model_options.passes = "auto";

  // 1. Table 1.
  ES_ASSIGN_OR_RETURN(Graph imported, load_for_device(model_options, 0, "dla0"));
  placement::PlacementOptions po;
  po.allow_gpu_fallback = true;
  po.dynamic_batch = true;
  ES_ASSIGN_OR_RETURN(m.placement, placement::analyze_placement(imported, target, po));
  for (const char* format : {"md", "json"}) {
    ES_ASSIGN_OR_RETURN(std::string text, placement::render_placement(m.placement, format));
    ES_TRY(write_file(dir / fmt::format("placement.{}", format), text, m.files, fmt::format("placement_{}", format), root));
  }

  // 2. Measured on this machine.
  ES_ASSIGN_OR_RETURN(Graph optimised, load_for_device(model_options, 0, "cpu"));
  for (const char* device : {"cpu", "cuda"}) {
    Result<bench::Result> r = measure(optimised, model_path.string(), device, o);
    if (!r.ok()) {
      if (std::string_view(device) == "cpu") return r.status().with_context("bench on cpu");
      m.skipped.push_back(fmt::format("{}: {}", device, r.status().message()));
      continue;
    }
    ES_TRY(write_file(dir / fmt::format("bench-{}.json", device), report::to_json(*r), m.files,
                      fmt::format("bench_{}", device), root));
    m.measured.push_back(std::move(r.value()));
  }

  // 3. Predicted for the target.
  sim::CompareOptions co;
  co.sim.plan.symbolic_batch = true;
  co.sim.iterations = o.sim_iterations;
  ES_ASSIGN_OR_RETURN(m.comparison, sim::compare(imported, target, co));
  ES_TRY(write_file(dir / "compare.txt", comparison_table(m.comparison, model_path.string()), m.files, "compare_txt", root));
  ES_TRY(write_file(dir / "compare.json", comparison_json(m.comparison, model_path.string()).dump(2) + "\n", m.files,
                    "compare_json", root));
  report::ChromeTrace trace;
  add_simulation_trace(trace, m.comparison.gpu, "GPU run: ");
  add_simulation_trace(trace, m.comparison.dla, "DLA run: ");
  ES_TRY(write_file(dir / "compare.trace.json", trace.to_json({{"model", m.name}, {"target", target.name}}), m.files,
                    "compare_trace", root));
  return m;
}

std::string summary_markdown(const std::vector<ModelOutcome>& models, const placement::Target& target,
                             const StudyCliOptions& o) {
  std::string md = fmt::format("# edgescope study: GPU vs DLA on {}\n\n", target.name);
  md += fmt::format("Written by `edgescope study --target {} -o {} --iterations {}` (edgescope {} {}), {}, on {}.\n"
                    "Models: the zoo's topologies with seeded random weights, exported as the ONNX Model Zoo ships "
                    "them (symbolic batch). Published figures are the study's (Table 1, Figure 3).\n\n",
                    target.name, o.output, o.iterations, build_info().version, build_info().git_commit, utc_now_iso8601(), host_description());
  md += "## Table 1: layers TensorRT 8.5 puts on the DLA (dla0, fp16, GPU fallback allowed)\n\n";
  md += "| model | network layers | on the DLA | falling back | fallback types | study: layers / falling back | "
        "engine: DLA loadables / boundaries |\n|---|---:|---:|---:|---|---|---|\n";
  for (const ModelOutcome& m : models) {
    std::string types;
    for (const auto& [type, count] : m.placement.by_type)
      if (count.gpu > 0) types += fmt::format("{}{} {}", types.empty() ? "" : ", ", type, count.gpu);
    const Published* p = published(m.name);
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} / {} |\n", m.name, m.placement.network_layers,
                      m.placement.network_dla, m.placement.network_gpu, types,
                      p ? fmt::format("{} / {}", p->layers, p->fallback) : "-", m.placement.engine.dla_loadables(),
                      m.placement.engine.boundaries.size());
  }
  md += fmt::format("\n## Figure 3: time per inference on {}, fp16, copies included (simulated, {} iterations)\n\n",
                    target.name, o.sim_iterations);
  md += "| model | GPU ms | DLA ms | DLA/GPU | study: GPU / DLA ms (ratio) |\n|---|---:|---:|---:|---|\n";
  for (const ModelOutcome& m : models) {
    const Published* p = published(m.name);
    md += fmt::format("| {} | {:.3f} | {:.3f} | {:.2f}x | {} |\n", m.name, m.comparison.gpu.result.summary.latency.mean,
                      m.comparison.dla.result.summary.latency.mean, m.comparison.ratio,
                      p ? fmt::format("{:.2f} / {:.2f} ({})", p->gpu_ms, p->dla_ms, p->ratio) : "-");
  }
  md += "\n## Figures 4-5: where one inference's time goes (simulated, ms)\n\n| model | run |";
  const auto& parts = models.front().comparison.gpu_breakdown.parts;
  for (const auto& part : parts) md += fmt::format(" {} |", part.name);
  md += " total |\n|---|---|";
  for (size_t i = 0; i <= parts.size(); ++i) md += "---:|";
  md += "\n";
  for (const ModelOutcome& m : models)
    for (const auto* b : {&m.comparison.gpu_breakdown, &m.comparison.dla_breakdown}) {
      md += fmt::format("| {} | {} |", m.name, b == &m.comparison.gpu_breakdown ? "GPU" : "DLA");
      for (const auto& part : b->parts) md += part.count ? fmt::format(" {:.3f} ({}) |", part.ms, part.count) : " - |";
      md += fmt::format(" {:.3f} |\n", b->total_ms);
    }
  md += fmt::format("\n## Measured on this machine ({}): the study's serial loop, {} iterations, fp32\n\n",
                    host_description(), o.iterations);
  md += "| model | device | median ms | p90 ms | min ms | layers profiled | sum of layer medians ms |\n"
        "|---|---|---:|---:|---:|---:|---:|\n";
  for (const ModelOutcome& m : models) {
    for (const bench::Result& r : m.measured) {
      double layers = 0;
      for (const auto& l : r.layers) layers += l.median_ms;
      md += fmt::format("| {} | {} | {:.3f} | {:.3f} | {:.3f} | {} | {:.3f} |\n", m.name, r.provenance.device,
                        r.summary.latency.median, r.summary.latency.p90, r.summary.latency.min, r.layers.size(), layers);
    }
    for (const std::string& s : m.skipped) md += fmt::format("| {} | not measured: {} | | | | | |\n", m.name, s);
  }
  md += "\n## Files\n\n";
  for (const ModelOutcome& m : models)
    for (const auto& [key, path] : m.files.items()) md += fmt::format("- `{}`: {} {}\n", path.get<std::string>(), m.name, key);
  md += "- `study.json`: every number above, machine-readable\n";
  return md;
}

nlohmann::json study_json(const std::vector<ModelOutcome>& models, const placement::Target& target) {
  nlohmann::json j = {{"target", target.name}, {"tool_version", build_info().version}, {"git_commit", build_info().git_commit},
                      {"date", utc_now_iso8601()}, {"host", host_description()}, {"models", nlohmann::json::array()}};
  for (const ModelOutcome& m : models) {
    nlohmann::json measured = nlohmann::json::array();
    for (const bench::Result& r : m.measured)
      measured.push_back({{"device", r.provenance.device},
                          {"latency_median_ms", r.summary.latency.median},
                          {"latency_min_ms", r.summary.latency.min}});
    j["models"].push_back({{"name", m.name},
                           {"table1", {{"network_layers", m.placement.network_layers},
                                       {"on_dla", m.placement.network_dla},
                                       {"falling_back", m.placement.network_gpu}}},
                           {"compare", comparison_json(m.comparison, m.name)},
                           {"measured", measured},
                           {"not_measured", m.skipped},
                           {"files", m.files}});
  }
  return j;
}

Status run_study(const StudyCliOptions& o) {
  if (o.iterations < 1) return error(StatusCode::invalid_argument, "--iterations must be at least 1");
  if (o.profile_layers < 1) return error(StatusCode::invalid_argument, "--profile-layers must be at least 1");
  ES_ASSIGN_OR_RETURN(placement::Target target, placement::find_target(o.target));
  if (target.dla_cores == 0)
    return error(StatusCode::invalid_argument, "--target {}: the study compares a GPU with a DLA; this target has no DLA",
                 target.name);
  std::vector<const zoo::ZooModel*> zoo_models;
  for (const std::string& name : o.models) {
    const zoo::ZooModel* z = zoo::find_zoo_model(name);
    if (!z) return error(StatusCode::not_found, "--models: unknown zoo model '{}' (see `edgescope zoo --list`)", name);
    zoo_models.push_back(z);
  }
  std::error_code ec;
  fs::create_directories(o.output, ec);
  if (ec) return error(StatusCode::invalid_argument, "-o {}: cannot create the folder ({})", o.output, ec.message());
  std::vector<ModelOutcome> outcomes;
  for (const zoo::ZooModel* z : zoo_models) {
    ES_ASSIGN_OR_RETURN(ModelOutcome m, study_model(*z, target, o, o.output));
    fmt::print("{}: Table 1 {} layers, {} falling back; predicted GPU {:.3f} ms, DLA {:.3f} ms ({:.2f}x)\n", m.name,
               m.placement.network_layers, m.placement.network_gpu, m.comparison.gpu.result.summary.latency.mean,
               m.comparison.dla.result.summary.latency.mean, m.comparison.ratio);
    outcomes.push_back(std::move(m));
  }
  const fs::path root = o.output;
  ES_TRY(write_text((root / "summary.md").string(), summary_markdown(outcomes, target, o), "-o"));
  ES_TRY(write_text((root / "study.json").string(), study_json(outcomes, target).dump(2) + "\n", "-o"));
  fmt::print("wrote {} (summary.md, study.json and one folder per model)\n", o.output);
  return {};
}

}  // namespace

Command add_study_command(CLI::App& app) {
  auto o = std::make_shared<StudyCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "study", "The whole study in one folder: Table 1 (placement), bench on this machine, GPU vs DLA predicted for the target");
  cmd->add_option("--target", o->target, "Target with a DLA (built-in name or file)")->capture_default_str();
  cmd->add_option("-o,--output", o->output, "Folder to write (created; files in it are replaced)")->capture_default_str();
  cmd->add_option("--models", o->models, "Zoo models to study")->delimiter(',')->capture_default_str();
  cmd->add_option("--iterations", o->iterations,
                  "Timed iterations of each local bench (the study used 1000; the default is quick)")
      ->capture_default_str();
  cmd->add_option("--profile-layers", o->profile_layers, "Separate per-layer profiling runs of each local bench")
      ->capture_default_str();
  cmd->add_option("--sim-iterations", o->sim_iterations, "Simulated inferences of each target run")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads of the local bench (0 = all cores)")->capture_default_str();
  cmd->footer(
      "Examples:\n"
      "  edgescope study -o study/                       # quick: 20 timed iterations per local device\n"
      "  edgescope study --target orin-agx-64gb --iterations 1000 -o study-64gb/");
  return {cmd, [o] { return run_study(*o); }};
}

}  // namespace es::cli
