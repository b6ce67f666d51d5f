// The simulator end to end: a hand-built plan with an exact timeline, the results model it fills, the zoo
// models on the study's board, determinism and speed.
#include "sim/simulate.h"

#include "backends/ref/ref_kernels.h"
#include "ir/shape_inference.h"
#include "placement/target.h"
#include "zoo/zoo.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <iostream>

namespace es::sim {
namespace {

using bench::Phase;

PlanStep step(std::string name, EngineKind engine, Phase phase, double fixed_us, double compute_us = 0,
              double kb = 0, double gb_s = 0, bool layer = false) {
  PlanStep s{std::move(name), "op", engine, phase, fixed_us, compute_us, kb * 1000, gb_s, layer};
  return s;
}

TargetModel no_contention() {
  TargetModel m;
  m.memory.dram_gb_s = 0;  // contention off: the golden numbers below are sums
  return m;
}

TEST(Simulate, HandBuiltPlanHasTheExactTimeline) {
  // copy in: 10 + 20 KB / 20 GB/s = 11 µs; gpu conv: 4 + max(5, 100 KB / 100 GB/s) = 9; dla layer:
  // 3 + max(20, 0) = 23; copy out 10 µs; sync 15 µs. One inference = 11 + 9 + 23 + 10 + 15 = 68 µs, the
  // second starts when the first's sync ends: [68, 136].
  InferencePlan plan;
  plan.target = "t";
  plan.device = "dla0";
  plan.dla_loadables = 1;
  plan.setup_loadable_ms = 1.5;
  plan.steps = {step("in", EngineKind::copy_h2d, Phase::h2d, 10, 0, 20, 20),
                step("conv", EngineKind::gpu, Phase::compute, 4, 5, 100, 100, true),
                step("dla conv", EngineKind::dla, Phase::compute, 3, 20, 0, 0, true),
                step("out", EngineKind::copy_d2h, Phase::d2h, 10),
                step("sync", EngineKind::none, Phase::sync, 15)};
  SimOptions o;
  o.iterations = 2;
  Simulation sim = run_plan(plan, no_contention(), o);
  const bench::Result& r = sim.result;
  ASSERT_EQ(r.run.iterations.size(), 2u);
  const bench::Iteration& first = r.run.iterations[0];
  EXPECT_NEAR(first.latency_ms, 0.068, 1e-12);
  EXPECT_NEAR(first.phase_ms[static_cast<size_t>(Phase::h2d)], 0.011, 1e-12);
  EXPECT_NEAR(first.phase_ms[static_cast<size_t>(Phase::compute)], 0.032, 1e-12);
  EXPECT_NEAR(first.phase_start_ms[static_cast<size_t>(Phase::compute)], 0.011, 1e-12);
  EXPECT_NEAR(first.phase_ms[static_cast<size_t>(Phase::d2h)], 0.010, 1e-12);
  EXPECT_NEAR(first.phase_ms[static_cast<size_t>(Phase::sync)], 0.015, 1e-12);
  EXPECT_NEAR(r.run.iterations[1].start_ms, 0.068, 1e-12);
  EXPECT_NEAR(r.run.wall_ms, 0.136, 1e-12);
  EXPECT_EQ(r.mode, "simulated");
  EXPECT_TRUE(r.provenance.simulated);
  ASSERT_EQ(r.setup.size(), 1u);
  EXPECT_DOUBLE_EQ(r.setup[0].ms, 1.5);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].device, "gpu");
  EXPECT_EQ(r.layers[1].device, "dla0");
  EXPECT_NEAR(r.layers[1].average_ms, 0.023, 1e-12);
  EXPECT_NEAR(r.layers[1].percentage, 23.0 / 32 * 100, 1e-9);
  EXPECT_EQ(r.profile_iterations, 2);
  EXPECT_EQ(sim.timeline.size(), 10u);
}

TEST(Simulate, TwoStreamsOverlapOnDifferentEngines) {
  // Per stream: gpu 10 µs then dla 10 µs. Stream 0 runs gpu [0,10], dla [10,20]; stream 1 waits for the gpu,
  // [10,20], then the dla [20,30]. Their second iterations: stream 0 gpu [20,30], dla [30,40]; stream 1 gpu
  // [30,40], dla [40,50]. Wall 50 µs for 4 inferences instead of 80 serially.
  InferencePlan plan;
  plan.target = "t";
  plan.device = "dla0";
  plan.steps = {step("g", EngineKind::gpu, Phase::compute, 10), step("d", EngineKind::dla, Phase::compute, 10)};
  SimOptions o;
  o.iterations = 2;
  o.streams = 2;
  Simulation sim = run_plan(plan, no_contention(), o);
  EXPECT_EQ(sim.result.scenario, "multi-stream");
  EXPECT_NEAR(sim.result.run.wall_ms, 0.050, 1e-12);
  EXPECT_NEAR(sim.result.run.iterations[1].latency_ms, 0.020, 1e-12);  // stream 1, first iteration: [10, 30]
  EXPECT_NEAR(sim.result.run.iterations[1].start_ms, 0.010, 1e-12);
}

Graph zoo_graph(std::string_view model) {
  const zoo::ZooModel* z = zoo::find_zoo_model(model);
  EXPECT_NE(z, nullptr);
  Graph graph = z->build({});
  Status shapes = infer_shapes(graph, ref::evaluator());
  EXPECT_TRUE(shapes.ok()) << shapes.message();
  return graph;
}

Result<Simulation> zoo_run(std::string_view model, const std::string& device, int64_t iterations,
                           Precision precision = Precision::fp16, const placement::Target* target = nullptr) {
  ES_ASSIGN_OR_RETURN(placement::Target orin, placement::find_target("orin-agx-32gb"));
  SimOptions o;
  o.plan.device = device;
  o.plan.precision = precision;
  o.plan.symbolic_batch = true;  // as the ONNX Model Zoo files the study used
  o.iterations = iterations;
  return simulate(zoo_graph(model), target ? *target : orin, o);
}

double mean_ms(const Simulation& s) { return s.result.summary.latency.mean; }

// DLA / GPU time per inference for the two study models on `target`.
std::array<double, 2> study_ratios(const placement::Target& target) {
  std::array<double, 2> ratio{};
  const char* models[] = {"mobilenetv2-12", "resnet50-v1-12"};
  for (int m = 0; m < 2; ++m) {
    auto gpu = zoo_run(models[m], "gpu", 3, Precision::fp16, &target);
    auto dla = zoo_run(models[m], "dla0", 3, Precision::fp16, &target);
    EXPECT_TRUE(gpu.ok() && dla.ok());
    if (!gpu.ok() || !dla.ok()) return ratio;
    ratio[static_cast<size_t>(m)] = mean_ms(*dla) / mean_ms(*gpu);
    std::cout << models[m] << ": gpu " << mean_ms(*gpu) << " ms, dla0 " << mean_ms(*dla) << " ms, DLA/GPU "
              << ratio[static_cast<size_t>(m)] << "\n";
  }
  return ratio;
}

TEST(Simulate, BothStudyModelsAreSlowerOnTheDlaOnOrin32GbFp16) {
  // The study (Figure 3): both unmodified FP16 models run slower on the DLA than on the GPU.
  auto ratio = study_ratios(*placement::find_target("orin-agx-32gb"));
  EXPECT_GT(ratio[0], 1.0) << "mobilenetv2-12";
  EXPECT_GT(ratio[1], 1.0) << "resnet50-v1-12";
}

// The study's second finding, a larger DLA/GPU ratio for MobileNet v2 (5.1x) than for ResNet50 v1 (2.1x), does
// NOT come out with the shipped Orin parameters (2.5x vs 6.1x; docs/simulator.md explains why): ResNet-50 is
// convolution-bound on the DLA at its FP16 rate (512 MAC/clk, below Xavier's as NVIDIA's FAQ says), while
// MobileNet v2's DLA time hinges on the native depthwise rate of DLA 2.0, which NVIDIA does not document
// (dla.depthwise_macs_per_clock, assumed 64 = one MAC per atomic-C lane). This test pins that dependence down
// instead of hiding it: at the assumed rate the order is reversed; only at 1/16 of it (4/clk) does the
// study's order come out. Calibrating that one parameter on a board settles which is true.
TEST(Simulate, DepthwiseRateDecidesTheStudyRatioOrder) {
  placement::Target target = *placement::find_target("orin-agx-32gb");
  auto shipped = study_ratios(target);
  EXPECT_LT(shipped[0], shipped[1]);
  for (placement::TargetParameter& p : target.parameters)
    if (p.key == "dla.depthwise_macs_per_clock") p.number = 16;
  EXPECT_LT(study_ratios(target)[0], shipped[1]);  // a quarter of the assumed rate is not enough
  for (placement::TargetParameter& p : target.parameters)
    if (p.key == "dla.depthwise_macs_per_clock") p.number = 4;
  auto slow_depthwise = study_ratios(target);
  EXPECT_GT(slow_depthwise[0], slow_depthwise[1]);
  EXPECT_DOUBLE_EQ(slow_depthwise[1], shipped[1]);  // ResNet-50 has no depthwise layer
}

TEST(Simulate, FillsTheResultsModelForADlaRun) {
  auto sim = zoo_run("resnet50-v1-12", "dla0", 5);
  ASSERT_TRUE(sim.ok()) << sim.status().message();
  const bench::Result& r = sim->result;
  EXPECT_EQ(r.run.iterations.size(), 5u);
  EXPECT_EQ(r.provenance.device, "orin-agx-32gb dla0 (simulated)");
  ASSERT_FALSE(r.setup.empty());
  EXPECT_NE(r.setup[0].name.find("DLA loadable load"), std::string::npos);
  bool dla_layer = false, gpu_layer = false;
  for (const auto& l : r.layers) {
    dla_layer |= l.device == "dla0";
    gpu_layer |= l.device == "gpu";
  }
  EXPECT_TRUE(dla_layer);
  EXPECT_TRUE(gpu_layer);  // reformats at the hand-offs and fallback layers
  // A serial chain: the phases tile the iteration.
  const bench::Iteration& it = r.run.iterations[0];
  double phases = 0;
  for (double p : it.phase_ms) phases += p;
  EXPECT_NEAR(phases, it.latency_ms, 1e-9);
  EXPECT_GT(it.phase_ms[static_cast<size_t>(Phase::h2d)], 0);
}

TEST(Simulate, RejectsFp32OnTheDla) {
  auto sim = zoo_run("resnet50-v1-12", "dla0", 1, Precision::fp32);
  ASSERT_FALSE(sim.ok());
  EXPECT_NE(sim.status().message().find("fp32"), std::string::npos);
}

TEST(Simulate, IsDeterministic) {
  auto a = zoo_run("mobilenetv2-12", "dla0", 3);
  auto b = zoo_run("mobilenetv2-12", "dla0", 3);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->timeline.size(), b->timeline.size());
  for (size_t i = 0; i < a->timeline.size(); ++i) {
    EXPECT_EQ(a->timeline[i].start_us, b->timeline[i].start_us);
    EXPECT_EQ(a->timeline[i].duration_us, b->timeline[i].duration_us);
  }
}

// 1,000 simulated ResNet-50 inferences are cheap by construction, shown by the work they cost rather than by a
// wall-clock limit (which a loaded machine would make flaky): a serial loop runs one task at a time, so the
// simulation takes exactly one event, with one bandwidth-share update, per task. With ~200 tasks an inference,
// that is ~2x10^5 constant-time events; `sim_test --gtest_filter=*Thousand*` prints the time it took here.
TEST(Simulate, ThousandResNet50InferencesCostOneEventPerTask) {
  auto sim = zoo_run("resnet50-v1-12", "dla0", 1);
  ASSERT_TRUE(sim.ok());
  auto model = target_model(*placement::find_target("orin-agx-32gb"));
  ASSERT_TRUE(model.ok());
  SimOptions o;
  o.iterations = 1000;
  auto start = std::chrono::steady_clock::now();
  Simulation thousand = run_plan(sim->plan, *model, o);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t tasks = 1000 * static_cast<int64_t>(sim->plan.steps.size());
  EXPECT_EQ(thousand.result.run.iterations.size(), 1000u);
  EXPECT_EQ(thousand.work.events, tasks);
  EXPECT_EQ(thousand.work.share_updates, tasks);
  EXPECT_LT(sim->plan.steps.size(), 400u);
  std::cout << "1,000 ResNet-50 inferences on dla0: " << tasks << " tasks, " << thousand.work.events << " events, "
            << seconds << " s\n";
  // A serial, uncontended loop repeats itself exactly.
  EXPECT_NEAR(thousand.result.summary.latency.stddev, 0, 1e-9);
}

TEST(Simulate, TwoStreamsShareBandwidthUpdatesAmongRunningTasksOnly) {
  auto sim = zoo_run("mobilenetv2-12", "dla0", 1);
  ASSERT_TRUE(sim.ok());
  auto model = target_model(*placement::find_target("orin-agx-32gb"));
  SimOptions o;
  o.iterations = 50;
  o.streams = 2;
  Simulation two = run_plan(sim->plan, *model, o);
  const int64_t tasks = 100 * static_cast<int64_t>(sim->plan.steps.size());
  EXPECT_LE(two.work.events, tasks);
  EXPECT_LE(two.work.share_updates, two.work.events * (kEngineKinds + 2));  // engines + latencies of 2 streams
}

}  // namespace
}  // namespace es::sim
