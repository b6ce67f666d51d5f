// Calibration: synthetic profiles made by the simulator itself with known parameters must give those
// parameters back, starting from the shipped target's values; parameters no layer depends on stay put.
#include "sim/calibrate.h"

#include "placement/target.h"
#include "sim/native_plan.h"
#include "sim_test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace es::sim {
namespace {

using testing::zoo_graph;

// What `bench --profile-layers` would have measured if the machine were exactly `truth`.
MeasuredProfile synthetic_profile(std::string_view model, const placement::Target& target, const TargetModel& truth) {
  MeasuredProfile p;
  p.source = std::string(model) + ".json";
  p.graph = zoo_graph(model, /*optimised=*/true);
  p.plan.device = "cpu";
  p.plan.precision = Precision::fp32;
  p.plan.threads = 1;
  Result<InferencePlan> plan = plan_native(p.graph, target.name, truth, p.plan);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  for (const PlanStep& s : plan->steps)
    if (s.layer) p.layers.push_back({s.name, s.op, "cpu", 0, 0, step_time_us(s) / 1000});
  return p;
}

TEST(Calibrate, RecoversKnownCpuParametersFromSyntheticProfiles) {
  placement::Target target = *placement::find_target("epyc-zen5-2c");
  TargetModel truth = *target_model(target);
  truth.cpu.conv_efficiency = 0.62;
  truth.cpu.depthwise_efficiency = 0.17;
  truth.cpu.bandwidth_gb_s = 35;
  truth.cpu.stream_bandwidth_gb_s = 12;
  truth.cpu.kernel_overhead_us = 3.5;
  std::vector<MeasuredProfile> profiles = {synthetic_profile("mobilenetv2-12", target, truth),
                                           synthetic_profile("resnet50-v1-12", target, truth)};
  TargetModel fitted = *target_model(target);  // the shipped starting values
  ASSERT_NE(fitted.cpu.conv_efficiency, truth.cpu.conv_efficiency);
  Result<Calibration> c = calibrate(target, fitted, profiles, default_fit_keys("cpu"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_NEAR(fitted.cpu.conv_efficiency, 0.62, 0.62 * 0.01);
  EXPECT_NEAR(fitted.cpu.depthwise_efficiency, 0.17, 0.17 * 0.01);
  EXPECT_NEAR(fitted.cpu.bandwidth_gb_s, 35, 35 * 0.01);
  EXPECT_NEAR(fitted.cpu.stream_bandwidth_gb_s, 12, 12 * 0.01);
  EXPECT_NEAR(fitted.cpu.kernel_overhead_us, 3.5, 3.5 * 0.01);
  EXPECT_LT(c->objective_after, 1e-6);
  EXPECT_GT(c->objective_before, 1e-2);
  for (const ProfileError& e : c->profiles) {
    EXPECT_EQ(e.matched, e.measured);
    EXPECT_NEAR(e.layer_sum_after_ms, e.layer_sum_measured_ms, e.layer_sum_measured_ms * 0.01);
  }
  // The zoo models' only Gemm (the classifier at batch 1) streams its weights: its time does not depend on
  // the Gemm efficiency, so calibration leaves that parameter as it was and says so.
  for (const FittedParameter& p : c->parameters)
    if (p.key == "cpu.gemm_efficiency") {
      EXPECT_FALSE(p.constrained);
      EXPECT_EQ(p.after, p.before);
    }
}

TEST(Calibrate, RejectsProfilesThatMatchNoKernel) {
  placement::Target target = *placement::find_target("epyc-zen5-2c");
  TargetModel model = *target_model(target);
  MeasuredProfile p = synthetic_profile("mobilenetv2-12", target, model);
  for (bench::LayerProfile& l : p.layers) l.name = "renamed " + l.name;
  Result<Calibration> c = calibrate(target, model, {p}, default_fit_keys("cpu"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("mobilenetv2-12.json"), std::string::npos) << c.status().message();
}

TEST(Calibrate, RejectsUnknownParameters) {
  placement::Target target = *placement::find_target("epyc-zen5-2c");
  TargetModel model = *target_model(target);
  Result<Calibration> c = calibrate(target, model, {synthetic_profile("mobilenetv2-12", target, model)}, {"cpu.warp_speed"});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("cpu.warp_speed"), std::string::npos);
}

TEST(Calibrate, WritesATargetFileThatParsesWithTheNewValues) {
  placement::Target target = *placement::find_target("epyc-zen5-2c");
  std::string json = target_file_json(target, "mine", "fitted", {{"cpu.conv_efficiency", {0.42, "fitted on x.json"}}});
  Result<placement::Target> back = placement::parse_target(json, "mine.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->name, "mine");
  EXPECT_EQ(back->parameters.size(), target.parameters.size());
  EXPECT_DOUBLE_EQ(*back->find("cpu.conv_efficiency")->number, 0.42);
  EXPECT_EQ(back->find("cpu.conv_efficiency")->source, "fitted on x.json");
  EXPECT_EQ(back->find("cpu.cores")->source, target.find("cpu.cores")->source);
  Result<TargetModel> model = target_model(*back);
  ASSERT_TRUE(model.ok());
  EXPECT_DOUBLE_EQ(model->cpu.conv_efficiency, 0.42);
}

}  // namespace
}  // namespace es::sim
