// The native plan (edgescope's own backends): the CPU backend's compiled steps (or one CUDA kernel per
// non-view node), named as the backend's profile names them, with hand-checked roofline costs.
#include "sim/native_plan.h"

#include "placement/target.h"
#include "runtime/compile.h"
#include "sim/calibrate.h"
#include "sim_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace es::sim {
namespace {

using testing::zoo_graph;

struct CpuPlan {
  Graph graph;
  InferencePlan plan;
  TargetModel model;
};

CpuPlan cpu_plan(std::string_view model_name) {
  CpuPlan p{zoo_graph(model_name, true), {}, *target_model(*placement::find_target("epyc-zen5-2c"))};
  PlanOptions o;
  o.device = "cpu";
  o.precision = Precision::fp32;
  o.threads = 1;
  Result<InferencePlan> plan = plan_native(p.graph, "epyc-zen5-2c", p.model, o);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  p.plan = std::move(plan.value());
  return p;
}

const PlanStep* find_step(const InferencePlan& plan, const std::string& name) {
  for (const PlanStep& s : plan.steps)
    if (s.name == name) return &s;
  return nullptr;
}

TEST(NativePlan, PlansEveryStepTheCpuBackendProfilesInOrder) {
  // ResNet-50's 3x3 convolutions run as Winograd, which reads another layout: the program has a Reorder.
  CpuPlan p = cpu_plan("resnet50-v1-12");
  CompileOptions one_thread;
  one_thread.threads = 1;
  Result<std::unique_ptr<Executable>> exe = compile(p.graph, one_thread);
  ASSERT_TRUE(exe.ok()) << exe.status().message();
  Result<std::vector<LayerTime>> measured = (*exe)->profile_layers();
  ASSERT_TRUE(measured.ok());
  std::vector<std::pair<std::string, std::string>> planned, profiled;
  for (const PlanStep& s : p.plan.steps)
    if (s.layer) planned.emplace_back(s.name, s.op);
  for (const LayerTime& t : *measured) profiled.emplace_back(t.name, t.op);
  EXPECT_EQ(planned, profiled);
  EXPECT_TRUE(std::any_of(profiled.begin(), profiled.end(), [](const auto& l) { return l.second == "Reorder"; }));
}

TEST(NativePlan, CpuKernelsKnowTheirImplementation) {
  Graph g = zoo_graph("resnet50-v1-12", true);
  PlanOptions o;
  o.device = "cpu";
  o.threads = 1;
  Result<std::vector<NativeKernel>> kernels = native_kernels(g, o);
  ASSERT_TRUE(kernels.ok()) << kernels.status().message();
  size_t winograd = 0;
  for (const NativeKernel& k : *kernels) {
    EXPECT_FALSE(k.implementation.empty()) << k.name;
    EXPECT_EQ(k.node == nullptr, k.op == "Reorder") << k.name;  // every other step runs a node of the graph
    if (k.node) {
      EXPECT_EQ(k.op, op_name(k.node->op)) << k.name;
    }
    EXPECT_GT(k.write_bytes, 0) << k.name;
    winograd += k.implementation.find("wino") != std::string::npos;
  }
  EXPECT_GT(winograd, 0u);
}

TEST(NativePlan, FirstConvolutionCostsItsRoofline) {
  CpuPlan p = cpu_plan("mobilenetv2-12");
  const PlanStep* conv = find_step(p.plan, "Conv_0+Clip_1");  // 3 -> 32 channels, 3x3 stride 2, 224 -> 112
  ASSERT_NE(conv, nullptr);
  const CpuParameters& c = p.model.cpu;
  // Output channels padded to the 16 vector lanes: 32 stays 32. FLOPs = 2 x 112^2 x 32 x (3 x 3 x 3), less the
  // taps in the padding: the first output of each axis reads 2 of its 3 taps, so 112^2 x (335 / 336)^2 = 12469
  // full rows.
  // A stem (3 input channels): at cpu.stem_efficiency.
  const double flops = 2.0 * 12469 * 32 * 27;
  const double peak_flops_per_us = c.clock_ghz * c.fp32_flops_per_clock * 1e3 * c.stem_efficiency;  // 1 thread
  // Input, weights, bias and output, FP32, as the compiled program holds them (no channel padding here): 1.8 MB,
  // in the L3 share, at its rate for convolutions if that outlasts the arithmetic, and no share of the DRAM.
  const double bytes = 4.0 * (3 * 224 * 224 + 32 * 27 + 32 + 32 * 112 * 112);
  EXPECT_NEAR(conv->compute_us, std::max(flops / peak_flops_per_us, bytes / (c.conv_l3_bandwidth_gb_s * 1e3)), 1e-6);
  EXPECT_EQ(conv->dram_bytes, 0);
  EXPECT_DOUBLE_EQ(conv->fixed_us, c.matrix_overhead_us);
  EXPECT_EQ(conv->engine, EngineKind::cpu);
}

TEST(NativePlan, DepthwiseFillsVectorLanesWithChannels) {
  CpuPlan p = cpu_plan("mobilenetv2-12");
  const PlanStep* dw = find_step(p.plan, "Conv_80+Clip_81");  // depthwise 3x3 over 960 channels at 7x7 (oneDNN)
  ASSERT_NE(dw, nullptr);
  const CpuParameters& c = p.model.cpu;
  // At 7x7 the one-pixel padding holds 2 of each axis' 21 (output, tap) pairs: 49 x (19 / 21)^2 = 40 full rows.
  const double flops = 2.0 * 40 * 960 * 9;
  EXPECT_NEAR(dw->compute_us, flops / (c.clock_ghz * c.fp32_flops_per_clock * 1e3 * c.depthwise_efficiency), 1e-6);
}

TEST(NativePlan, FusedInvertedResidualBlockCostsItsLayersArithmeticAndOnlyItsOwnTraffic) {
  CpuPlan p = cpu_plan("mobilenetv2-12");
  // The first block the CPU backend fuses (AVX-512): expand 16 -> 96 channels at 112x112, depthwise 3x3 stride 2
  // to 56x56, project to 24 channels.
  const PlanStep* block = find_step(p.plan, "Conv_5+Clip_6+Conv_7+Clip_8+Conv_9");
  if (!block) GTEST_SKIP() << "this CPU runs the block as separate oneDNN primitives";
  const CpuParameters& c = p.model.cpu;
  const double peak_flops_per_us = c.clock_ghz * c.fp32_flops_per_clock * 1e3;  // 1 thread
  // The projection's 24 output channels fill two vector blocks of 16 lanes: 32 are computed.
  // The depthwise layer skips its taps in the padding (1 of each axis' 168): 56^2 x (167 / 168)^2 = 3099 rows.
  const double expand_flops = 2.0 * 112 * 112 * 16 * 96, depthwise_flops = 2.0 * 3099 * 96 * 9,
               project_flops = 2.0 * 56 * 56 * 96 * 32;
  EXPECT_NEAR(block->compute_us,
              (expand_flops + project_flops) / (peak_flops_per_us * c.conv_efficiency) +
                  depthwise_flops / (peak_flops_per_us * c.depthwise_efficiency),
              1e-6);
  // Its own kernel: the arithmetic at cpu.fused_block_rate of oneDNN's rates for its layers' classes.
  TargetModel slower = p.model;
  slower.cpu.fused_block_rate = 0.8;
  PlanOptions o;
  o.device = "cpu";
  o.precision = Precision::fp32;
  o.threads = 1;
  Result<InferencePlan> again = plan_native(p.graph, "epyc-zen5-2c", slower, o);
  ASSERT_TRUE(again.ok()) << again.status().message();
  const PlanStep* slow_block = find_step(*again, block->name);
  ASSERT_NE(slow_block, nullptr);
  EXPECT_NEAR(slow_block->compute_us, block->compute_us / 0.8, 1e-6);
  // Block input and output plus its packed weights (the expanded tensor never reaches memory), 1.1 MB: in the
  // L3 share, no share of the DRAM, and shorter there than the arithmetic.
  EXPECT_EQ(block->dram_bytes, 0);
  EXPECT_DOUBLE_EQ(block->fixed_us, c.matrix_overhead_us);
}

TEST(NativePlan, ViewsCostNothingAndTheCpuHasNoSynchronisation) {
  CpuPlan p = cpu_plan("resnet50-v1-12");
  for (const PlanStep& s : p.plan.steps) {
    EXPECT_NE(s.op, "Reshape");
    EXPECT_NE(s.op, "Flatten");
    EXPECT_NE(s.op, "Sync");
  }
  EXPECT_EQ(p.plan.steps.front().op, "Copy");
  EXPECT_EQ(p.plan.steps.back().op, "Copy");
}

TEST(NativePlan, ErrorsNameTheDeviceAndTarget) {
  Graph g = zoo_graph("mobilenetv2-12", true);
  PlanOptions o;
  o.device = "cpu";
  o.precision = Precision::fp16;
  TargetModel cpu = *target_model(*placement::find_target("epyc-zen5-2c"));
  auto fp16 = plan_native(g, "epyc-zen5-2c", cpu, o);
  ASSERT_FALSE(fp16.ok());
  EXPECT_NE(fp16.status().message().find("--precision fp16"), std::string::npos);
  o.device = "cuda";
  auto no_gpu = plan_native(g, "epyc-zen5-2c", cpu, o);
  ASSERT_FALSE(no_gpu.ok());
  EXPECT_NE(no_gpu.status().message().find("describes no GPU"), std::string::npos);
  TargetModel orin = *target_model(*placement::find_target("orin-agx-32gb"));
  o.device = "cpu";
  o.precision = Precision::fp32;
  auto no_cpu = plan_native(g, "orin-agx-32gb", orin, o);
  ASSERT_FALSE(no_cpu.ok());
  EXPECT_NE(no_cpu.status().message().find("describes no CPU"), std::string::npos);
  o.device = "cuda";
  auto no_cuda = plan_native(g, "orin-agx-32gb", orin, o);
  ASSERT_FALSE(no_cuda.ok());
  EXPECT_NE(no_cuda.status().message().find("no cuda group"), std::string::npos) << no_cuda.status().message();
}

TEST(NativePlan, CudaConvolutionsAreLibraryCallsAndTheRunEndsWithASynchronisation) {
  Graph g = zoo_graph("resnet50-v1-12", true);
  TargetModel h100 = *target_model(*placement::find_target("h100-sxm"));
  PlanOptions o;
  o.device = "cuda";
  o.precision = Precision::fp32;
  Result<InferencePlan> plan = plan_native(g, "h100-sxm", h100, o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->steps.back().op, "Sync");
  for (const PlanStep& s : plan->steps)
    if (s.op == "FusedConv") {
      EXPECT_EQ(s.engine, EngineKind::gpu);
      // cuDNN or cuBLASLt, after the backend's own im2col kernel in that form (ResNet's bias + ReLU is fused).
      const double im2col = s.implementation == "im2col+cublaslt" ? h100.cuda.kernel_us : 0;
      // The stem (3 input channels) first copies its input into its own channels-last buffer, an own kernel.
      const double pack = s.name.starts_with("resnetv17_conv0_fwd") ? h100.cuda.kernel_us : 0;
      EXPECT_TRUE(s.implementation == "cudnn" || s.implementation == "cublaslt" || im2col > 0) << s.implementation;
      EXPECT_DOUBLE_EQ(s.fixed_us, h100.cuda.library_call_us + im2col + pack) << s.name;
      EXPECT_GT(s.compute_us, 0);
    } else if (s.op == "MaxPool") {
      EXPECT_DOUBLE_EQ(s.fixed_us, h100.cuda.kernel_us);  // the backend's own kernel
    }
}

const PlanStep* first_copy_in(const InferencePlan& plan) {
  for (const PlanStep& s : plan.steps)
    if (s.op == "Copy" && s.engine == EngineKind::copy_h2d) return &s;
  return nullptr;
}

// edgescope stages a large input on several cores before the copy engine moves it: of the host rate (one
// core staging, then the DMA) only the staging divides among the pieces (target_model.h).
TEST(NativePlan, LargeCopiesStageOnSeveralCores) {
  MemoryParameters m;
  m.host_copy_gb_s = 10;
  m.dma_gb_s = 50;
  m.staging_threads = 8;
  EXPECT_DOUBLE_EQ(host_copy_rate_gb_s(m, 3e6), 10);  // one piece
  // 19.3 MB: 4 pieces, 1 / (1/50 + (1/10 - 1/50) / 4) = 25 GB/s
  EXPECT_NEAR(host_copy_rate_gb_s(m, 19.3e6), 25, 1e-9);
  // The host's staging ceiling: 4 pieces would stage 4 x 12.5 GB/s, the host does 20 at most, so
  // 1 / (1/50 + 1/20) = 14.3 GB/s; one piece is one core's rate, below any ceiling.
  m.staging_gb_s = 20;
  EXPECT_NEAR(host_copy_rate_gb_s(m, 19.3e6), 1 / (1 / 50.0 + 1 / 20.0), 1e-9);
  EXPECT_DOUBLE_EQ(host_copy_rate_gb_s(m, 3e6), 10);
  m.staging_gb_s = 0;
  m.staging_threads = 0;
  EXPECT_DOUBLE_EQ(host_copy_rate_gb_s(m, 19.3e6), 10);

  const Graph g = zoo_graph("resnet50-v1.5", true, 32);
  TargetModel h100 = *target_model(*placement::find_target("h100-sxm"));
  PlanOptions o;
  o.device = "cuda";
  o.pinned_host = false;  // bench --host-memory pageable
  Result<InferencePlan> plan = plan_native(g, "h100-sxm", h100, o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const PlanStep* copy_in = first_copy_in(*plan);
  ASSERT_NE(copy_in, nullptr);
  EXPECT_DOUBLE_EQ(copy_in->dram_bytes, 32.0 * 3 * 224 * 224 * 4);
  EXPECT_GT(copy_in->bandwidth_gb_s, h100.memory.host_copy_gb_s);
  EXPECT_DOUBLE_EQ(copy_in->bandwidth_gb_s, host_copy_rate_gb_s(h100.memory, copy_in->dram_bytes));
}

// bench's default: the inputs and outputs lie in pinned host memory and the copy engine moves them directly, so a
// copy of any size goes at the engine's rate, without staging.
TEST(NativePlan, PinnedCopiesGoAtTheCopyEnginesRate) {
  TargetModel h100 = *target_model(*placement::find_target("h100-sxm"));
  ASSERT_GT(h100.memory.dma_gb_s, host_copy_rate_gb_s(h100.memory, 19.3e6));
  for (const int64_t batch : {1, 32}) {
    const Graph g = zoo_graph("resnet50-v1.5", true, batch);
    PlanOptions o;
    o.device = "cuda";
    Result<InferencePlan> plan = plan_native(g, "h100-sxm", h100, o);
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    for (const PlanStep& s : plan->steps) {
      if (s.op != "Copy") continue;
      EXPECT_DOUBLE_EQ(s.bandwidth_gb_s, h100.memory.dma_gb_s) << s.name;
    }
    ASSERT_NE(first_copy_in(*plan), nullptr);
  }
}

}  // namespace
}  // namespace es::sim
