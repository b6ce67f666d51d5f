// `simulate`: a predicted run in the results model of measured runs (bench::Result, mode "simulated"), so
// predicted and measured runs print, export and trace alike. The study's method is reproduced: per stream a
// serial loop of copy in, infer, copy out, synchronise; all streams' steps are tasks of one discrete-event
// simulation over the engines (GPU, the DLA core, two copy engines) sharing the target's DRAM.
#pragma once

#include "base/status.h"
#include "bench/result.h"
#include "sim/event_sim.h"
#include "sim/inference_plan.h"

#include <string>
#include <vector>

namespace es::sim {

struct SimOptions {
  PlanOptions plan;
  int64_t iterations = 1000;
  int streams = 1;
  int64_t timeline_iterations = 10;  // iterations per stream kept in the timeline (the trace stays small)
};

// One simulated task, for the trace.
struct TimelineSpan {
  std::string name;
  std::string op;
  std::string engine;  // "gpu", "dla0", "copy h2d", "copy d2h", "latency"
  int stream = 0;
  int64_t iteration = 0;
  double start_us = 0;
  double duration_us = 0;
};

struct Simulation {
  InferencePlan plan;
  bench::Result result;
  std::vector<TimelineSpan> timeline;
  SimWork work;  // what the discrete-event simulation did (its cost)
};

// Runs a plan: `iterations` inferences on each of `streams` streams.
Simulation run_plan(InferencePlan plan, const TargetModel& model, const SimOptions& options);

Result<Simulation> simulate(const Graph& graph, const placement::Target& target, const SimOptions& options);

}  // namespace es::sim
