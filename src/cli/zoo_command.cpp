// `edgescope zoo NAME -o FILE.onnx`: writes a built-in model (a real topology with seeded random weights).
#include "cli/command.h"
#include "onnx/onnx_export.h"
#include "zoo/zoo.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace es::cli {
namespace {

struct ZooCliOptions {
  std::string name;
  std::string output;
  uint64_t seed = 0;
  int64_t batch = 0;  // 0: symbolic, as in the original file
  bool list = false;
};

std::string model_list() {
  std::string text;
  for (const zoo::ZooModel& m : zoo::zoo_models()) text += fmt::format("  {:<16} {}\n", m.name, m.description);
  return text;
}

std::string model_names() {
  std::string names;
  for (const zoo::ZooModel& m : zoo::zoo_models()) names += (names.empty() ? "" : ", ") + std::string(m.name);
  return names;
}

Status run_zoo(const ZooCliOptions& options) {
  if (options.list || options.name.empty()) {
    fmt::print("{}", model_list());
    return {};
  }
  const zoo::ZooModel* model = zoo::find_zoo_model(options.name);
  if (model == nullptr)
    return error(StatusCode::not_found, "unknown model '{}' (the zoo has {})", options.name, model_names());
  if (options.output.empty()) return error(StatusCode::invalid_argument, "-o FILE.onnx is required");
  if (options.batch < 0) return error(StatusCode::invalid_argument, "--batch {}: must be at least 1", options.batch);

  Graph graph = model->build({options.seed, options.batch == 0 ? 1 : options.batch});
  onnx_io::ExportOptions export_options;
  export_options.opset = model->opset;
  if (options.batch == 0) export_options.symbolic_batch_name = std::string(model->symbolic_batch);
  ES_TRY(onnx_io::export_file(graph, options.output, export_options));
  fmt::print("wrote {}: {} ({} nodes, {} parameters, seed {}, batch {})\n", options.output, model->name,
             graph.nodes.size(), graph.parameter_count(), options.seed,
             options.batch == 0 ? std::string(model->symbolic_batch) : std::to_string(options.batch));
  return {};
}

}  // namespace

Command add_zoo_command(CLI::App& app) {
  auto options = std::make_shared<ZooCliOptions>();
  CLI::App* cmd = app.add_subcommand("zoo", "Write a built-in model (real topology, seeded random weights)");
  cmd->add_option("name", options->name, "Model name (see --list)");
  cmd->add_option("-o,--output", options->output, "Where to write the .onnx file");
  cmd->add_option("--seed", options->seed, "Seed of the random weights")->capture_default_str();
  cmd->add_option("--batch", options->batch, "Static batch size (default: symbolic, like the original)");
  cmd->add_flag("--list", options->list, "List the models");
  cmd->footer(
      "Examples:\n"
      "  edgescope zoo --list\n"
      "  edgescope zoo resnet50-v1-12 -o resnet50.onnx --seed 1 --batch 4");
  return {cmd, [options] { return run_zoo(*options); }};
}

}  // namespace es::cli
