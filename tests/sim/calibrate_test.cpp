// Calibration: synthetic profiles made by the simulator itself with known parameters must give those
// parameters back, starting from the shipped target's values; parameters no layer depends on stay put.
#include "sim/calibrate.h"

#include "placement/target.h"
#include "sim/cuda_conv_forms.h"
#include "sim/native_plan.h"
#include "sim_test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace es::sim {
namespace {

using testing::zoo_graph;

// What `bench --profile-layers` would have measured if the machine were exactly `truth` (the whole-model
// latency only when `with_latency`: the plan's steps one after the other, replayed as a CUDA Graph when
// `cuda_graph`; the layers are always launched from the host).
MeasuredProfile synthetic_profile(std::string_view model, const placement::Target& target, const TargetModel& truth,
                                  const std::string& device = "cpu", Precision precision = Precision::fp32,
                                  bool with_latency = false, bool cuda_graph = false) {
  MeasuredProfile p;
  p.source = std::string(model) + "." + device + "." + std::string(precision_name(precision)) + ".json";
  p.graph = zoo_graph(model, /*optimised=*/true);
  p.plan.device = device;
  p.plan.precision = precision;
  p.plan.threads = 1;
  Result<InferencePlan> plan = plan_native(p.graph, target.name, truth, p.plan);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  for (const PlanStep& s : plan->steps)
    if (s.layer) p.layers.push_back({s.name, s.op, device, 0, 0, step_time_us(s) / 1000});
  p.plan.cuda_graph = cuda_graph;
  Result<InferencePlan> timed = plan_native(p.graph, target.name, truth, p.plan);
  EXPECT_TRUE(timed.ok()) << timed.status().message();
  for (const PlanStep& s : timed->steps)
    if (with_latency) p.latency_ms += step_time_us(s) / 1000;
  return p;
}

TEST(Calibrate, RecoversKnownCpuParametersFromSyntheticProfiles) {
  placement::Target target = *placement::find_target("epyc-zen5-2c");
  TargetModel truth = *target_model(target);
  truth.cpu.conv_efficiency = 0.62;
  truth.cpu.depthwise_efficiency = 0.17;
  truth.cpu.bandwidth_gb_s = 35;
  truth.cpu.stream_l2_bandwidth_gb_s = 12;
  truth.cpu.matrix_overhead_us = 3.5;
  std::vector<MeasuredProfile> profiles = {synthetic_profile("mobilenetv2-12", target, truth),
                                           synthetic_profile("resnet50-v1-12", target, truth)};
  TargetModel fitted = *target_model(target);  // the shipped starting values
  ASSERT_NE(fitted.cpu.conv_efficiency, truth.cpu.conv_efficiency);
  Result<Calibration> c = calibrate(target, fitted, profiles, default_fit_keys("cpu"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_NEAR(fitted.cpu.conv_efficiency, 0.62, 0.62 * 0.01);
  EXPECT_NEAR(fitted.cpu.depthwise_efficiency, 0.17, 0.17 * 0.01);
  EXPECT_NEAR(fitted.cpu.bandwidth_gb_s, 35, 35 * 0.01);
  EXPECT_NEAR(fitted.cpu.stream_l2_bandwidth_gb_s, 12, 12 * 0.01);
  EXPECT_NEAR(fitted.cpu.matrix_overhead_us, 3.5, 3.5 * 0.01);
  EXPECT_LT(c->objective_after, 1e-6);
  EXPECT_GT(c->objective_before, 1e-2);
  for (const ProfileError& e : c->profiles) {
    EXPECT_EQ(e.matched, e.measured);  // every step, layout conversions included
    EXPECT_NEAR(e.layer_sum_after_ms, e.layer_sum_measured_ms, e.layer_sum_measured_ms * 0.01);
  }
}

TEST(Calibrate, RecoversKnownCudaParametersFromSyntheticProfiles) {
  placement::Target target = *placement::find_target("h100-sxm");
  TargetModel truth = *target_model(target);
  // fp32, tensor and DRAM efficiencies, kernel, library call and CUDA Graph kernel µs
  truth.cuda = {0.9, 0.2, 0.12, 6, 14, 1.5};
  truth.cuda.cudnn_fp32_efficiency = 0.7, truth.cuda.cudnn_tensor_efficiency = 0.15;  // where cuDNN runs one
  truth.cuda.fp32_k_ns = 3;  // FP32 products' walk along K
  truth.cuda.depthwise_efficiency = 0.5;
  truth.cuda.cudnn_graph_efficiency = 0.001;  // slow enough that no convolution takes cuDNN's operation graph
  truth.cuda.stem_efficiency = 0.2;  // ResNet's fused FP16 stem: the shipped value, not fitted here
  std::vector<MeasuredProfile> profiles;
  for (Precision precision : {Precision::fp32, Precision::fp16})
    for (std::string_view model : {"mobilenetv2-12", "resnet50-v1-12"})
      for (bool graph : {false, true})  // the timed loop launched from the host, or replayed as a CUDA Graph
        profiles.push_back(synthetic_profile(model, target, truth, "cuda", precision, /*with_latency=*/true, graph));
  TargetModel fitted = *target_model(target);
  // The rates and overheads these profiles exercise (the copies, element rates and graph events of the truth
  // are the shipped values): coordinate descent over all of default_fit_keys stops short of 1 % here.
  const std::vector<std::string> keys = {"cuda.fp32_efficiency",       "cuda.tensor_efficiency", "cuda.dram_efficiency",
                                         "cuda.kernel_us",             "cuda.library_call_us",   "cuda.graph_kernel_us",
                                         "cuda.cudnn_fp32_efficiency", "cuda.cudnn_tensor_efficiency",
                                         "cuda.fp32_k_ns"};
  // Given: four graph-replayed latencies cannot tell a library kernel's gap from an own kernel's.
  fitted.cuda.graph_library_us = truth.cuda.graph_library_us;
  fitted.cuda.depthwise_efficiency = truth.cuda.depthwise_efficiency;
  fitted.cuda.cudnn_graph_efficiency = truth.cuda.cudnn_graph_efficiency;
  Result<Calibration> c = calibrate(target, fitted, profiles, keys);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_NEAR(fitted.cuda.fp32_efficiency, 0.9, 0.9 * 0.01);
  // FP16 3x3 convolutions may take either form (the plan takes the one it predicts faster), which couples the
  // products' tensor rate to cuDNN's, and MobileNetV2's ReLU6 expansions (products ending with ReLU since their
  // depthwise readers clip) are bound partly by their traffic: coordinate descent stops within 3 %.
  EXPECT_NEAR(fitted.cuda.tensor_efficiency, 0.2, 0.2 * 0.03);
  EXPECT_NEAR(fitted.cuda.cudnn_fp32_efficiency, 0.7, 0.7 * 0.02);
  EXPECT_NEAR(fitted.cuda.cudnn_tensor_efficiency, 0.15, 0.15 * 0.02);
  EXPECT_NEAR(fitted.cuda.dram_efficiency, 0.12, 0.12 * 0.01);
  EXPECT_NEAR(fitted.cuda.kernel_us, 6, 6 * 0.01);
  EXPECT_NEAR(fitted.cuda.library_call_us, 14, 14 * 0.01);
  EXPECT_NEAR(fitted.cuda.graph_kernel_us, 1.5, 1.5 * 0.01);
  EXPECT_NEAR(fitted.cuda.fp32_k_ns, 3, 3 * 0.01);
  EXPECT_LT(c->objective_after, 2e-6);
}

// Profiles whose convolutions all ran on cuDNN (the backend timed them so; in FP16 every other 3x3 one as an
// operation graph, at a rate of its own), with their layers timed inside a
// replayed CUDA Graph, each holding the event node after it: calibration prices each convolution in the form
// its layer names and predicts the layers as replayed plus the event, so it recovers the parameters, the
// event's cost apart from the gap between kernels (the whole-model latency has no events). Ignoring the forms
// it would not (the plan alone takes im2col + cuBLASLt where it predicts that faster).
TEST(Calibrate, CudaLayersInTheFormTheProfileNamesAndAsTheyWereTimed) {
  placement::Target target = *placement::find_target("h100-sxm");
  TargetModel truth = *target_model(target);
  truth.cuda = {0.9, 0.2, 0.12, 6, 14, 1.5, 2.5};
  truth.cuda.cudnn_fp32_efficiency = 0.7, truth.cuda.cudnn_tensor_efficiency = 0.15;
  truth.cuda.graph_library_us = 2;
  truth.cuda.depthwise_efficiency = 0.5;
  truth.cuda.cudnn_graph_efficiency = 0.4;
  truth.cuda.stem_efficiency = 0.2;  // the shipped value (ResNet's fused FP16 stem is not fitted here)
  std::vector<MeasuredProfile> profiles;
  for (Precision precision : {Precision::fp32, Precision::fp16}) {
    MeasuredProfile p;
    p.source = "resnet50-v1-12.cuda." + std::string(precision_name(precision)) + ".json";
    p.graph = zoo_graph("resnet50-v1-12", /*optimised=*/true);
    p.plan.device = "cuda";
    p.plan.precision = precision;
    p.plan.cuda_graph = p.layers_in_graph = true;
    std::vector<NativeKernel> kernels = *native_kernels(p.graph, p.plan);
    int cudnn = 0, graphs = 0;
    for (NativeKernel& k : kernels)
      if (k.node && k.node->op == OpKind::FusedConv) {
        const std::vector<std::string> forms = cuda_conv_forms(p.graph, *k.node, precision);
        const bool graph = forms.front().starts_with("cudnn") && forms.back().starts_with("cudnn-graph") && cudnn % 2;
        k.implementation = graph ? forms.back() + ":eng41" : forms.front();
        cudnn += k.implementation.starts_with("cudnn");
        graphs += graph;
      }
    EXPECT_GT(cudnn, 10);
    EXPECT_EQ(graphs > 5, precision == Precision::fp16);
    Result<InferencePlan> plan = plan_native(p.graph, kernels, target.name, truth, p.plan);
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    for (const PlanStep& s : plan->steps) {
      p.latency_ms += step_time_us(s) / 1000;
      if (s.layer)
        p.layers.push_back({.name = s.name, .op = s.op, .device = "cuda:0",
                            .median_ms = (step_time_us(s) + truth.cuda.graph_event_us) / 1000,
                            .implementation = s.implementation});
    }
    profiles.push_back(std::move(p));
  }
  // The 1x1 products of ResNet at batch 1 are bound by their traffic and the gap, which leaves the products'
  // rates free: they are given, and the fit is over what graph-timed cuDNN layers decide.
  TargetModel fitted = *target_model(target);
  fitted.cuda.fp32_efficiency = truth.cuda.fp32_efficiency, fitted.cuda.tensor_efficiency = truth.cuda.tensor_efficiency;
  fitted.cuda.graph_library_us = truth.cuda.graph_library_us;
  fitted.cuda.depthwise_efficiency = truth.cuda.depthwise_efficiency;
  Result<Calibration> c = calibrate(target, fitted, profiles,
                                    {"cuda.dram_efficiency", "cuda.graph_kernel_us", "cuda.graph_event_us",
                                     "cuda.cudnn_fp32_efficiency", "cuda.cudnn_tensor_efficiency",
                                     "cuda.cudnn_graph_efficiency"});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_NEAR(fitted.cuda.dram_efficiency, 0.12, 0.12 * 0.01);
  // The gap and the event trade against each other in every layer; only the whole-model latency, one term
  // per profile, tells them apart, so coordinate descent gets them less close than the rates.
  EXPECT_NEAR(fitted.cuda.graph_kernel_us, 1.5, 1.5 * 0.1);
  EXPECT_NEAR(fitted.cuda.graph_event_us, 2.5, 2.5 * 0.1);
  EXPECT_NEAR(fitted.cuda.cudnn_fp32_efficiency, 0.7, 0.7 * 0.01);  // every 3x3 convolution ran on cuDNN
  EXPECT_NEAR(fitted.cuda.cudnn_tensor_efficiency, 0.15, 0.15 * 0.01);
  EXPECT_NEAR(fitted.cuda.cudnn_graph_efficiency, 0.4, 0.4 * 0.01);  // the graphs' layers at their own rate
  EXPECT_LT(c->objective_after, 1e-4);
}

// A CUDA profile measures the GPU's compute apart from the latency (CUDA events around the replayed graph). Its
// kernels here take 30 % longer than any parameter fitted below can make them: the copies' parameters, fitted
// to what the host adds besides the compute, still come out right. (Fitted to the whole latency they would
// make up for the kernels.) Staged copies (pageable host memory) time the host's staging rate; copies from
// pinned memory the copy engine's own, and the other rate leaves them alone.
TEST(Calibrate, CudaCopiesFitTheHostsPartOfTheLatencyNotTheKernels) {
  placement::Target target = *placement::find_target("h100-sxm");
  for (const bool pinned : {false, true}) {
    SCOPED_TRACE(pinned ? "pinned" : "pageable");
    TargetModel truth = *target_model(target);
    truth.memory.host_copy_gb_s = 11, truth.memory.dma_gb_s = 31, truth.memory.copy_latency_us = 15;
    MeasuredProfile p = synthetic_profile("resnet50-v1-12", target, truth, "cuda", Precision::fp16, true, true);
    p.plan.pinned_host = pinned;
    Result<InferencePlan> plan = plan_native(p.graph, target.name, truth, p.plan);
    ASSERT_TRUE(plan.ok());
    p.latency_ms = p.compute_ms = 0;
    for (const PlanStep& s : plan->steps) {
      p.latency_ms += step_time_us(s) / 1000;
      if (s.phase == bench::Phase::compute) p.compute_ms += step_time_us(s) / 1000;
    }
    ASSERT_GT(p.compute_ms, 0);
    ASSERT_LT(p.compute_ms, p.latency_ms);
    p.latency_ms += 0.3 * p.compute_ms;
    p.compute_ms *= 1.3;
    TargetModel fitted = *target_model(target);
    fitted.memory.copy_latency_us = 15;  // one profile's two copies constrain one of the two
    Result<Calibration> c = calibrate(target, fitted, {p}, {"memory.host_copy_gb_s", "memory.dma_gb_s"});
    ASSERT_TRUE(c.ok()) << c.status().message();
    if (pinned) {
      EXPECT_NEAR(fitted.memory.dma_gb_s, 31, 31 * 0.01);
      EXPECT_DOUBLE_EQ(fitted.memory.host_copy_gb_s, target_model(target)->memory.host_copy_gb_s);
    } else {
      EXPECT_NEAR(fitted.memory.host_copy_gb_s, 11, 11 * 0.01);
    }
  }
}

// A CPU profile whose timed loop was measured apart from its compute (bench's compute_ms): the kernels are fitted
// to the compute, not to the latency around it, so copies twice as long as the compute leave them where they were.
// Fitted to the latency, the efficiencies would come out about a third of the truth.
TEST(Calibrate, CpuKernelsFitTheComputeNotTheLatencyAroundIt) {
  placement::Target target = *placement::find_target("epyc-zen5-2c");
  TargetModel truth = *target_model(target);
  truth.cpu.conv_efficiency = 0.55, truth.cpu.depthwise_efficiency = 0.21, truth.cpu.matrix_overhead_us = 2.5;
  std::vector<MeasuredProfile> measured;  // made once: only the latency around the compute differs below
  for (const char* model : {"mobilenetv2-12", "resnet50-v1-12"}) {
    measured.push_back(synthetic_profile(model, target, truth, "cpu", Precision::fp32, /*with_latency=*/true));
    measured.back().compute_ms = measured.back().latency_ms;
  }
  for (const double latency_over_compute : {1.05, 3.0}) {
    SCOPED_TRACE(latency_over_compute);
    std::vector<MeasuredProfile> profiles = measured;
    for (MeasuredProfile& p : profiles) p.latency_ms = p.compute_ms * latency_over_compute;
    TargetModel fitted = *target_model(target);
    Result<Calibration> c = calibrate(target, fitted, profiles, default_fit_keys("cpu"));
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_NEAR(fitted.cpu.conv_efficiency, 0.55, 0.55 * 0.01);
    EXPECT_NEAR(fitted.cpu.depthwise_efficiency, 0.21, 0.21 * 0.01);
    EXPECT_NEAR(fitted.cpu.matrix_overhead_us, 2.5, 2.5 * 0.01);
  }
}

TEST(Calibrate, TheWholeModelLatencyPullsTheFit) {
  // Profiles whose layers say one thing and whose timed loop says 30% more (what kernels cost in sequence
  // beyond their own time): the fitted target predicts a whole inference between the two.
  placement::Target target = *placement::find_target("epyc-zen5-2c");
  TargetModel truth = *target_model(target);
  std::vector<MeasuredProfile> profiles = {synthetic_profile("mobilenetv2-12", target, truth, "cpu", Precision::fp32, true)};
  const double layers_ms = profiles[0].latency_ms;
  profiles[0].latency_ms *= 1.3;
  TargetModel fitted = *target_model(target);
  Result<Calibration> c = calibrate(target, fitted, profiles, default_fit_keys("cpu"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  Result<InferencePlan> plan = plan_native(profiles[0].graph, target.name, fitted, profiles[0].plan);
  ASSERT_TRUE(plan.ok());
  double total_ms = 0;
  for (const PlanStep& s : plan->steps) total_ms += step_time_us(s) / 1000;
  EXPECT_GT(total_ms, layers_ms * 1.05);
  EXPECT_LT(total_ms, layers_ms * 1.3);
}

TEST(Calibrate, RejectsProfilesThatMatchNoKernel) {
  placement::Target target = *placement::find_target("epyc-zen5-2c");
  TargetModel model = *target_model(target);
  MeasuredProfile p = synthetic_profile("mobilenetv2-12", target, model);
  for (bench::LayerProfile& l : p.layers) l.name = "renamed " + l.name;
  Result<Calibration> c = calibrate(target, model, {p}, default_fit_keys("cpu"));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("mobilenetv2-12.cpu.fp32.json"), std::string::npos) << c.status().message();
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
