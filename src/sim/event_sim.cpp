#include "sim/event_sim.h"

#include "base/assert.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <utility>

namespace es::sim {
namespace {

double memory_us(const Task& t, double gb_s) { return t.dram_bytes > 0 ? t.dram_bytes / (gb_s * 1e3) : 0.0; }

struct Running {
  int task;
  double remaining;  // fraction of the task still to do
  double rate;       // fraction per µs at the current bandwidth share
};

// Max-min fair division of `total` GB/s among demands (water filling), in the order of `running`.
std::vector<double> share_bandwidth(const std::vector<double>& demand, double total) {
  std::vector<double> grant(demand.size(), 0.0);
  std::vector<size_t> order(demand.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return demand[a] < demand[b]; });
  double left = total;
  for (size_t i = 0; i < order.size(); ++i) {
    double fair = left / static_cast<double>(order.size() - i);
    grant[order[i]] = std::min(demand[order[i]], fair);
    left -= grant[order[i]];
  }
  return grant;
}

class Simulator {
 public:
  Simulator(std::vector<Task>& tasks, int engines, double dram) : tasks_(tasks), queues_(static_cast<size_t>(engines)),
      busy_(static_cast<size_t>(engines), false), waiting_(tasks.size(), 0), successors_(tasks.size()), dram_(dram) {
    for (size_t i = 0; i < tasks.size(); ++i) {
      ES_ASSERT(tasks[i].engine >= kNoEngine && tasks[i].engine < engines);
      ES_ASSERT(tasks[i].dram_bytes <= 0 || tasks[i].bandwidth_gb_s > 0);
      for (int d : tasks[i].deps) {
        ES_ASSERT(d >= 0 && static_cast<size_t>(d) < i);
        successors_[static_cast<size_t>(d)].push_back(static_cast<int>(i));
        ++waiting_[i];
      }
    }
  }

  SimWork work() const { return work_; }

  void run() {
    for (size_t i = 0; i < tasks_.size(); ++i)
      if (waiting_[i] == 0) make_ready(static_cast<int>(i));
    size_t done = 0;
    while (done < tasks_.size()) {
      start_ready();
      ES_ASSERT(!running_.empty());
      update_rates();
      ++work_.events;
      work_.share_updates += static_cast<int64_t>(running_.size());
      double step = std::numeric_limits<double>::infinity();
      for (const Running& r : running_) step = std::min(step, r.remaining / r.rate);
      now_ += step;
      std::vector<int> finished;
      for (Running& r : running_) {
        // Zero-length tasks (infinite rate) finish at once; others when their remainder is rounding noise.
        r.remaining = std::isinf(r.rate) ? 0.0 : r.remaining - r.rate * step;
        if (r.remaining <= 1e-12) finished.push_back(r.task);
      }
      std::sort(finished.begin(), finished.end());
      std::erase_if(running_, [&](const Running& r) { return std::binary_search(finished.begin(), finished.end(), r.task); });
      for (int t : finished) {
        Task& task = tasks_[static_cast<size_t>(t)];
        task.end_us = now_;
        if (task.engine != kNoEngine) busy_[static_cast<size_t>(task.engine)] = false;
        ++done;
        for (int s : successors_[static_cast<size_t>(t)])
          if (--waiting_[static_cast<size_t>(s)] == 0) make_ready(s);
      }
    }
  }

 private:
  void make_ready(int t) {
    const Task& task = tasks_[static_cast<size_t>(t)];
    if (task.engine == kNoEngine) {
      start(t);
      return;
    }
    queues_[static_cast<size_t>(task.engine)].insert({now_, t});
  }

  void start(int t) {
    Task& task = tasks_[static_cast<size_t>(t)];
    task.start_us = now_;
    if (task.engine != kNoEngine) busy_[static_cast<size_t>(task.engine)] = true;
    running_.push_back({t, 1.0, 0.0});
  }

  void start_ready() {
    for (size_t e = 0; e < queues_.size(); ++e) {
      if (busy_[e] || queues_[e].empty()) continue;
      int t = queues_[e].begin()->second;
      queues_[e].erase(queues_[e].begin());
      start(t);
    }
  }

  void update_rates() {
    std::vector<double> demand(running_.size());
    for (size_t i = 0; i < running_.size(); ++i) {
      const Task& t = tasks_[static_cast<size_t>(running_[i].task)];
      demand[i] = t.dram_bytes > 0 ? t.dram_bytes / (standalone_us(t) * 1e3) : 0.0;  // GB/s over its life
    }
    double total = std::accumulate(demand.begin(), demand.end(), 0.0);
    std::vector<double> grant = dram_ > 0 && total > dram_ ? share_bandwidth(demand, dram_) : demand;
    for (size_t i = 0; i < running_.size(); ++i) {
      const Task& t = tasks_[static_cast<size_t>(running_[i].task)];
      // A task granted less than it wants is limited by its share: bytes / share.
      double duration = standalone_us(t);
      if (grant[i] < demand[i]) duration = std::max(duration, t.dram_bytes / (grant[i] * 1e3));
      running_[i].rate = duration > 0 ? 1.0 / duration : std::numeric_limits<double>::infinity();
    }
  }

  std::vector<Task>& tasks_;
  std::vector<std::set<std::pair<double, int>>> queues_;  // per engine: (ready time, task index)
  std::vector<bool> busy_;
  std::vector<int> waiting_;
  std::vector<std::vector<int>> successors_;
  std::vector<Running> running_;
  double dram_;
  double now_ = 0;
  SimWork work_;
};

}  // namespace

double standalone_us(const Task& t) { return t.fixed_us + std::max(t.compute_us, memory_us(t, t.bandwidth_gb_s)); }

SimWork simulate_tasks(std::vector<Task>& tasks, int engines, double shared_dram_gb_s) {
  Simulator sim(tasks, engines, shared_dram_gb_s);
  sim.run();
  return sim.work();
}

}  // namespace es::sim
