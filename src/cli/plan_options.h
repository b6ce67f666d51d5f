// Heterogeneous-plan options shared by the commands that compile a model for a device (run, bench), so they
// read the same everywhere: --fallback, --pin NODE=DEVICE (repeatable), --restrict DEVICE=RULESET.
#pragma once

#include "runtime/compile.h"
#include "runtime/model.h"

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace es::cli {

struct PlanCliOptions {
  std::string fallback = "cpu";
  std::vector<std::string> pins;
  std::string restriction;  // "cuda=dla"; empty = none
};

void add_plan_options(CLI::App* command, PlanCliOptions& options, const std::string& group);

// Sets compile's fallback, pins and restricted nodes for `graph` (the model as compiled). With --restrict it
// loads the model once more as imported (passes "none", `graph`'s input shapes) for the placement analysis, and prints
// which nodes the rule set moves off the device and the rule that decided each.
Status apply_plan_options(const PlanCliOptions& options, const std::string& model_path, LoadOptions load,
                          const Graph& graph, CompileOptions& compile);

}  // namespace es::cli
