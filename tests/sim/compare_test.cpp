// GPU vs DLA comparison (the study's Figures 3-5): the breakdown accounts for every step of an inference,
// the fallback list holds the GPU kernels of the DLA run, and a target without a DLA is refused.
#include "sim/compare.h"

#include "placement/target.h"
#include "sim_test_util.h"

#include <gtest/gtest.h>

namespace es::sim {
namespace {

using testing::zoo_graph;

Result<Comparison> compare_zoo(std::string_view model, const std::string& target) {
  ES_ASSIGN_OR_RETURN(placement::Target t, placement::find_target(target));
  CompareOptions o;
  o.sim.plan.symbolic_batch = true;
  o.sim.iterations = 3;
  return compare(zoo_graph(model), t, o);
}

double part_ms(const Breakdown& b, std::string_view name) {
  for (const auto& p : b.parts)
    if (p.name == name) return p.ms;
  ADD_FAILURE() << "no part " << name;
  return 0;
}

TEST(Compare, BreakdownSumsToTheLatencyOfEachRun) {
  Result<Comparison> c = compare_zoo("mobilenetv2-12", "orin-agx-32gb");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_NEAR(c->gpu_breakdown.total_ms, c->gpu.result.run.iterations[0].latency_ms, 1e-9);
  EXPECT_NEAR(c->dla_breakdown.total_ms, c->dla.result.run.iterations[0].latency_ms, 1e-9);
  EXPECT_NEAR(c->ratio, c->dla.result.summary.latency.mean / c->gpu.result.summary.latency.mean, 1e-12);
  // The GPU run has no DLA work; the DLA run has DLA layers, loadable launches and hand-offs.
  EXPECT_EQ(part_ms(c->gpu_breakdown, "DLA layers"), 0);
  EXPECT_EQ(part_ms(c->gpu_breakdown, "DLA loadable launches"), 0);
  EXPECT_GT(part_ms(c->dla_breakdown, "DLA layers"), 0);
  EXPECT_GT(part_ms(c->dla_breakdown, "DLA loadable launches"), 0);
  EXPECT_GT(part_ms(c->dla_breakdown, "DLA/GPU synchronisation"), 0);
  EXPECT_GT(part_ms(c->dla_breakdown, "copies in/out"), 0);
}

TEST(Compare, FallbackListsTheGpuKernelsOfTheDlaRun) {
  Result<Comparison> c = compare_zoo("resnet50-v1-12", "orin-agx-32gb");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_FALSE(c->fallback.empty());
  int gpu_kernels = 0;
  for (size_t i = 0; i < c->dla.plan.steps.size(); ++i) {
    const PlanStep& s = c->dla.plan.steps[i];
    gpu_kernels += s.layer && s.engine == EngineKind::gpu && s.op != "Reformat";
  }
  EXPECT_EQ(static_cast<int>(c->fallback.size()), gpu_kernels);
  bool reduce = false;
  for (const FallbackLayer& f : c->fallback) reduce |= f.op == "Reduce";  // GlobalAveragePool, as in the study
  EXPECT_TRUE(reduce);
}

TEST(Compare, RefusesATargetWithoutDla) {
  Result<Comparison> c = compare_zoo("mobilenetv2-12", "h100-sxm");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("h100-sxm"), std::string::npos);
}

}  // namespace
}  // namespace es::sim
