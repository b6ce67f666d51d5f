// Exact timelines of small task graphs; every golden number is derived by hand in the comments.
#include "sim/event_sim.h"

#include <gtest/gtest.h>

namespace es::sim {
namespace {

constexpr int gpu = 0, dla = 1;

Task work(int engine, double fixed_us, double compute_us, double kb, double gb_s, std::vector<int> deps = {}) {
  Task t;
  t.engine = engine;
  t.fixed_us = fixed_us;
  t.compute_us = compute_us;
  t.dram_bytes = kb * 1000;
  t.bandwidth_gb_s = gb_s;
  t.deps = std::move(deps);
  return t;
}

TEST(EventSim, ChainOnOneEngineAddsUp) {
  // a: 2 + max(10, 100 KB / 100 GB/s = 1) = 12; b: max(1, 500 KB / 100 GB/s = 5) = 5 -> [12, 17];
  // c: a latency of 3 -> [17, 20].
  std::vector<Task> t = {work(gpu, 2, 10, 100, 100), work(gpu, 0, 1, 500, 100, {0}), work(kNoEngine, 3, 0, 0, 0, {1})};
  simulate_tasks(t, 2, 0);
  EXPECT_DOUBLE_EQ(t[0].end_us, 12);
  EXPECT_DOUBLE_EQ(t[1].start_us, 12);
  EXPECT_DOUBLE_EQ(t[1].end_us, 17);
  EXPECT_DOUBLE_EQ(t[2].start_us, 17);
  EXPECT_DOUBLE_EQ(t[2].end_us, 20);
}

TEST(EventSim, IndependentTasksQueueOnTheirEngine) {
  // Four ready tasks: 0 (gpu 5), 1 (gpu 3), 2 (dla 4), 3 (gpu 1, after 2).
  // gpu runs 0 [0,5] then 1 [5,8] (index order at equal ready time); dla runs 2 [0,4]; 3 is ready at 4 but the
  // gpu is busy, and it queues behind 1 since 1 became ready earlier: [8, 9].
  std::vector<Task> t = {work(gpu, 5, 0, 0, 0), work(gpu, 3, 0, 0, 0), work(dla, 4, 0, 0, 0), work(gpu, 1, 0, 0, 0, {2})};
  simulate_tasks(t, 2, 0);
  EXPECT_DOUBLE_EQ(t[0].end_us, 5);
  EXPECT_DOUBLE_EQ(t[1].start_us, 5);
  EXPECT_DOUBLE_EQ(t[1].end_us, 8);
  EXPECT_DOUBLE_EQ(t[2].end_us, 4);
  EXPECT_DOUBLE_EQ(t[3].start_us, 8);
  EXPECT_DOUBLE_EQ(t[3].end_us, 9);
}

TEST(EventSim, SharedDramIsDividedFairly) {
  // gpu: 100 KB, dla: 300 KB, each engine draws 100 GB/s alone (1 µs and 3 µs), DRAM gives 100 GB/s in all.
  // Both want 100: each gets 50. The gpu task finishes its 100 KB at 2 µs; the dla task has moved 100 KB by then
  // and moves its remaining 200 KB alone at 100 GB/s: 2 µs more, ending at 4. Then a gpu task of
  // 100 KB after both (deps 0 and 1) runs alone: [4, 5].
  std::vector<Task> t = {work(gpu, 0, 0, 100, 100), work(dla, 0, 0, 300, 100), work(gpu, 0, 0, 100, 100, {0, 1})};
  simulate_tasks(t, 2, 100);
  EXPECT_NEAR(t[0].end_us, 2, 1e-9);
  EXPECT_NEAR(t[1].end_us, 4, 1e-9);
  EXPECT_NEAR(t[2].start_us, 4, 1e-9);
  EXPECT_NEAR(t[2].end_us, 5, 1e-9);
}

TEST(EventSim, ComputeBoundTasksDoNotSlowDownUnderLightDemand) {
  // gpu: compute 10 µs with 100 KB (10 GB/s average demand); dla: 100 KB at 100 GB/s (1 µs, demand 100).
  // 110 > 100 GB/s: max-min gives the gpu its 10 and the dla 90 -> 100 KB / 90 GB/s = 1.111... µs; the gpu task
  // still ends at 10 (its share covers its demand).
  std::vector<Task> t = {work(gpu, 0, 10, 100, 100), work(dla, 0, 0, 100, 100)};
  simulate_tasks(t, 2, 100);
  EXPECT_NEAR(t[0].end_us, 10, 1e-9);
  EXPECT_NEAR(t[1].end_us, 100.0 / 90, 1e-9);
}

TEST(EventSim, IsDeterministic) {
  std::vector<Task> a;
  for (int i = 0; i < 200; ++i) {
    std::vector<int> deps;
    if (i >= 3) deps = {i - 3};
    a.push_back(work(i % 3 == 2 ? kNoEngine : i % 2, 0.5 * (i % 7), i % 5, 10.0 * (i % 11), 50 + i % 4));
    a.back().deps = deps;
  }
  std::vector<Task> b = a;
  simulate_tasks(a, 2, 60);
  simulate_tasks(b, 2, 60);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].start_us, b[i].start_us);
    EXPECT_EQ(a[i].end_us, b[i].end_us);
  }
}

}  // namespace
}  // namespace es::sim
