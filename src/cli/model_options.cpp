#include "cli/model_options.h"

#include "passes/pass.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace es::cli {

void add_model_options(CLI::App* command, ModelCliOptions& options, const std::string& default_passes) {
  options.passes = default_passes;
  command->add_option("model", options.model_path, "ONNX model file (.onnx)")->required();
  command->add_option("--shape", options.shapes,
                      "Bind an input's shape, e.g. --shape input:1x3x224x224 (repeatable). A symbolic batch "
                      "dimension defaults to 1; other dynamic dimensions must be bound");
  std::string pass_names;
  for (const Pass& p : all_passes()) pass_names += fmt::format("\n  {:<22} {}", p.name, p.description);
  command->add_option("--passes", options.passes,
                      "Optimisation passes: default | none | comma-separated list. Passes:" + pass_names)
      ->capture_default_str();
  command->add_option("--dump-ir-after", options.dump_ir_after, "Print the IR to stderr after this pass");
}

Result<LoadOptions> to_load_options(const ModelCliOptions& options) {
  LoadOptions load;
  for (const std::string& binding : options.shapes) {
    size_t colon = binding.rfind(':');
    if (colon == std::string::npos || colon == 0)
      return error(StatusCode::invalid_argument, "--shape '{}': expected NAME:DIMS such as input:1x3x224x224", binding);
    ES_ASSIGN_OR_RETURN(Shape shape, parse_shape(binding.substr(colon + 1), "--shape " + binding));
    load.import.input_shapes[binding.substr(0, colon)] = std::move(shape);
  }
  load.pipeline.passes = options.passes;
  load.pipeline.dump_ir_after = options.dump_ir_after;
  return load;
}

Result<Graph> load_model(const ModelCliOptions& options) {
  ES_ASSIGN_OR_RETURN(LoadOptions load, to_load_options(options));
  return es::load_model(options.model_path, load);
}

}  // namespace es::cli
