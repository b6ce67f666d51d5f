// The native plan's cost per kernel class (sim/kernel_class.h), each checked by hand against its formula on a
// small graph with kernels as the backends would name them. Every parameter of the target gets a value of
// its own, so a term that reads the wrong parameter, counts the wrong elements or bytes, or lands in the
// wrong class fails its test.
#include "sim/native_plan.h"

#include "backends/ref/ref_kernels.h"
#include "ir/builder.h"
#include "ir/shape_inference.h"
#include "placement/target.h"

#include <gtest/gtest.h>

namespace es::sim {
namespace {

// x [1,32,56,56] and the nodes the tests cost, each an output of the graph.
struct CostGraph {
  Graph graph;
  const Node& node(OpKind op) const {
    for (const Node& n : graph.nodes)
      if (n.op == op) return n;
    ADD_FAILURE() << "no " << op_name(op);
    return graph.nodes.front();
  }
};

CostGraph cost_graph() {
  GraphBuilder b("costs");
  ValueId x = b.input("x", DType::f32, {1, 32, 56, 56});
  std::vector<ValueId> outs;
  outs.push_back(b.op(OpKind::Conv, {x, b.initializer("w", Tensor(DType::f32, {32, 32, 3, 3}))},
                      {{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  outs.push_back(b.op(OpKind::Resize, {x, kNoValue, b.initializer("scales", Tensor::from_vector<float>({4}, {1, 1, 2, 2}))},
                      {{"mode", std::string("nearest")}}));
  outs.push_back(b.op(OpKind::Sigmoid, {x}));
  outs.push_back(b.op(OpKind::Mul, {x, b.initializer("scale", Tensor(DType::f32, {1, 32, 1, 1}))}));
  outs.push_back(b.op(OpKind::Add, {x, b.initializer("three", Tensor::scalar<float>(3))}));
  outs.push_back(b.op(OpKind::Concat, {x, x}, {{"axis", int64_t{1}}}));
  outs.push_back(b.op(OpKind::Transpose, {x}, {{"perm", std::vector<int64_t>{0, 2, 3, 1}}}));
  outs.push_back(b.op(OpKind::Softmax, {x}));
  outs.push_back(b.op(OpKind::ReduceMean, {x}, {{"axes", std::vector<int64_t>{2, 3}}}));
  outs.push_back(b.op(OpKind::MaxPool, {x}, {{"kernel_shape", std::vector<int64_t>{3, 3}},
                                              {"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  outs.push_back(b.op(OpKind::GlobalAveragePool, {x}));
  // A 1x1 convolution over many channels at a small spatial size (a late ResNet layer's shape).
  ValueId features = b.input("features", DType::f32, {1, 2048, 7, 7});
  outs.push_back(b.op(OpKind::Conv, {features, b.initializer("w1x1", Tensor(DType::f32, {64, 2048, 1, 1}))}));
  // UltraFace's boxes: a rank-3 tensor with two elements per row, divided by a scalar.
  ValueId boxes = b.input("boxes", DType::f32, {1, 4420, 2});
  outs.push_back(b.op(OpKind::Div, {boxes, b.initializer("two", Tensor::scalar<float>(2))}));
  for (ValueId v : outs) b.output(v);
  CostGraph g{b.build()};
  Status shapes = infer_shapes(g.graph, ref::evaluator());
  EXPECT_TRUE(shapes.ok()) << shapes.message();
  return g;
}

constexpr double kX = 32.0 * 56 * 56;  // elements of x

TargetModel cpu_model() {
  TargetModel m = *target_model(*placement::find_target("epyc-zen5-2c"));
  CpuParameters& c = m.cpu;
  c.conv_efficiency = 0.7, c.winograd_efficiency = 1.9, c.depthwise_efficiency = 0.3;
  c.bandwidth_gb_s = 31, c.l2_kib = 1024, c.l3_kib = 4096;
  c.conv_l2_bandwidth_gb_s = 61, c.conv_l3_bandwidth_gb_s = 43, c.stem_efficiency = 0.45;
  c.warm_call_fraction = 1;  // the tests' small graphs cost cold calls, unless a test says otherwise
  c.stream_l2_bandwidth_gb_s = 170, c.stream_l3_bandwidth_gb_s = 95, c.stream_dram_bandwidth_gb_s = 45;
  c.reorder_efficiency = 0.3, c.vector_math_ns_per_element = 0.21, c.broadcast_ns_per_element = 0.37;
  c.broadcast_row_ns = 7.5, c.matrix_overhead_us = 2.3, c.eltwise_overhead_us = 0.9, c.reorder_overhead_us = 1.7;
  c.reference_overhead_us = 3.1, c.reference_ns_per_element = 1.1, c.reference_run_ns = 2.3;
  c.reference_math_ns_per_element = 7.7, c.resize_ns_per_element = 23, c.onednn_reference_ns_per_element = 51;
  return m;
}

// The plan's only kernel step (the copies of the graph's inputs come first).
const PlanStep& layer_step(const InferencePlan& plan) {
  for (const PlanStep& s : plan.steps)
    if (s.layer) return s;
  ADD_FAILURE() << "no kernel step";
  return plan.steps.front();
}

// The step of one kernel on `model`, on `threads` CPU threads.
PlanStep cost(const CostGraph& g, const NativeKernel& k, const TargetModel& model, int threads = 1) {
  PlanOptions o;
  o.device = "cpu";
  o.precision = Precision::fp32;
  o.threads = threads;
  Result<InferencePlan> plan = plan_native(g.graph, {k}, "epyc-zen5-2c", model, o);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? layer_step(*plan) : PlanStep{};
}

NativeKernel kernel(const Node& node, std::string implementation, double read_bytes, double write_bytes) {
  return {.name = node.name, .op = std::string(op_name(node.op)), .implementation = std::move(implementation), .node = &node,
          .read_bytes = read_bytes, .write_bytes = write_bytes};
}

TEST(NativeCost, ReferenceKernelsCostTheirElementsByWhatTheyCompute) {
  CostGraph g = cost_graph();
  TargetModel m = cpu_model();
  const CpuParameters& c = m.cpu;
  // Resize writes 4x the elements of x, each at Resize's own rate.
  PlanStep resize = cost(g, kernel(g.node(OpKind::Resize), "reference", 4 * kX, 16 * kX), m);
  EXPECT_NEAR(resize.compute_us, 4 * kX * c.resize_ns_per_element / 1000, 1e-9);
  EXPECT_DOUBLE_EQ(resize.fixed_us, c.reference_overhead_us);
  EXPECT_EQ(resize.dram_bytes, 0);
  // Transpose maps an index per element written and carries at the end of each of its output's 56 x 56 rows
  // of 32; Softmax calls a transcendental function per element.
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Transpose), "reference", 4 * kX, 4 * kX), m).compute_us,
              (kX * c.reference_ns_per_element + 56 * 56 * c.reference_run_ns) / 1000, 1e-9);
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Softmax), "reference", 4 * kX, 4 * kX), m).compute_us,
              kX * c.reference_math_ns_per_element / 1000, 1e-9);
  // A reduction visits every element it reads (x), not the 32 it writes.
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::ReduceMean), "reference", 4 * kX, 128), m).compute_us,
              kX * c.reference_ns_per_element / 1000, 1e-9);
  // Concat copies contiguous runs: a streaming kernel; 2 x 400 KB read and 800 KB written exceed the 1 MiB
  // L2 but fit the L3, so it streams at the L3's rate; scalar code, so the reference overhead.
  PlanStep concat = cost(g, kernel(g.node(OpKind::Concat), "reference", 8 * kX, 8 * kX), m);
  EXPECT_NEAR(concat.compute_us, 16 * kX / (c.stream_l3_bandwidth_gb_s * 1e3), 1e-9);
  EXPECT_EQ(concat.dram_bytes, 0);
  EXPECT_DOUBLE_EQ(concat.fixed_us, c.reference_overhead_us);
  // oneDNN's reference implementation ("ref:any") has its own rate per element written, and is scalar code.
  PlanStep onednn_reference = cost(g, kernel(g.node(OpKind::Add), "ref:any", 4 * kX, 4 * kX), m);
  EXPECT_NEAR(onednn_reference.compute_us, kX * c.onednn_reference_ns_per_element / 1000, 1e-9);
  EXPECT_DOUBLE_EQ(onednn_reference.fixed_us, c.reference_overhead_us);
  // Spread over two threads.
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Resize), "reference", 4 * kX, 16 * kX), m, 2).compute_us,
              4 * kX * c.resize_ns_per_element / 2 / 1000, 1e-9);
}

TEST(NativeCost, StreamingKernelsRunAtTheRateOfTheCacheLevelTheirTrafficFits) {
  CostGraph g = cost_graph();
  TargetModel m = cpu_model();
  const CpuParameters& c = m.cpu;
  // 400 KB in and out: within the 1 MiB L2, at its rate, and no share of the DRAM; a oneDNN primitive's call.
  PlanStep small = cost(g, kernel(g.node(OpKind::Add), "jit:uni", 4 * kX, 4 * kX), m);
  EXPECT_NEAR(small.compute_us, 8 * kX / (c.stream_l2_bandwidth_gb_s * 1e3), 1e-9);
  EXPECT_EQ(small.dram_bytes, 0);
  EXPECT_DOUBLE_EQ(small.fixed_us, c.eltwise_overhead_us);
  // With a blocked layout that pads it to 2 MB of traffic it leaves the L2 and stays in the 4 MiB L3.
  PlanStep middle = cost(g, kernel(g.node(OpKind::Add), "jit:uni", 1e6, 1e6), m);
  EXPECT_NEAR(middle.compute_us, 2e6 / (c.stream_l3_bandwidth_gb_s * 1e3), 1e-9);
  EXPECT_EQ(middle.dram_bytes, 0);
  // On two threads each core's L2 holds half of it: the L2's rate, on both cores.
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Add), "jit:uni", 1e6, 1e6), m, 2).compute_us,
              2e6 / (2 * c.stream_l2_bandwidth_gb_s * 1e3), 1e-9);
  // 8 MB exceed the L3: DRAM at the rate beyond the caches, a share of the DRAM.
  PlanStep large = cost(g, kernel(g.node(OpKind::Add), "jit:uni", 4e6, 4e6), m);
  EXPECT_DOUBLE_EQ(large.dram_bytes, 8e6);
  EXPECT_DOUBLE_EQ(large.bandwidth_gb_s, c.stream_dram_bandwidth_gb_s);
  // A layout conversion (no node): its fraction of the rate of the level it fits in, its own overhead.
  NativeKernel in_l3{.name = "reorder x", .op = "Reorder", .implementation = "jit:uni", .read_bytes = 1e6, .write_bytes = 1e6};
  PlanStep r = cost(g, in_l3, m);
  EXPECT_NEAR(r.compute_us, 2e6 / (c.reorder_efficiency * c.stream_l3_bandwidth_gb_s * 1e3), 1e-9);
  EXPECT_EQ(r.dram_bytes, 0);
  EXPECT_DOUBLE_EQ(r.fixed_us, c.reorder_overhead_us);
  NativeKernel beyond{.name = "reorder x", .op = "Reorder", .implementation = "jit:uni", .read_bytes = 4e6, .write_bytes = 4e6};
  EXPECT_DOUBLE_EQ(cost(g, beyond, m).bandwidth_gb_s, c.reorder_efficiency * c.stream_dram_bandwidth_gb_s);
  // Pooling does a window's arithmetic per output: 3 x 3 per element of x (at the CPU's peak, one thread).
  PlanStep pool = cost(g, kernel(g.node(OpKind::MaxPool), "jit:avx512_core", 4e6, 4e6), m);
  EXPECT_NEAR(pool.compute_us, 9 * kX / (c.clock_ghz * c.fp32_flops_per_clock * 1e3), 1e-9);
  EXPECT_DOUBLE_EQ(pool.fixed_us, c.eltwise_overhead_us);
  PlanStep global = cost(g, kernel(g.node(OpKind::GlobalAveragePool), "jit:avx512_core", 8e6, 128), m);
  EXPECT_NEAR(global.compute_us, kX / (c.clock_ghz * c.fp32_flops_per_clock * 1e3), 1e-9);
}

TEST(NativeCost, VectorMathAndChannelBroadcastsCostPerElement) {
  CostGraph g = cost_graph();
  TargetModel m = cpu_model();
  const CpuParameters& c = m.cpu;
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Sigmoid), "jit:avx512_core", 4 * kX, 4 * kX), m).compute_us,
              kX * c.vector_math_ns_per_element / 1000, 1e-9);
  // x * scale[1,32,1,1] broadcasts a per-channel operand; x + 3 a scalar, which streams.
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Mul), "jit:uni", 4 * kX, 4 * kX), m).compute_us,
              kX * c.broadcast_ns_per_element / 1000, 1e-9);
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Add), "jit:uni", 4 * kX, 4 * kX), m).compute_us,
              8 * kX / (c.stream_l2_bandwidth_gb_s * 1e3), 1e-9);
}

TEST(NativeCost, BroadcastsOverRankThreeTensorsCostACallPerRow) {
  CostGraph g = cost_graph();
  TargetModel m = cpu_model();
  const CpuParameters& c = m.cpu;
  // boxes [1,4420,2] / 2: oneDNN calls its kernel once per row of two, 4420 times, each call streaming its
  // own row: the calls plus the 70 KB of traffic at the L2's rate.
  const double traffic_us = 8 * 8840 / (c.stream_l2_bandwidth_gb_s * 1e3);
  PlanStep div = cost(g, kernel(g.node(OpKind::Div), "jit:uni", 4 * 8840, 4 * 8840), m);
  EXPECT_NEAR(div.compute_us, 4420 * c.broadcast_row_ns / 1000 + traffic_us, 1e-9);
  EXPECT_DOUBLE_EQ(div.fixed_us, c.eltwise_overhead_us);
  EXPECT_EQ(div.dram_bytes, 0);
  // The rows are split over the threads, as is the traffic (each thread streams through its own L2).
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Div), "jit:uni", 4 * 8840, 4 * 8840), m, 2).compute_us,
              (4420 * c.broadcast_row_ns / 1000 + traffic_us) / 2, 1e-9);
}

TEST(NativeCost, BroadcastCallsAndTheirTrafficAddUp) {
  CostGraph g = cost_graph();
  TargetModel m = cpu_model();
  // The calls do not hide the traffic, nor the traffic the calls: with an L2 as slow as the calls (70 KB in
  // as long as 4420 calls take), the kernel takes twice as long as either.
  const double calls_us = 4420 * m.cpu.broadcast_row_ns / 1000;
  m.cpu.stream_l2_bandwidth_gb_s = 8 * 8840 / (calls_us * 1e3);
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Div), "jit:uni", 4 * 8840, 4 * 8840), m).compute_us, 2 * calls_us, 1e-9);
}

// A graph of one binary or matrix node over `a` and a constant of shape `b`.
CostGraph one_node_graph(OpKind op, const Shape& a, const Shape& b) {
  GraphBuilder builder("one node");
  ValueId x = builder.input("x", DType::f32, a);
  builder.output(builder.op(op, {x, builder.initializer("b", Tensor(DType::f32, b))}));
  CostGraph g{builder.build()};
  Status shapes = infer_shapes(g.graph, ref::evaluator());
  EXPECT_TRUE(shapes.ok()) << shapes.message();
  return g;
}

TEST(NativeCost, BroadcastsOverTheBatchOnlyStream) {
  // UltraFace's priors [1,4420,2] added to the boxes of two images: one same-shape Add per image, at the L2's
  // streaming rate, not 2 x 4420 calls on rows of two.
  CostGraph g = one_node_graph(OpKind::Add, {2, 4420, 2}, {1, 4420, 2});
  TargetModel m = cpu_model();
  const double read = 4 * (17680 + 8840), written = 4 * 17680;
  PlanStep add = cost(g, kernel(g.node(OpKind::Add), "jit:uni", read, written), m);
  EXPECT_NEAR(add.compute_us, (read + written) / (m.cpu.stream_l2_bandwidth_gb_s * 1e3), 1e-9);
  EXPECT_DOUBLE_EQ(add.fixed_us, m.cpu.eltwise_overhead_us);
  // A scalar over the same boxes is still called per row.
  CostGraph scaled = one_node_graph(OpKind::Mul, {2, 4420, 2}, {});
  EXPECT_NEAR(cost(scaled, kernel(scaled.node(OpKind::Mul), "jit:uni", 4 * 17680, 4 * 17680), m).compute_us,
              2 * 4420 * m.cpu.broadcast_row_ns / 1000 + 8 * 17680 / (m.cpu.stream_l2_bandwidth_gb_s * 1e3), 1e-9);
}

TEST(NativeCost, ReferenceCopiesPayForTheirRuns) {
  TargetModel m = cpu_model();
  const CpuParameters& c = m.cpu;
  // UltraFace's boxes: two [1,4420,2] concatenated along their last axis are 2 x 4420 copies of 8 bytes, which
  // take longer than their 141 KB of traffic at the L2's rate.
  GraphBuilder b("runs");
  ValueId centers = b.input("centers", DType::f32, {1, 4420, 2});
  ValueId sizes = b.input("sizes", DType::f32, {1, 4420, 2});
  b.output(b.op(OpKind::Concat, {centers, sizes}, {{"axis", int64_t{2}}}));
  ValueId boxes = b.input("boxes", DType::f32, {1, 4420, 4});
  b.output(b.op(OpKind::Slice, {boxes, b.initializer("starts", Tensor::from_vector<int64_t>({1}, {0})),
                                b.initializer("ends", Tensor::from_vector<int64_t>({1}, {2})),
                                b.initializer("axes", Tensor::from_vector<int64_t>({1}, {2}))}));
  CostGraph g{b.build()};
  ASSERT_TRUE(infer_shapes(g.graph, ref::evaluator()).ok());
  PlanStep concat = cost(g, kernel(g.node(OpKind::Concat), "reference", 4 * 17680, 4 * 17680), m);
  EXPECT_NEAR(concat.compute_us, 2 * 4420 * c.reference_run_ns / 1000, 1e-9);
  EXPECT_DOUBLE_EQ(concat.fixed_us, c.reference_overhead_us);
  // The first two of four columns: 8840 elements and 4420 rows of two.
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Slice), "reference", 4 * 17680, 4 * 8840), m).compute_us,
              (8840 * c.reference_ns_per_element + 4420 * c.reference_run_ns) / 1000, 1e-9);
  // The runs are split over the threads.
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Concat), "reference", 4 * 17680, 4 * 17680), m, 2).compute_us,
              4420 * c.reference_run_ns / 1000, 1e-9);
}

TEST(NativeCost, ConvolutionsSkipTheTapsInTheirPadding) {
  // A 5x5 depthwise convolution over 3 rows of 96 with 2 pixels of padding (PP-OCR's late layers): each output
  // row reads 3 of its 5 kernel rows, and 474 of the 480 (column, tap) pairs read the input: 3 x 96 x 0.6 x
  // 474 / 480 = 170.6 of 288 rows' taps, in 2 vector blocks of 16 channels.
  GraphBuilder b("padding");
  ValueId x = b.input("x", DType::f32, {1, 32, 3, 96});
  b.output(b.op(OpKind::Conv, {x, b.initializer("w", Tensor(DType::f32, {32, 1, 5, 5}))},
                {{"group", int64_t{32}}, {"kernel_shape", std::vector<int64_t>{5, 5}},
                 {"pads", std::vector<int64_t>{2, 2, 2, 2}}}));
  CostGraph g{b.build()};
  ASSERT_TRUE(infer_shapes(g.graph, ref::evaluator()).ok());
  TargetModel m = cpu_model();
  const CpuParameters& c = m.cpu;
  PlanStep depthwise = cost(g, kernel(g.node(OpKind::Conv), "brdgmm_dw:avx512_core", 4 * 9216 + 3200, 4 * 9216), m);
  EXPECT_NEAR(depthwise.compute_us,
              2.0 * 32 * 171 * 25 / (c.clock_ghz * c.fp32_flops_per_clock * 1e3 * c.depthwise_efficiency), 1e-9);
}

// A convolution to `channels` channels at 24x96 run by `conv_implementation`, then x + 3 on oneDNN: the Add's
// plan step.
PlanStep add_after_conv(int64_t channels, const std::string& conv_implementation, const TargetModel& m) {
  GraphBuilder b("hard-swish");
  ValueId x = b.input("x", DType::f32, {1, 16, 24, 96});
  ValueId y = b.op(OpKind::Conv, {x, b.initializer("w", Tensor(DType::f32, {channels, 16, 1, 1}))});
  b.output(b.op(OpKind::Add, {y, b.initializer("three", Tensor::scalar<float>(3))}));
  CostGraph g{b.build()};
  EXPECT_TRUE(infer_shapes(g.graph, ref::evaluator()).ok());
  const double bytes = 4.0 * channels * 24 * 96;
  PlanOptions o;
  o.device = "cpu";
  o.precision = Precision::fp32;
  o.threads = 1;
  Result<InferencePlan> plan = plan_native(
      g.graph, {kernel(g.node(OpKind::Conv), conv_implementation, 4.0 * 16 * 24 * 96, bytes),
                kernel(g.node(OpKind::Add), "jit:uni", bytes, bytes)},
      "epyc-zen5-2c", m, o);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  if (plan.ok())
    for (const PlanStep& s : plan->steps)
      if (s.op == "Add") return s;
  ADD_FAILURE() << "no Add step";
  return {};
}

TEST(NativeCost, BroadcastsOnChannelsLastTensorsWithAChannelTailCostACallPerPixel) {
  TargetModel m = cpu_model();
  const CpuParameters& c = m.cpu;
  // 8 channels, channels-last (the output of a brgemm convolution): 24 x 96 calls on 8 elements each, and
  // their traffic.
  EXPECT_NEAR(add_after_conv(8, "brgconv_1x1:avx512_core", m).compute_us,
              24 * 96 * c.broadcast_row_ns / 1000 + 2 * 4.0 * 8 * 24 * 96 / (c.stream_l2_bandwidth_gb_s * 1e3), 1e-9);
  // 32 channels are two whole vectors: the scalar streams, as it does after a convolution of another layout.
  EXPECT_NEAR(add_after_conv(32, "brgconv_1x1:avx512_core", m).compute_us,
              2 * 4.0 * 32 * 24 * 96 / (c.stream_l2_bandwidth_gb_s * 1e3), 1e-9);
  EXPECT_NEAR(add_after_conv(8, "jit_1x1:avx512_core", m).compute_us,
              2 * 4.0 * 8 * 24 * 96 / (c.stream_l2_bandwidth_gb_s * 1e3), 1e-9);
}

TEST(NativeCost, FusedTranscendentalActivationsCostTheirElements) {
  // YOLOX's objectness head: a 1x1 convolution from 64 channels to 1 at 13x13 with a fused Sigmoid. oneDNN
  // applies the post-op to every output vector it writes, one masked 16-lane vector per pixel; a fused ReLU is
  // free beside the arithmetic.
  auto head = [](const std::string& activation) {
    GraphBuilder b("head");
    ValueId x = b.input("x", DType::f32, {1, 64, 13, 13});
    b.output(b.op(OpKind::FusedConv, {x, b.initializer("w", Tensor(DType::f32, {1, 64, 1, 1}))},
                  {{"activation", activation}}));
    CostGraph g{b.build()};
    EXPECT_TRUE(infer_shapes(g.graph, ref::evaluator()).ok());
    return g;
  };
  TargetModel m = cpu_model();
  const CpuParameters& c = m.cpu;
  const double arithmetic_us =
      2.0 * 169 * 16 * 64 / (c.clock_ghz * c.fp32_flops_per_clock * 1e3 * c.conv_efficiency);
  CostGraph sigmoid = head("Sigmoid"), relu = head("Relu");
  EXPECT_NEAR(cost(sigmoid, kernel(sigmoid.node(OpKind::FusedConv), "brgconv_1x1:avx512_core", 4 * 64 * 169, 4 * 169), m)
                  .compute_us,
              arithmetic_us + 169 * 16 * c.vector_math_ns_per_element / 1000, 1e-9);
  EXPECT_NEAR(cost(relu, kernel(relu.node(OpKind::FusedConv), "brgconv_1x1:avx512_core", 4 * 64 * 169, 4 * 169), m)
                  .compute_us,
              arithmetic_us, 1e-9);
}

TEST(NativeCost, ConvolutionsStreamAtTheRateOfTheCacheLevelTheirTrafficFits) {
  // The sweep of docs/validation/cpu_sweep.py: a 3x3 depthwise layer streams 35-50 GB/s while its traffic fits
  // in the L2 or the L3 share, 15-25 GB/s past 8 MB. Here the levels' rates are low enough that the traffic
  // outlasts the arithmetic (600 us at the convolution efficiency).
  CostGraph g = cost_graph();
  TargetModel m = cpu_model();
  m.cpu.conv_l2_bandwidth_gb_s = 0.6, m.cpu.conv_l3_bandwidth_gb_s = 0.4;
  const CpuParameters& c = m.cpu;
  const NativeKernel in_l2 = kernel(g.node(OpKind::Conv), "brgconv:avx512_core", 4 * kX + 36864, 4 * kX);
  PlanStep l2 = cost(g, in_l2, m);
  EXPECT_NEAR(l2.compute_us, (8 * kX + 36864) / (c.conv_l2_bandwidth_gb_s * 1e3), 1e-9);
  EXPECT_EQ(l2.dram_bytes, 0);  // no share of the DRAM
  PlanStep l3 = cost(g, kernel(g.node(OpKind::Conv), "brgconv:avx512_core", 1e6, 1e6), m);
  EXPECT_NEAR(l3.compute_us, 2e6 / (c.conv_l3_bandwidth_gb_s * 1e3), 1e-9);
  EXPECT_EQ(l3.dram_bytes, 0);
  // On two threads each core's L2 holds half of the 2 MB.
  EXPECT_NEAR(cost(g, kernel(g.node(OpKind::Conv), "brgconv:avx512_core", 1e6, 1e6), m, 2).compute_us,
              2e6 / (2 * c.conv_l2_bandwidth_gb_s * 1e3), 1e-9);
}

TEST(NativeCost, StemsRunAtTheirOwnEfficiency) {
  // A 3x3 stride-2 convolution on 3 channels (an RGB stem, 3 -> 16 at 64x64 -> 32x32) runs at
  // cpu.stem_efficiency; on 8 channels it is an ordinary convolution. Beyond the caches, so the arithmetic
  // shows.
  TargetModel m = cpu_model();
  const CpuParameters& c = m.cpu;
  const double peak_flops_per_us = c.clock_ghz * c.fp32_flops_per_clock * 1e3;
  for (int64_t channels : {3, 8}) {
    GraphBuilder b("stem");
    ValueId x = b.input("x", DType::f32, {1, channels, 64, 64});
    b.output(b.op(OpKind::Conv, {x, b.initializer("w", Tensor(DType::f32, {16, channels, 3, 3}))},
                  {{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"strides", std::vector<int64_t>{2, 2}}}));
    CostGraph g{b.build()};
    ASSERT_TRUE(infer_shapes(g.graph, ref::evaluator()).ok());
    // Of each axis' 32 x 3 (output, tap) pairs the first output's first tap is padding: 32^2 x (95 / 96)^2 rows.
    const double rows = std::llround(1024.0 * (95.0 / 96) * (95.0 / 96));
    const double flops = 2.0 * rows * 16 * channels * 9;
    PlanStep s = cost(g, kernel(g.node(OpKind::Conv), "brgconv:avx512_core", 8e6, 1e6), m);
    EXPECT_NEAR(s.compute_us, flops / (peak_flops_per_us * (channels < 8 ? c.stem_efficiency : c.conv_efficiency)), 1e-9)
        << channels;
  }
}

TEST(NativeCost, AModelThatFitsInTheL2PaysWarmCalls) {
  // [64,256] x [256,512]: 64 KB in, 512 KB of weights, 128 KB out, within the 1 MiB L2 together: its call costs
  // cpu.warm_call_fraction of a cold one. cost_graph's x and outputs (11 MB) do not fit: a cold call.
  TargetModel m = cpu_model();
  m.cpu.warm_call_fraction = 0.35;
  CostGraph small = one_node_graph(OpKind::MatMul, {64, 256}, {256, 512});
  EXPECT_DOUBLE_EQ(cost(small, kernel(small.node(OpKind::MatMul), "brg:avx512_core", 4 * (64 * 256 + 256 * 512), 4 * 64 * 512), m).fixed_us,
                   0.35 * m.cpu.matrix_overhead_us);
  CostGraph large = cost_graph();
  EXPECT_DOUBLE_EQ(cost(large, kernel(large.node(OpKind::Sigmoid), "jit:uni", 4 * kX, 4 * kX), m).fixed_us,
                   m.cpu.eltwise_overhead_us);
  // Eight Relus in a chain on [1,32,32,32]: 1.2 MB written in all, but the arena holds the input (live
  // throughout) and two tensors at a time, 384 KB: warm.
  GraphBuilder b("chain");
  ValueId t = b.input("x", DType::f32, {1, 32, 32, 32});
  for (int i = 0; i < 8; ++i) t = b.op(OpKind::Relu, {t});
  b.output(t);
  CostGraph chain{b.build()};
  ASSERT_TRUE(infer_shapes(chain.graph, ref::evaluator()).ok());
  EXPECT_DOUBLE_EQ(cost(chain, kernel(chain.graph.nodes[3], "jit:uni", 131072, 131072), m).fixed_us,
                   0.35 * m.cpu.eltwise_overhead_us);
}

TEST(NativeCost, MatrixProductsOnOneDnnRunAtTheConvolutionsRate) {
  // [64,256] x [256,512] on oneDNN's matmul (brgemm, as its convolutions): 16.8 MFLOP at the fitted
  // convolution efficiency; 512 columns are whole vector blocks.
  CostGraph g = one_node_graph(OpKind::MatMul, {64, 256}, {256, 512});
  TargetModel m = cpu_model();
  const CpuParameters& c = m.cpu;
  const double flops = 2.0 * 64 * 256 * 512;
  PlanStep product = cost(g, kernel(g.node(OpKind::MatMul), "brg:avx512_core", 4 * (64 * 256 + 256 * 512), 4 * 64 * 512), m);
  EXPECT_NEAR(product.compute_us, flops / (c.clock_ghz * c.fp32_flops_per_clock * 1e3 * c.conv_efficiency), 1e-9);
  EXPECT_DOUBLE_EQ(product.fixed_us, c.matrix_overhead_us);
}

TEST(NativeCost, ConvolutionsCostTheirImplementationsRoofline) {
  CostGraph g = cost_graph();
  TargetModel m = cpu_model();
  const CpuParameters& c = m.cpu;
  // 32 output channels, already whole vector blocks; the taps in the one-pixel padding are skipped: of each
  // axis' 56 x 3 (output, tap) pairs 166 read the input, so 56 x 56 x (166 / 168)^2 = 3062 full rows.
  const double flops = 2.0 * 3062 * 32 * 32 * 9;
  const double peak_flops_per_us = c.clock_ghz * c.fp32_flops_per_clock * 1e3;
  // Its 8 MB of traffic (a layout that pads it) exceed the 4 MiB L3: beyond the caches, a share of the DRAM.
  PlanStep direct = cost(g, kernel(g.node(OpKind::Conv), "brgconv:avx512_core", 4e6, 4e6), m);
  EXPECT_NEAR(direct.compute_us, flops / (peak_flops_per_us * c.conv_efficiency), 1e-9);
  EXPECT_DOUBLE_EQ(direct.fixed_us, c.matrix_overhead_us);
  EXPECT_DOUBLE_EQ(direct.dram_bytes, 8e6);
  EXPECT_DOUBLE_EQ(direct.bandwidth_gb_s, c.bandwidth_gb_s);
  // Winograd: the direct convolution's FLOPs, padding included (it transforms padded tiles), at its own
  // efficiency.
  PlanStep winograd = cost(g, kernel(g.node(OpKind::Conv), "jit_wino_4x3:avx512_core", 4 * kX + 36864, 4 * kX), m);
  EXPECT_NEAR(winograd.compute_us, 2.0 * kX * 32 * 9 / (peak_flops_per_us * c.winograd_efficiency), 1e-9);
}

TEST(NativeCost, CudaConvolutionsRunInWavesOfThreadBlocks) {
  CostGraph g = cost_graph();
  TargetModel h100 = *target_model(*placement::find_target("h100-sxm"));
  // fp32, tensor and DRAM efficiencies, kernel, library call and CUDA Graph kernel µs; cuDNN's own efficiencies
  h100.cuda = {0.8, 0.3, 0.15, 4, 12, 1.5};
  h100.cuda.depthwise_efficiency = 0.8;
  h100.cuda.cudnn_fp32_efficiency = 0.8, h100.cuda.cudnn_tensor_efficiency = 0.3;
  h100.cuda.graph_library_us = 2.5;
  const Node& conv = g.node(OpKind::Conv);
  PlanOptions o;
  o.device = "cuda";
  NativeKernel k{.name = conv.name, .op = "Conv", .implementation = "cudnn:implicit_precomp_gemm", .node = &conv,
                 .read_bytes = 2 * kX + 18432, .write_bytes = 2 * kX};
  // FP16 on tensor cores: M = 56 x 56 = 3136 rows in 128-row tiles (25), N = 32 columns shrink the 128-wide
  // tile to 32, K = 288 pads to 9 x 32: 25 blocks fill one wave of the 132 SMs, which costs 132 blocks.
  o.precision = Precision::fp16;
  Result<InferencePlan> fp16 = plan_native(g.graph, {k}, "h100-sxm", h100, o);
  ASSERT_TRUE(fp16.ok()) << fp16.status().message();
  const PlanStep& s16 = layer_step(*fp16);
  EXPECT_EQ(s16.name, conv.name);
  EXPECT_NEAR(s16.compute_us, 132 * 2.0 * 128 * 32 * 288 / (h100.gpu.fp16_tensor_tflops * 1e6 * 0.3), 1e-9);
  EXPECT_DOUBLE_EQ(s16.fixed_us, 12);  // a cuDNN call
  EXPECT_DOUBLE_EQ(s16.bandwidth_gb_s, h100.memory.dram_gb_s * 0.15);
  // FP32 on CUDA cores at their own efficiency, same waves.
  o.precision = Precision::fp32;
  Result<InferencePlan> fp32 = plan_native(g.graph, {k}, "h100-sxm", h100, o);
  ASSERT_TRUE(fp32.ok());
  EXPECT_NEAR(layer_step(*fp32).compute_us, 132 * 2.0 * 128 * 32 * 288 / (h100.gpu.fp32_tflops * 1e6 * 0.8), 1e-9);
  // The backend's own element-wise kernel: its launch, bound by DRAM.
  const Node& add = g.node(OpKind::Add);
  Result<InferencePlan> eltwise = plan_native(g.graph, {{.name = add.name, .op = "Add", .node = &add, .read_bytes = 4 * kX, .write_bytes = 4 * kX}},
                                               "h100-sxm", h100, o);
  ASSERT_TRUE(eltwise.ok());
  EXPECT_DOUBLE_EQ(layer_step(*eltwise).fixed_us, 4);
  EXPECT_DOUBLE_EQ(layer_step(*eltwise).dram_bytes, 8 * kX);
  // Replayed in a CUDA Graph, a library call and an own kernel cost the GPU's gap between kernels alone, a
  // library's kernel its own (longer) one.
  o.cuda_graph = true;
  Result<InferencePlan> replayed = plan_native(g.graph, {k}, "h100-sxm", h100, o);
  ASSERT_TRUE(replayed.ok());
  EXPECT_DOUBLE_EQ(layer_step(*replayed).fixed_us, 2.5);
  EXPECT_NEAR(layer_step(*replayed).compute_us, layer_step(*fp32).compute_us, 1e-12);
  Result<InferencePlan> replayed_own = plan_native(g.graph, {{.name = add.name, .op = "Add", .node = &add, .read_bytes = 4 * kX, .write_bytes = 4 * kX}},
                                                    "h100-sxm", h100, o);
  ASSERT_TRUE(replayed_own.ok());
  EXPECT_DOUBLE_EQ(layer_step(*replayed_own).fixed_us, 1.5);
}

TEST(NativeCost, CudaPointwiseConvolutionsAreCublasProductsThatSplitK) {
  CostGraph g = cost_graph();
  TargetModel h100 = *target_model(*placement::find_target("h100-sxm"));
  h100.cuda = {0.8, 0.3, 0.15, 4, 12, 1.5};
  h100.cuda.depthwise_efficiency = 0.8;
  h100.cuda.cudnn_graph_efficiency = 0.01;  // cuDNN's operation graph, the other form in FP16: slower here
  const Node* pointwise = nullptr;
  for (const Node& n : g.graph.nodes)
    if (n.op == OpKind::Conv && g.graph.value(n.inputs[1]).name == "w1x1") pointwise = &n;
  ASSERT_NE(pointwise, nullptr);
  PlanOptions o;
  o.device = "cuda";
  o.precision = Precision::fp16;
  NativeKernel k{.name = pointwise->name, .op = "Conv", .node = pointwise, .read_bytes = 2 * 2048 * 49 + 2 * 64 * 2048,
                 .write_bytes = 2 * 64 * 49};
  Result<InferencePlan> plan = plan_native(g.graph, {k}, "h100-sxm", h100, o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  // M = 49 rows (tile shrinks to 64), N = 64 columns: one tile, so cuBLASLt splits K = 2048 into 64 slices of
  // 32 to fill the wave: 64 blocks of 64 x 64 x 32 in one wave of 132 (cuDNN, which does not split, would
  // run the whole K in one block).
  EXPECT_NEAR(layer_step(*plan).compute_us, 132 * 2.0 * 64 * 64 * 32 / (h100.gpu.fp16_tensor_tflops * 1e6 * 0.3), 1e-9);
  EXPECT_DOUBLE_EQ(layer_step(*plan).fixed_us, 12);
  EXPECT_EQ(layer_step(*plan).implementation, "cublaslt");
}

}  // namespace
}  // namespace es::sim
