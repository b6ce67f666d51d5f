// Engine level: constant folding, fusion, loadables, GPU islands, boundaries, the 16-loadable limit, and the
// pure-DLA error.
#include "placement_test_util.h"

#include <gtest/gtest.h>

namespace es::placement::testing {
namespace {

Result<PlacementReport> analyze(const Graph& g, bool fallback = true, const std::string& device = "dla0") {
  PlacementOptions o;
  o.allow_gpu_fallback = fallback;
  o.device = device;
  return analyze_placement(g, orin(), o);
}

// conv -> clip -> GlobalAveragePool -> x.view(x.size(0), -1) -> Gemm: a MobileNetV2 tail.
Graph classifier_tail() {
  ShapedGraph b(12);
  ValueId x = b.input("input", {1, 16, 7, 7});
  ValueId w = b.weights("conv.weight", {32, 16, 1, 1});
  ValueId y = b.op(OpKind::Conv, {x, w}, {1, 32, 7, 7}, {}, DType::f32, "Conv_0");
  ValueId lo = b.floats("clip_min", {0}), hi = b.floats("clip_max", {6});
  y = b.op(OpKind::Clip, {y, lo, hi}, {1, 32, 7, 7}, {}, DType::f32, "Clip_1");
  y = b.op(OpKind::GlobalAveragePool, {y}, {1, 32, 1, 1}, {}, DType::f32, "GlobalAveragePool_2");
  ValueId shape = b.op(OpKind::Shape, {y}, {4}, {}, DType::i64, "Shape_3");
  ValueId index = b.ints("index", {0});
  ValueId batch = b.op(OpKind::Gather, {shape, index}, {1}, attrs({{"axis", int64_t{0}}}), DType::i64, "Gather_4");
  ValueId tail = b.ints("tail", {-1});
  ValueId target = b.op(OpKind::Concat, {batch, tail}, {2}, attrs({{"axis", int64_t{0}}}), DType::i64, "Concat_5");
  y = b.op(OpKind::Reshape, {y, target}, {1, 32}, {}, DType::f32, "Reshape_6");
  ValueId fc = b.weights("fc.weight", {10, 32});
  ValueId bias = b.weights("fc.bias", {10});
  b.output(b.op(OpKind::Gemm, {y, fc, bias}, {1, 10}, attrs({{"transB", int64_t{1}}}), DType::f32, "Gemm_7"));
  return std::move(b.graph());
}

TEST(Engine, ClassifierTailFoldsFusesAndSplits) {
  Result<PlacementReport> r = analyze(classifier_tail());
  ASSERT_TRUE(r.ok()) << r.status().message();
  // Network: Conv, Clip, Reduce, Shape, Constant(index), Gather, Constant(tail), Concatenation, Shuffle,
  // Gemm's 5 = 14 layers. GPU: Reduce, Shape, 2 Constants, Gather, Concatenation, Shuffle (dynamic reshape),
  // Gemm's 2 Constants and bias Shuffle = 10.
  EXPECT_EQ(r->network_layers, 14);
  EXPECT_EQ(r->network_gpu, 10);
  // Folded: Shape, Constant, Gather, Constant, Concatenation (the reshape target), the two Gemm Constants and
  // the bias Shuffle on a constant = 8.
  EXPECT_EQ(r->engine_folded, 8);
  // Engine: [Conv_0 + Clip_1] DLA, Reduce GPU, [Gemm's MatrixMultiply + the now static flatten Reshape it
  // absorbs + its bias] DLA.
  ASSERT_EQ(r->engine.layers.size(), 3u);
  EXPECT_EQ(r->engine.layers[0].name, "Conv_0 + Clip_1");
  EXPECT_TRUE(r->engine.layers[0].on_dla);
  EXPECT_EQ(r->engine.layers[1].verdict.rule, "layer.type");
  EXPECT_EQ(r->engine.layers[2].name, "Gemm_7 + (Unnamed Layer* 13) [ElementWise]");
  EXPECT_EQ(r->engine.layers[2].members.size(), 3u);
  EXPECT_TRUE(r->engine.layers[2].on_dla);
  ASSERT_EQ(r->engine.segments.size(), 3u);
  EXPECT_EQ(r->engine.segments[0].name, "{ForeignNode[Conv_0...Clip_1]}");
  EXPECT_EQ(r->engine.segments[1].name, "GPU island 0");
  EXPECT_EQ(r->engine.dla_loadables(), 2);
  // Boundaries: input -> DLA, DLA -> GPU (Clip output), GPU -> DLA (reshaped), DLA -> output.
  ASSERT_EQ(r->engine.boundaries.size(), 4u);
  const Boundary& into_gpu = r->engine.boundaries[1];
  EXPECT_EQ(into_gpu.from_format, "fp16 kCHW16 (DLA)");
  EXPECT_EQ(into_gpu.to_format, "fp16 kLINEAR (GPU)");
  EXPECT_EQ(into_gpu.from_bytes, 1 * 32 * 7 * 7 * 2);  // 32 channels are already a multiple of 16
  const Boundary& input = r->engine.boundaries[0];
  EXPECT_EQ(input.from, "network input");
  EXPECT_EQ(input.from_bytes, 16 * 7 * 7 * 4);  // f32 linear
}

TEST(Engine, PureDlaRequestListsEveryBlockingLayer) {
  Result<PlacementReport> r = analyze(classifier_tail(), /*fallback=*/false);
  ASSERT_FALSE(r.ok());
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("10 of 14 layers cannot run on dla0"), std::string::npos) << m;
  for (const char* name : {"GlobalAveragePool_2", "Shape_3", "Gather_4", "Concat_5", "Reshape_6"})
    EXPECT_NE(m.find(name), std::string::npos) << name;
}

TEST(Engine, GpuDevicePutsEverythingOnTheGpu) {
  Result<PlacementReport> r = analyze(classifier_tail(), false, "gpu");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->network_dla, 0);
  EXPECT_EQ(r->engine.dla_loadables(), 0);
  EXPECT_TRUE(r->engine.boundaries.empty());
  EXPECT_EQ(r->layers[0].rule, "device.gpu");
}

TEST(Engine, DeviceMustExistOnTarget) {
  EXPECT_FALSE(analyze(classifier_tail(), true, "dla2").ok());
  EXPECT_FALSE(analyze(classifier_tail(), true, "npu").ok());
  PlacementOptions o;
  o.allow_gpu_fallback = true;
  Result<PlacementReport> host = analyze_placement(classifier_tail(), detect_host_target(), o);
  ASSERT_FALSE(host.ok());
  EXPECT_NE(host.status().message().find("has 0 DLA core"), std::string::npos) << host.status().message();
}

TEST(Engine, ResidualAddAndReluFuseIntoTheLaterConvolution) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, 8, 8, 8});
  ValueId w1 = b.weights("w1", {8, 8, 1, 1}), w2 = b.weights("w2", {8, 8, 1, 1});
  ValueId a = b.op(OpKind::Conv, {x, w1}, {1, 8, 8, 8}, {}, DType::f32, "conv_a");
  ValueId r = b.op(OpKind::Relu, {a}, {1, 8, 8, 8}, {}, DType::f32, "relu_a");
  ValueId c = b.op(OpKind::Conv, {r, w2}, {1, 8, 8, 8}, {}, DType::f32, "conv_b");
  ValueId s = b.op(OpKind::Add, {c, x}, {1, 8, 8, 8}, {}, DType::f32, "add");
  b.output(b.op(OpKind::Relu, {s}, {1, 8, 8, 8}, {}, DType::f32, "relu_out"));
  Result<PlacementReport> p = analyze(b.graph());
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->engine.layers.size(), 2u);
  EXPECT_EQ(p->engine.layers[0].name, "conv_a + relu_a");
  EXPECT_EQ(p->engine.layers[1].name, "conv_b + add + relu_out");
  EXPECT_EQ(p->engine.dla_loadables(), 1);
}

// A chain of `n` DLA convolutions separated by Elu activations (GPU): n loadables.
Graph alternating(int n) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, 4, 8, 8});
  for (int i = 0; i < n; ++i) {
    ValueId w = b.weights("w", {4, 4, 1, 1});
    x = b.op(OpKind::Conv, {x, w}, {1, 4, 8, 8});
    x = b.op(OpKind::Elu, {x}, {1, 4, 8, 8});
  }
  b.output(x);
  return std::move(b.graph());
}

TEST(Engine, SixteenLoadablesPerCore) {
  Result<PlacementReport> at_limit = analyze(alternating(16));
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().message();
  EXPECT_EQ(at_limit->engine.dla_loadables(), 16);
  EXPECT_EQ(at_limit->engine.loadables_moved_to_gpu, 0);
  Result<PlacementReport> past = analyze(alternating(17));
  ASSERT_TRUE(past.ok()) << past.status().message();
  EXPECT_EQ(past->engine.dla_loadables(), 16);
  EXPECT_EQ(past->engine.loadables_moved_to_gpu, 1);
  int moved = 0;
  for (const EngineLayer& e : past->engine.layers) moved += e.verdict.rule == "loadables.max";
  EXPECT_EQ(moved, 1);
}

TEST(Engine, BytesInDlaFormatsPadChannels) {
  EXPECT_EQ(tensor_bytes({1, 3, 224, 224}, DType::f16, true), 16 * 224 * 224 * 2);
  EXPECT_EQ(tensor_bytes({1, 3, 224, 224}, DType::i8, true), 32 * 224 * 224);
  EXPECT_EQ(tensor_bytes({1, 3, 224, 224}, DType::f32, false), 3 * 224 * 224 * 4);
  EXPECT_EQ(tensor_bytes({-1, 1000}, DType::f16, false), 1000 * 2);
}

}  // namespace
}  // namespace es::placement::testing
