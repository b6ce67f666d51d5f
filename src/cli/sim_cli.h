// What the simulator's commands (simulate, compare, calibrate, study) share: loading the model the way the
// simulated device sees it, and what they print and write (the placement summary, the predicted per-layer
// table, the Figure 3-5 comparison as a table and as JSON, Chrome traces through the one trace writer).
#pragma once

#include "base/status.h"
#include "cli/model_options.h"
#include "report/chrome_trace.h"
#include "sim/compare.h"
#include "sim/simulate.h"

#include <nlohmann/json.hpp>

#include <string>

namespace es::cli {

// TensorRT devices (gpu, dlaN) see the model as imported (`--passes auto` = none); edgescope's backends
// (cpu, cuda) see it after bench's default passes (`auto` = default). `batch` > 0 binds the leading dimension.
Result<Graph> load_for_device(const ModelCliOptions& options, int64_t batch, const std::string& device);

std::string plan_summary(const sim::InferencePlan& plan);
std::string layer_table(const bench::Result& result);

// The simulated engines' tracks (plus the results model's own timeline) added to `trace`; `prefix` names the
// run when several share one trace ("GPU run: ").
void add_simulation_trace(report::ChromeTrace& trace, const sim::Simulation& sim, const std::string& prefix = "");

std::string comparison_table(const sim::Comparison& c, const std::string& model);
nlohmann::json comparison_json(const sim::Comparison& c, const std::string& model);

// Writes `text` to `path` (nothing when the path is empty); the error names the option.
Status write_text(const std::string& path, const std::string& text, const char* option);

}  // namespace es::cli
