// How subcommands plug into the CLI. Each command lives in its own file (cli/<name>_command.cpp) and
// exposes add_<name>_command, which declares its options on a CLI11 subcommand and returns the function
// that runs it. Only main() turns the returned Status into an exit code. Commands that load a model bind
// the shared options of cli/model_options.h (MODEL, --shape, --passes, --dump-ir-after).
#pragma once

#include "base/status.h"

#include <functional>
#include <vector>

namespace CLI {
class App;
}

namespace es::cli {

struct Command {
  CLI::App* app;
  std::function<Status()> run;
};

Command add_zoo_command(CLI::App& app);
Command add_inspect_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_targets_command(CLI::App& app);
Command add_simulate_command(CLI::App& app);
Command add_compare_command(CLI::App& app);
Command add_calibrate_command(CLI::App& app);
Command add_study_command(CLI::App& app);
Command add_optimize_command(CLI::App& app);

}  // namespace es::cli
