// `edgescope run MODEL --input NAME=FILE ...`: one inference on the CPU (or another device), printing the
// outputs' summary, optionally the top-K classes, and writing the outputs as TensorProto files.
#include "base/log.h"
#include "bench/random_inputs.h"
#include "cli/command.h"
#include "cli/image_options.h"
#include "cli/model_options.h"
#include "cli/plan_options.h"
#include "onnx/tensor_file.h"
#include "runtime/classify.h"
#include "runtime/compile.h"
#include "runtime/inputs.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

namespace es::cli {
namespace {

struct RunOptions {
  ModelCliOptions model;
  std::vector<std::string> inputs;  // NAME=FILE
  std::string device = "cpu";
  int threads = 0;
  PlanCliOptions plan;
  uint64_t seed = 0;
  std::string output_dir;
  int64_t top = 0;
  std::string labels;
  ImageCliOptions image;
};

struct InputFile {
  std::string name;
  std::string path;
  Tensor tensor;
};

Result<std::vector<InputFile>> parse_input_specs(const std::vector<std::string>& specs) {
  std::vector<InputFile> files;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      return error(StatusCode::invalid_argument, "--input '{}': expected NAME=FILE", spec);
    files.push_back({spec.substr(0, eq), spec.substr(eq + 1), {}});
  }
  return files;
}

ValueId find_input(const Graph& graph, const std::string& name) {
  for (ValueId id : graph.inputs)
    if (graph.value(id).name == name) return id;
  return kNoValue;
}

std::string input_names(const Graph& graph) {
  std::string names;
  for (ValueId id : graph.inputs) names += (names.empty() ? "" : ", ") + graph.value(id).name;
  return names;
}

// Reads a file given for `input`; raw .bin files take the input's shape as bound by the model.
Result<Tensor> read_input(const InputFile& file, const Value& input, const ImagePreprocessing& preprocessing) {
  switch (input_file_kind(file.path)) {
    case InputFileKind::tensor_proto: {
      ES_ASSIGN_OR_RETURN(onnx_io::NamedTensor named, onnx_io::read_tensor_file(file.path));
      return named.tensor;
    }
    case InputFileKind::raw_f32:
      return read_raw_f32(file.path, input.shape);
    case InputFileKind::image: {
      if (!std::filesystem::exists(file.path))
        return error(StatusCode::not_found, "input '{}': no such file '{}'", file.name, file.path);
      if (!looks_like_image(file.path))
        return error(StatusCode::invalid_argument,
                     "input '{}': '{}' is not a .pb tensor, a .bin raw float32 file or an image (JPEG, PNG, BMP, GIF, PNM)",
                     file.name, file.path);
      ES_ASSIGN_OR_RETURN(Image image, read_image(file.path));
      return image_to_tensor(image, preprocessing, file.path);
    }
  }
  ES_UNREACHABLE();
}

std::string type_str(DType dtype, const Shape& shape) { return fmt::format("{}[{}]", dtype_name(dtype), shape_str(shape)); }

// Loads the model, reads every --input file, and reloads once with the files' shapes bound when a file's
// shape differs from the one the model was bound to without --shape (e.g. a dynamic height/width).
Result<std::pair<Graph, std::vector<Tensor>>> load_with_inputs(const RunOptions& o, const ImagePreprocessing& pre) {
  ES_ASSIGN_OR_RETURN(LoadOptions load, to_load_options(o.model));
  ES_ASSIGN_OR_RETURN(Graph graph, es::load_model(o.model.model_path, load));
  ES_ASSIGN_OR_RETURN(std::vector<InputFile> files, parse_input_specs(o.inputs));
  for (const InputFile& f : files)
    if (find_input(graph, f.name) == kNoValue)
      return error(StatusCode::invalid_argument, "--input {}: the model has no input '{}' (inputs: {})", f.name, f.name,
                   input_names(graph));

  bool rebind = false;
  for (InputFile& f : files) {
    const Value& input = graph.value(find_input(graph, f.name));
    ES_ASSIGN_OR_RETURN(f.tensor, read_input(f, input, pre));
    if (f.tensor.shape() != input.shape && !load.import.input_shapes.count(f.name)) {
      load.import.input_shapes[f.name] = f.tensor.shape();
      rebind = true;
    }
  }
  if (rebind) {
    auto rebound = es::load_model(o.model.model_path, load);
    if (!rebound.ok()) return rebound.status().with_context("binding the model's inputs to the --input files' shapes");
    graph = std::move(rebound).value();
  }

  std::vector<Tensor> tensors = bench::random_inputs(graph, o.seed);
  for (size_t i = 0; i < graph.inputs.size(); ++i) {
    const Value& input = graph.value(graph.inputs[i]);
    auto file = std::find_if(files.begin(), files.end(), [&](const InputFile& f) { return f.name == input.name; });
    if (file == files.end()) {
      log::info("input '{}' {}: seeded random data (seed {}); pass --input {}=FILE for real data", input.name,
                type_str(input.dtype, input.shape), o.seed, input.name);
      continue;
    }
    if (file->tensor.dtype() != input.dtype || file->tensor.shape() != input.shape)
      return error(StatusCode::invalid_argument, "input '{}': '{}' holds {}, the model wants {}", input.name, file->path,
                   type_str(file->tensor.dtype(), file->tensor.shape()), type_str(input.dtype, input.shape));
    tensors[i] = file->tensor;
  }
  return std::pair{std::move(graph), std::move(tensors)};
}

void print_output_summary(const std::string& name, const Tensor& t) {
  std::string stats;
  if (dtype_is_float(t.dtype()) && t.numel() > 0) {
    std::vector<float> v = t.to_float_vector();
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    double sum = 0;
    for (float x : v) sum += x;
    stats = fmt::format("  min {:.6g}  max {:.6g}  mean {:.6g}", *lo, *hi, sum / static_cast<double>(v.size()));
  }
  fmt::print("output {} {}{}\n", name, type_str(t.dtype(), t.shape()), stats);
}

Status print_top_k(const std::string& name, const Tensor& t, int64_t k, const std::string& labels_path) {
  std::vector<std::string> labels;
  if (!labels_path.empty()) {
    ES_ASSIGN_OR_RETURN(labels, read_labels(labels_path));
  }
  ES_ASSIGN_OR_RETURN(auto rows, top_k_classes(t, k));
  int64_t classes = t.numel() / t.dim(0);
  if (!labels.empty() && static_cast<int64_t>(labels.size()) != classes)
    log::warn("{} has {} labels but output '{}' has {} classes", labels_path, labels.size(), name, classes);
  for (size_t r = 0; r < rows.size(); ++r) {
    fmt::print("top-{} of output '{}'{}:\n", k, name, rows.size() > 1 ? fmt::format(" (batch {})", r) : "");
    for (const ClassScore& c : rows[r]) {
      std::string label = c.index < static_cast<int64_t>(labels.size()) ? labels[static_cast<size_t>(c.index)] : "";
      fmt::print("  {:>6}  {:<28} p={:.4f}  score={:.4f}\n", c.index, label, c.probability, c.score);
    }
  }
  return {};
}

// File name for an output: its name with path separators replaced.
std::string output_file_name(std::string name) {
  std::replace_if(name.begin(), name.end(), [](char c) { return c == '/' || c == '\\' || c == ':'; }, '_');
  return name + ".pb";
}

Status run_model(const RunOptions& o) {
  ES_ASSIGN_OR_RETURN(ImagePreprocessing pre, to_preprocessing(o.image));
  if (o.top < 0) return error(StatusCode::invalid_argument, "--top {}: must be positive", o.top);
  if (!o.labels.empty() && o.top == 0) return error(StatusCode::invalid_argument, "--labels needs --top K");
  ES_ASSIGN_OR_RETURN(auto loaded, load_with_inputs(o, pre));
  auto& [graph, inputs] = loaded;

  CompileOptions compile_options;
  compile_options.device = o.device;
  compile_options.threads = o.threads;
  ES_ASSIGN_OR_RETURN(LoadOptions load, to_load_options(o.model));
  ES_TRY(apply_plan_options(o.plan, o.model.model_path, load, graph, compile_options));
  ES_ASSIGN_OR_RETURN(std::unique_ptr<Executable> exe, compile(graph, compile_options));
  std::vector<Tensor> outputs;
  for (ValueId id : graph.outputs) outputs.emplace_back(graph.value(id).dtype, graph.value(id).shape);

  auto start = std::chrono::steady_clock::now();
  ES_TRY(exe->copy_inputs(inputs));
  ES_TRY(exe->execute());
  ES_TRY(exe->copy_outputs(outputs));
  ES_TRY(exe->synchronize());
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  log::info("ran {} on {} in {:.2f} ms (one run, first-run effects included; use bench to measure)",
            o.model.model_path, exe->device_name(), ms);

  for (size_t i = 0; i < outputs.size(); ++i) print_output_summary(graph.value(graph.outputs[i]).name, outputs[i]);
  if (o.top > 0) ES_TRY(print_top_k(graph.value(graph.outputs[0]).name, outputs[0], o.top, o.labels));
  if (!o.output_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.output_dir, ec);
    if (ec) return error(StatusCode::invalid_argument, "--output {}: {}", o.output_dir, ec.message());
    for (size_t i = 0; i < outputs.size(); ++i) {
      const std::string& name = graph.value(graph.outputs[i]).name;
      std::string path = (std::filesystem::path(o.output_dir) / output_file_name(name)).string();
      ES_TRY(onnx_io::write_tensor_file(path, name, outputs[i]));
      log::info("wrote {}", path);
    }
  }
  return {};
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a model once on given (or seeded random) inputs");
  add_model_options(cmd, o->model);
  cmd->add_option("-i,--input", o->inputs,
                  "NAME=FILE (repeatable): an ONNX TensorProto .pb, raw little-endian float32 .bin (the input's "
                  "shape), or an image (JPEG/PNG/...) preprocessed as below. Inputs not given get seeded random data");
  cmd->add_option("--device", o->device, "cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0 = all cores)")->capture_default_str();
  add_plan_options(cmd, o->plan, "Heterogeneous plans (cuda)");
  cmd->add_option("--seed", o->seed, "Seed of random inputs")->capture_default_str();
  cmd->add_option("--output", o->output_dir, "Write every graph output to DIR/<output name>.pb");
  cmd->add_option("--top", o->top, "Print the top-K classes of the first output (softmax probabilities)");
  cmd->add_option("--labels", o->labels, "Class names for --top, one per line");
  add_image_options(cmd, o->image);
  cmd->footer(std::string(image_options_footer) +
      "Examples:\n"
      "  edgescope run mobilenetv2.onnx --input input=cat.png --top 5 --labels imagenet_classes.txt\n"
      "  edgescope run face.onnx -i input=face.jpg --resize 320x240 --crop none --scale raw --mean 127 --std 128\n"
      "  edgescope run model.onnx --input x=x.pb --output out/");
  return {cmd, [o] { return run_model(*o); }};
}

}  // namespace es::cli
