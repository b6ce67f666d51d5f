// A discrete-event simulation of tasks on engines (GPU, DLA cores, CPU, copy engines) that share one DRAM.
// Each task needs an engine (or none: a pure latency such as a synchronisation wake-up), waits for its
// dependencies, and then takes
//     fixed_us + max(compute_us, dram_bytes / bandwidth)
// where `bandwidth` is what the task's engine can draw alone, reduced when the engines running at the same
// time ask for more than the shared DRAM gives (max-min fair division, recomputed at every start and end).
// An engine runs one task at a time, in order of (ready time, task index): the result is deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace es::sim {

inline constexpr int kNoEngine = -1;

struct Task {
  int engine = kNoEngine;
  double fixed_us = 0;        // launch / programming overhead: not affected by DRAM sharing
  double compute_us = 0;      // arithmetic time with unlimited bandwidth
  double dram_bytes = 0;
  double bandwidth_gb_s = 0;  // what the engine draws alone; 0 when dram_bytes is 0
  std::vector<int> deps;      // indices of earlier tasks
  // Filled by simulate_tasks.
  double start_us = 0;
  double end_us = 0;
};

// Duration of a task when it runs alone.
double standalone_us(const Task& task);

// The work a simulation did, to bound its cost without timing it: every event (a time step at which at least
// one task ends) recomputes the bandwidth shares of the tasks running then (at most one per engine plus the
// latencies), so the cost is O(events x running).
struct SimWork {
  int64_t events = 0;
  int64_t share_updates = 0;  // running tasks whose rate was recomputed, summed over events
};

// Runs every task; `engines` is the number of engines (task.engine < engines). Dependencies must point to
// earlier tasks. `shared_dram_gb_s` <= 0 disables contention.
SimWork simulate_tasks(std::vector<Task>& tasks, int engines, double shared_dram_gb_s);

}  // namespace es::sim
