// edgescope's entry point: binds the subcommands, runs the chosen one, maps its Status to an exit code.
#include "base/build_info.h"
#include "base/log.h"
#include "cli/command.h"

#include <CLI/CLI.hpp>

#include <exception>

namespace {

constexpr int exit_error = 2;

std::string version_string() {
  const es::BuildInfo& b = es::build_info();
  return fmt::format("edgescope {} ({}, {})", b.version, b.git_commit, b.build_type);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "edgescope: where each layer of a neural network runs on an edge SoC (GPU, DLA, CPU), why, what each "
      "hand-off costs, and how to fix the model."};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_string());
  int verbosity = 0;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbosity, "More messages (repeat for debug output)");
  app.add_flag("-q,--quiet", quiet, "Only errors");

  std::vector<es::cli::Command> commands = {
      es::cli::add_zoo_command(app),
      es::cli::add_inspect_command(app),
      es::cli::add_run_command(app),
      es::cli::add_bench_command(app),
      es::cli::add_targets_command(app),
      es::cli::add_simulate_command(app),
      es::cli::add_compare_command(app),
      es::cli::add_calibrate_command(app),
      es::cli::add_study_command(app),
      es::cli::add_optimize_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : exit_error;
  }
  es::log::set_level(quiet ? es::log::Level::quiet
                           : verbosity >= 2 ? es::log::Level::debug
                           : verbosity == 1 ? es::log::Level::info
                                            : es::log::Level::info);
  for (const auto& command : commands) {
    if (!command.app->parsed()) continue;
    es::Status status;
    try {
      status = command.run();
    } catch (const std::exception& e) {
      // Libraries we call may throw (std::bad_alloc, oneDNN errors); report, never crash.
      status = es::Status(es::StatusCode::internal, e.what());
    }
    if (!status.ok()) {
      fmt::print(stderr, "edgescope {}: error: {}\n", command.app->get_name(), status.message());
      return exit_error;
    }
    return 0;
  }
  return exit_error;
}
