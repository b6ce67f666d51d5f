// Options every command that loads a model shares (run, inspect, bench, ...), bound once here so they
// read the same everywhere: MODEL, --shape NAME:DIMS (repeatable), --passes, --dump-ir-after.
#pragma once

#include "runtime/model.h"

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace es::cli {

struct ModelCliOptions {
  std::string model_path;
  std::vector<std::string> shapes;  // "NAME:1x3x224x224"
  std::string passes = "default";
  std::string dump_ir_after;
};

// `default_passes` lets analysis commands default to "none" (inspect shows the model as imported).
void add_model_options(CLI::App* command, ModelCliOptions& options, const std::string& default_passes = "default");
Result<LoadOptions> to_load_options(const ModelCliOptions& options);
Result<Graph> load_model(const ModelCliOptions& options);

}  // namespace es::cli
