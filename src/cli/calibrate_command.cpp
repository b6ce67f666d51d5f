// `edgescope calibrate BENCH.json... --target T -o NEW.json`: fits the target's efficiency parameters to
// per-layer profiles measured with `edgescope bench MODEL --profile-layers N --json BENCH.json` and writes a
// new target file, so `simulate` predicts other models on that machine (sim/calibrate.h has the method).
#include "cli/command.h"
#include "cli/model_options.h"
#include "cli/sim_cli.h"
#include "placement/target.h"
#include "sim/calibrate.h"
#include "sim/repeated_profiles.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace es::cli {
namespace {

namespace fs = std::filesystem;

struct CalibrateCliOptions {
  std::vector<std::string> profiles;
  std::string target;
  std::string output;
  std::string name;
  std::vector<std::string> fit;
};

std::string option_of(const nlohmann::json& options, const char* key, const std::string& fallback) {
  return options.contains(key) && options[key].is_string() ? options[key].get<std::string>() : fallback;
}

Result<int64_t> integer_option(const std::string& path, const std::string& key, const std::string& text) {
  try {
    size_t used = 0;
    int64_t v = std::stoll(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return error(StatusCode::invalid_argument, "{}: options.{} '{}' is not an integer", path, key, text);
}

// A bench JSON (report/bench_report.h to_json) and the model it names, loaded as the bench loaded it.
Result<sim::MeasuredProfile> read_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error(StatusCode::not_found, "{}: cannot be opened", path);
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return error(StatusCode::invalid_argument, "{}: not a JSON object", path);
  if (!doc.contains("options") || !doc["options"].is_object() || !doc.contains("provenance") ||
      !doc.contains("layers") || !doc["layers"].is_array())
    return error(StatusCode::invalid_argument, "{}: not a bench result (expected options, provenance and layers; "
                 "write one with `edgescope bench MODEL --profile-layers N --json FILE`)", path);
  if (doc["provenance"].value("simulated", false))
    return error(StatusCode::invalid_argument, "{}: a simulated result; calibrate needs a measured one", path);
  const nlohmann::json& options = doc["options"];
  sim::MeasuredProfile p;
  p.source = path;
  p.model = option_of(options, "model", doc["provenance"].value("model", std::string()));
  if (p.model.empty()) return error(StatusCode::invalid_argument, "{}: names no model", path);
  // A relative model path is as the bench saw it: from its working directory, else beside the JSON.
  fs::path model = p.model;
  if (model.is_relative() && !fs::exists(model) && fs::exists(fs::path(path).parent_path() / model))
    model = fs::path(path).parent_path() / model;
  if (!fs::exists(model))
    return error(StatusCode::not_found, "{}: its model '{}' is not found (run calibrate where the bench ran)", path, p.model);
  p.plan.device = option_of(options, "device", "cpu");
  if (!sim::is_native_device(p.plan.device))
    return error(StatusCode::invalid_argument, "{}: device '{}' is not one edgescope's bench measures (cpu, cuda)", path,
                 p.plan.device);
  ES_ASSIGN_OR_RETURN(p.plan.precision, sim::parse_precision(option_of(options, "precision", "fp32")));
  ES_ASSIGN_OR_RETURN(int64_t threads, integer_option(path, "threads", option_of(options, "threads", "0")));
  ES_ASSIGN_OR_RETURN(int64_t batch, integer_option(path, "batch", option_of(options, "batch", "0")));
  p.plan.threads = static_cast<int>(threads);
  p.plan.cuda_graph = option_of(options, "cuda_graph", "false") == "true";
  // Profiles from before bench's --host-memory staged every copy.
  p.plan.pinned_host = option_of(options, "host_memory", "pageable") == "pinned";
  p.layers_in_graph = option_of(options, "layer_timing", "host") == "graph";
  ModelCliOptions model_options;
  model_options.model_path = model.string();
  model_options.passes = option_of(options, "passes", "default");
  std::istringstream shapes(option_of(options, "shape", ""));  // bench's --shape options, space-separated
  for (std::string shape; shapes >> shape;) model_options.shapes.push_back(shape);
  ES_ASSIGN_OR_RETURN(p.graph, load_for_device(model_options, batch, p.plan.device));
  for (const nlohmann::json& l : doc["layers"]) {
    if (!l.is_object() || !l.contains("name") || !l.contains("median_ms"))
      return error(StatusCode::invalid_argument, "{}: a layer without name or median_ms", path);
    bench::LayerProfile layer;
    layer.name = l["name"].get<std::string>();
    layer.op = l.value("op", std::string());
    layer.median_ms = l["median_ms"].get<double>();
    layer.implementation = l.value("implementation", std::string());
    p.layers.push_back(std::move(layer));
  }
  if (doc.contains("summary") && doc["summary"].contains("latency_ms"))
    p.latency_ms = doc["summary"]["latency_ms"].value("median", 0.0);
  // The kernels are fitted to the compute where it was measured apart, on the CPU as on a GPU: the copies of a
  // large input and output are most of a CPU latency (docs/validation/cpu-sweep: 64 MB maps, 4-25 ms of copies
  // around 1-6 ms of compute), and no CPU parameter is fitted to them.
  if (doc.contains("summary") && doc["summary"].contains("compute_ms"))
    p.compute_ms = doc["summary"]["compute_ms"].value("median", 0.0);
  return p;
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s;
}

Status run_calibrate(const CalibrateCliOptions& o) {
  ES_ASSIGN_OR_RETURN(placement::Target target, placement::find_target(o.target));
  ES_ASSIGN_OR_RETURN(sim::TargetModel model, sim::target_model(target));
  std::vector<sim::MeasuredProfile> profiles;
  std::vector<std::string> sources;
  for (const std::string& path : o.profiles) {
    ES_ASSIGN_OR_RETURN(sim::MeasuredProfile p, read_profile(path));
    if (!profiles.empty() && (p.plan.device == "cpu") != (profiles[0].plan.device == "cpu"))
      return error(StatusCode::invalid_argument, "{}: measured on {}, {} on {}: calibrate one device at a time", path,
                   p.plan.device, profiles[0].source, profiles[0].plan.device);
    sources.push_back(fs::path(path).filename().string());
    profiles.push_back(std::move(p));
  }
  const size_t files = profiles.size();
  profiles = sim::merge_repeated_profiles(std::move(profiles));
  const bool pinned = std::any_of(profiles.begin(), profiles.end(), [](const sim::MeasuredProfile& p) {
    return p.plan.device != "cpu" && p.plan.pinned_host;
  });
  std::vector<std::string> keys = o.fit.empty() ? sim::default_fit_keys(profiles.at(0).plan.device, pinned) : o.fit;
  ES_ASSIGN_OR_RETURN(sim::Calibration c, sim::calibrate(target, model, profiles, keys));

  int matched = 0;
  for (const sim::ProfileError& e : c.profiles) matched += e.matched;
  fmt::print("=== calibrating {} on {} profile(s) of {} case(s), {} layers matched ===\n", target.name, files,
             profiles.size(), matched);
  fmt::print("{:<28} {:>12} {:>12}\n", "parameter", "before", "after");
  std::vector<std::pair<std::string, std::pair<double, std::string>>> values;
  for (const sim::FittedParameter& p : c.parameters) {
    fmt::print("{:<28} {:>12.5g} {:>12.5g}{}\n", p.key, p.before, p.after,
               !p.constrained    ? "  (no measured layer depends on it: unchanged)"
               : p.at_range_edge ? "  (at the edge of its range: its layers are bound by another parameter)"
                                 : "");
    if (!p.constrained) continue;
    values.push_back({p.key, {p.after, fmt::format("calibrated by `edgescope calibrate` from {} ({} layers); was {:g}",
                                                   join(sources), matched, p.before)}});
  }
  fmt::print("--- per profile: sum of matched layers (median ms) and per-layer RMS of ln(predicted/measured) ---\n");
  fmt::print("{:<36} {:>7} {:>10} {:>10} {:>10} {:>8} {:>8}\n", "profile", "layers", "measured", "before", "after",
             "rms bef", "rms aft");
  for (const sim::ProfileError& e : c.profiles)
    fmt::print("{:<36} {:>3}/{:<3} {:>10.4f} {:>10.4f} {:>10.4f} {:>8.3f} {:>8.3f}\n", e.source, e.matched, e.measured,
               e.layer_sum_measured_ms, e.layer_sum_before_ms, e.layer_sum_after_ms, e.rms_log_before, e.rms_log_after);
  std::string name = o.name.empty() ? target.name + "-calibrated" : o.name;
  std::string description = fmt::format("{} calibrated on {}", target.description.empty() ? target.name : target.description,
                                        join(sources));
  ES_TRY(write_text(o.output, sim::target_file_json(target, name, description, values), "-o"));
  fmt::print("wrote {} (target '{}')\n", o.output, name);
  return {};
}

}  // namespace

Command add_calibrate_command(CLI::App& app) {
  auto o = std::make_shared<CalibrateCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Fit a target's efficiency parameters to measured per-layer bench JSON; write a new target file");
  cmd->add_option("profiles", o->profiles,
                  "Bench results with per-layer profiles (bench --profile-layers N --json F); repeats of one case "
                  "(same model, device, precision, shapes) count once, each layer at its fastest median")
      ->required();
  cmd->add_option("--target", o->target, "The target to start from (built-in name or target file)")->required();
  cmd->add_option("-o,--output", o->output, "Where to write the calibrated target file")->required();
  cmd->add_option("--name", o->name, "Name of the new target (default: TARGET-calibrated)");
  cmd->add_option("--fit", o->fit,
                  fmt::format("Parameters to fit (default for cpu profiles: {}; for cuda ones: {})",
                              join(sim::default_fit_keys("cpu")), join(sim::default_fit_keys("cuda"))))
      ->delimiter(',');
  cmd->footer(
      "Examples:\n"
      "  edgescope bench resnet50.onnx --device cpu --threads 1 --profile-layers 20 --json rn50.json\n"
      "  edgescope calibrate rn50.json --target epyc-zen5-2c -o my-cpu.json\n"
      "  edgescope simulate mobilenetv2.onnx --target my-cpu.json --device cpu --precision fp32 --threads 1");
  return {cmd, [o] { return run_calibrate(*o); }};
}

}  // namespace es::cli
