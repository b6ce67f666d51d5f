// Repeated profiles of one case (rounds, device calls) enter a calibration as one, each layer at its fastest:
// a slow repeat neither moves the fitted parameters nor counts the case twice.
#include "sim/repeated_profiles.h"

#include "placement/target.h"
#include "sim/native_plan.h"
#include "sim_test_util.h"

#include <gtest/gtest.h>

namespace es::sim {
namespace {

// What `bench --profile-layers --json` would have measured on a machine that is exactly `truth`, every layer
// and the latency `slowdown` times as long (a round on a busy host).
MeasuredProfile measured(const placement::Target& target, const TargetModel& truth, double slowdown,
                         const std::string& source) {
  MeasuredProfile p;
  p.source = source;
  p.model = "mobilenetv2-12.onnx";
  p.graph = testing::zoo_graph("mobilenetv2-12", /*optimised=*/true);
  p.plan.device = "cpu";
  p.plan.precision = Precision::fp32;
  p.plan.threads = 1;
  Result<InferencePlan> plan = plan_native(p.graph, target.name, truth, p.plan);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  for (const PlanStep& s : plan->steps) {
    p.latency_ms += step_time_us(s) * slowdown / 1000;
    if (s.layer)
      p.layers.push_back({.name = s.name, .op = s.op, .device = "cpu", .median_ms = step_time_us(s) * slowdown / 1000});
  }
  return p;
}

TEST(RepeatedProfiles, OneCaseKeepsEachLayersFastestTimeAndItsImplementation) {
  placement::Target target = *placement::find_target("epyc-zen5-2c");
  TargetModel truth = *target_model(target);
  MeasuredProfile fast = measured(target, truth, 1.0, "a.r1.json"), slow = measured(target, truth, 1.3, "a.r2.json");
  ASSERT_GT(fast.layers.size(), 2u);
  // One layer ran faster in the slow round, in another implementation: it keeps that time and that name.
  slow.layers[1].median_ms = fast.layers[1].median_ms / 2;
  slow.layers[1].implementation = "other";
  std::vector<MeasuredProfile> merged = merge_repeated_profiles({slow, fast});
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].source, "a.r2.json (fastest of 2)");
  EXPECT_DOUBLE_EQ(merged[0].latency_ms, fast.latency_ms);
  ASSERT_EQ(merged[0].layers.size(), fast.layers.size());
  EXPECT_DOUBLE_EQ(merged[0].layers[0].median_ms, fast.layers[0].median_ms);
  EXPECT_DOUBLE_EQ(merged[0].layers[1].median_ms, fast.layers[1].median_ms / 2);
  EXPECT_EQ(merged[0].layers[1].implementation, "other");
}

TEST(RepeatedProfiles, OtherShapesOrPrecisionsAreOtherCases) {
  placement::Target target = *placement::find_target("epyc-zen5-2c");
  TargetModel truth = *target_model(target);
  MeasuredProfile a = measured(target, truth, 1.0, "a.json"), b = a, c = a;
  b.plan.threads = 2;
  c.plan.precision = Precision::fp16;
  EXPECT_EQ(merge_repeated_profiles({a, b, c, a}).size(), 3u);
}

// Calibrating on a fast and a slow repeat of one case gives the parameters of the fast one: the slow round
// does not pull the fit. (Fitting both as separate profiles lands between the two.)
TEST(RepeatedProfiles, ASlowRepeatDoesNotMoveTheFit) {
  placement::Target target = *placement::find_target("epyc-zen5-2c");
  TargetModel truth = *target_model(target);
  truth.cpu.conv_efficiency = 0.62;
  truth.cpu.depthwise_efficiency = 0.2;  // MobileNetV2's layers at batch 1 stay in the caches (not bandwidth_gb_s)
  std::vector<MeasuredProfile> profiles = {measured(target, truth, 1.0, "r1.json"),
                                           measured(target, truth, 1.25, "r2.json")};
  TargetModel fitted = *target_model(target);
  Result<Calibration> c =
      calibrate(target, fitted, merge_repeated_profiles(profiles), {"cpu.conv_efficiency", "cpu.depthwise_efficiency"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_NEAR(fitted.cpu.conv_efficiency, 0.62, 0.62 * 0.01);
  EXPECT_NEAR(fitted.cpu.depthwise_efficiency, 0.2, 0.2 * 0.01);
}

}  // namespace
}  // namespace es::sim
