// Golden counts on real models. Every expected number is derived by hand from the TensorRT 8.5 parser mapping
// (dla-rules.md §2) and the DLA rules, in the comment beside it; none was copied from the tool's output.
#include "placement_test_util.h"

#include "backends/ref/ref_kernels.h"
#include "ir/shape_inference.h"
#include "zoo/zoo.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

namespace es::placement::testing {
namespace {

struct Counts {
  int layers, gpu;
};

PlacementReport analyze(const Graph& g, bool symbolic_batch) {
  PlacementOptions o;
  o.allow_gpu_fallback = true;
  o.dynamic_batch = symbolic_batch;
  Result<PlacementReport> r = analyze_placement(g, orin(), o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : PlacementReport{};
}

std::optional<Graph> shared(const std::string& file, onnx_io::ImportOptions io = {}) {
  std::string path = shared_model(file);
  if (path.empty()) return std::nullopt;
  Result<Graph> g = load_model(path, io);
  EXPECT_TRUE(g.ok()) << g.status().message();
  return g.ok() ? std::optional<Graph>(std::move(*g)) : std::nullopt;
}

int type_count(const PlacementReport& r, const char* type, bool gpu = false) {
  auto it = r.by_type.find(type);
  return it == r.by_type.end() ? 0 : gpu ? it->second.gpu : it->second.total;
}

// MobileNetV2 with the ONNX Model Zoo mobilenetv2-12 topology (PyTorch export, opset 12): 52 Conv, 35 Clip,
// 10 Add, GlobalAveragePool, Shape -> Gather -> Unsqueeze -> Concat -> Reshape, Gemm.
void expect_mobilenetv2(const Graph& g) {
  for (bool symbolic : {false, true}) {
    SCOPED_TRACE(symbolic ? "symbolic batch" : "static batch");
    PlacementReport r = analyze(g, symbolic);
    // 52 Convolution + 35 Activation (Clip bounds are initializers: kCLIP) + 10 ElementWise + 1 Reduce (GAP)
    // + 7 for the explicit shape chain (Shape, Constant(index), Gather, Shuffle(Unsqueeze), Constant([-1]),
    // Concatenation, Shuffle(Reshape)) + 5 for Gemm (Constant B, MatrixMultiply, Constant C, Shuffle, ElementWise)
    // = 110; explicit ONNX shape ops are layers whatever the batch, so the symbolic batch changes nothing.
    EXPECT_EQ(r.network_layers, 110);
    EXPECT_EQ(type_count(r, "Convolution"), 52);
    EXPECT_EQ(type_count(r, "Activation"), 35);
    EXPECT_EQ(type_count(r, "ElementWise"), 11);  // 10 Add + the Gemm bias add
    // GPU: Reduce (no average Reduce on DLA), 6 INT32 shape layers (Shape, Gather, Shuffle(Unsqueeze),
    // Concatenation, 2 Constants), the run-time Reshape, the 2 Gemm weight Constants, the bias Shuffle
    // ([1000] -> [1,1000], not 4-D) = 11.
    EXPECT_EQ(r.network_gpu, 11);
    EXPECT_EQ(type_count(r, "Reduce", true), 1);
    EXPECT_EQ(type_count(r, "Constant", true), 4);
    EXPECT_EQ(type_count(r, "Shuffle", true), 3);
    // Folded shape-tensor layers: Shape, Constant, Gather, Shuffle(Unsqueeze), Constant, Concatenation = 6;
    // 110 - 6 = 104, the study's total.
    EXPECT_EQ(r.folded_shape_layers, 6);
    // Engine: 52 convolutions absorb the 35 Clips and 10 Adds; the Gemm absorbs the now static flatten
    // Reshape and its bias add; the Reduce stays = 54 engine layers, 1 on the GPU; DLA loadables: the
    // convolutions, then the Gemm = 2; boundaries: input -> DLA, DLA -> Reduce, Reduce -> Gemm, Gemm -> output.
    EXPECT_EQ(r.engine.layers.size(), 54u);
    EXPECT_EQ(r.engine.gpu_layers(), 1);
    EXPECT_EQ(r.engine.dla_loadables(), 2);
    EXPECT_EQ(r.engine.boundaries.size(), 4u);
  }
}

TEST(Models, MobileNetV2DequantizedFile) {
  std::optional<Graph> g = shared("mobilenetv2-12-fp32-dequantized.onnx");
  if (!g) GTEST_SKIP() << "../shared/models not available";
  expect_mobilenetv2(*g);
}

Graph zoo_graph(const char* name) {
  const zoo::ZooModel* m = zoo::find_zoo_model(name);
  EXPECT_NE(m, nullptr) << name;
  Graph g = m ? m->build({}) : Graph{};
  Status s = infer_shapes(g, ref::evaluator());
  EXPECT_TRUE(s.ok()) << s.message();
  return g;
}

TEST(Models, MobileNetV2Zoo) { expect_mobilenetv2(zoo_graph("mobilenetv2-12")); }

// ResNet50 v1 (zoo resnet50-v1-12, MXNet export): 53 Conv, 53 BatchNormalization, 49 Relu, 16 Add, MaxPool,
// GlobalAveragePool, Flatten, Gemm.
TEST(Models, ResNet50V1Zoo) {
  Graph g = zoo_graph("resnet50-v1-12");
  // Static batch: 53 Convolution + 53 Scale + 49 Activation + 16 ElementWise + 1 Pooling + 1 Reduce
  // + 1 Shuffle (Flatten, shape known at parse time) + 5 (Gemm) = 179, the study's total.
  PlacementReport fixed = analyze(g, false);
  EXPECT_EQ(fixed.network_layers, 179);
  // GPU: Reduce, Flatten Shuffle (4-D -> 2-D), Constant B, Constant C, bias Shuffle = 5.
  EXPECT_EQ(fixed.network_gpu, 5);
  EXPECT_EQ(fixed.folded_shape_layers, 0);
  // Symbolic batch N (as the zoo file declares): Flatten's d0 = gather(shape, 0) becomes Constant, Shape,
  // Gather; concat with the known 2048 adds Constant, Concatenation = 5 more layers: 184, the count TensorRT
  // itself lists for resnet50-v1-12.onnx (trt-summary README, layers 174-179 = Constant, Shape, Gather,
  // Constant, Concatenation, flatten_473).
  PlacementReport symbolic = analyze(g, true);
  EXPECT_EQ(symbolic.network_layers, 184);
  // GPU: Reduce + the 5 INT32 shape layers + the run-time flatten Shuffle + Constant B, Constant C, bias
  // Shuffle = 10, the study's count, with exactly the study's types.
  EXPECT_EQ(symbolic.network_gpu, 10);
  std::set<std::string> gpu_types;
  for (const LayerPlacement& l : symbolic.layers)
    if (!l.on_dla) gpu_types.insert(l.type);
  EXPECT_EQ(gpu_types, (std::set<std::string>{"Reduce", "Shape", "Constant", "Gather", "Shuffle", "Concatenation"}));
  EXPECT_EQ(symbolic.folded_shape_layers, 5);  // 184 - 5 = 179
  // Engine: 53 convolutions absorb 53 Scales, 49 ReLUs and 16 residual adds; MaxPool; Reduce (GPU); the
  // Gemm absorbs the flatten and the bias = 56 layers, 1 on the GPU, 2 loadables, 4 boundaries.
  EXPECT_EQ(symbolic.engine.layers.size(), 56u);
  EXPECT_EQ(symbolic.engine.gpu_layers(), 1);
  EXPECT_EQ(symbolic.engine.dla_loadables(), 2);
  EXPECT_EQ(symbolic.engine.boundaries.size(), 4u);
}

// YOLOX-Nano (PyTorch 1.10, opset 11, static 1x3x416x416): 113 Conv, 110 Sigmoid, 104 Mul, 18 Concat,
// 8 Slice, 7 Add, 3 MaxPool, 3 Reshape, 2 Resize, 1 Transpose.
TEST(Models, YoloxNano) {
  std::optional<Graph> g = shared("yolox_nano.onnx");
  if (!g) GTEST_SKIP() << "../shared/models not available";
  PlacementReport r = analyze(*g, false);
  // One layer per node (no initializer feeds a layer that needs a tensor: Resize scales, Reshape shapes and
  // Slice bounds are weights) = 369. SiLU is Sigmoid + Mul: 110 Activation, 104 + 7 ElementWise.
  EXPECT_EQ(r.network_layers, 369);
  EXPECT_EQ(type_count(r, "Activation"), 110);
  EXPECT_EQ(type_count(r, "ElementWise"), 111);
  // GPU: the 3 SPP MaxPools of 9x9 and 13x13 windows break pool.window ([1, 8]; the 5x5 one passes) = 2;
  // the head's 3 Reshapes (4-D -> 3-D) and the Transpose (3-D) fail shuffle.4d = 4; the final Concat of the
  // three [1, 85, N] heads is on axis 2, not C = 1 concat. 2 + 4 + 1 = 7.
  EXPECT_EQ(r.network_gpu, 7);
  EXPECT_EQ(type_count(r, "Pooling", true), 2);
  EXPECT_EQ(type_count(r, "Shuffle", true), 4);
  EXPECT_EQ(type_count(r, "Concatenation", true), 1);
}

// UltraFace version-RFB-320 (PyTorch 1.2, opset 9, static 1x3x240x320).
TEST(Models, UltraFaceRfb320) {
  std::optional<Graph> g = shared("version-RFB-320.onnx");
  if (!g) GTEST_SKIP() << "../shared/models not available";
  PlacementReport r = analyze(*g, false);
  // Backbone: 52 Convolution + 35 Scale (BN) + 37 Activation + Concat_63 + Add_68 = 126.
  // 8 heads, each x.permute(0,2,3,1).view(x.size(0), -1, k): Shuffle (Transpose), Constant (Gather index),
  // Shape, Gather, 2 Constants (the scalars -1 and k that Unsqueeze turns into tensors), 3 Shuffles
  // (Unsqueeze), Concatenation, Shuffle (Reshape) = 11 -> 88.
  // Concat_214/215 = 2. Softmax (opset 9, axis 2 of [1,4420,2]): flatten Shuffle, SoftMax, Shuffle back = 3.
  // Box decoding: 6 Slice; Mul/Div by a scalar constant = Constant + Shuffle (rank 0 -> 3) + ElementWise = 3,
  // four times (Mul_219, Mul_226, Div_234, Div_239) = 12; Mul/Add with a [1,4420,2] constant = Constant +
  // ElementWise = 2, three times (Mul_221, Add_223, Mul_229) = 6; Exp (Unary), Sub, Add_240, Concat_230,
  // Concat_241 = 5 -> 29. Total 126 + 88 + 2 + 3 + 29 = 248.
  EXPECT_EQ(r.network_layers, 248);
  EXPECT_EQ(type_count(r, "Shape"), 8);
  EXPECT_EQ(type_count(r, "Gather"), 8);
  EXPECT_EQ(type_count(r, "Scale"), 35);
  EXPECT_EQ(type_count(r, "Constant"), 8 * 3 + 7);
  // GPU: the two dilated RFB convolutions (3x3 with padding 3 and 5, not below the kernel) = 2; per head
  // the 9 INT32 layers (Constant, Shape, Gather, 2 Constants, 3 Unsqueeze Shuffles, Concatenation) and the
  // run-time Reshape = 10 -> 80 (the 4-D Transpose stays on the DLA); Concat_214/215 on axis 1 of 3-D tensors
  // (not C) = 2; the softmax's 3-D <-> 2-D Shuffles = 2; decoding: 6 Slices (3-D), 7 Constants, 4 scalar
  // broadcast Shuffles, Exp, 2 Div (no Div on the 8.5 DLA), Concat_230/241 on axis 2 = 22.
  // 2 + 80 + 2 + 2 + 22 = 108.
  EXPECT_EQ(r.network_gpu, 108);
  EXPECT_EQ(type_count(r, "Convolution", true), 2);
  // The 72 per-head INT32 layers are what the builder folds away: 248 - 72 = 176 once shape arithmetic is gone.
  EXPECT_EQ(r.folded_shape_layers, 72);
}

// PaddleOCR PP-OCRv4 detection (Paddle2ONNX, opset 11, bound to 1x3x640x640; weights as Constant nodes).
TEST(Models, PaddleOcrDetection) {
  onnx_io::ImportOptions io;
  io.input_shapes["x"] = {1, 3, 640, 640};
  std::optional<Graph> g = shared("ch_PP-OCRv4_det_infer.onnx", io);
  if (!g) GTEST_SKIP() << "../shared/models not available";
  PlacementReport r = analyze(*g, false);
  // Convolution weights are read as weights (no layer); 62 Conv + 2 ConvTranspose + 3 BN(Scale) + 24 Clip
  // + 12 Relu + 10 HardSigmoid + 1 Sigmoid + 10 GlobalAveragePool (Reduce) + 6 Resize + 1 Concat.
  EXPECT_EQ(type_count(r, "Convolution"), 62);
  EXPECT_EQ(type_count(r, "Deconvolution"), 2);
  EXPECT_EQ(type_count(r, "Reduce"), 10);
  EXPECT_EQ(type_count(r, "Reduce", true), 10);  // squeeze-excite average pools: never on the DLA
  EXPECT_EQ(type_count(r, "Resize"), 6);
}

// A 1,000-node model is analysed well under a second.
TEST(Models, ThousandNodesAreFast) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, 16, 32, 32});
  for (int i = 0; i < 500; ++i) {
    std::string n = std::to_string(i);
    x = b.op(OpKind::Conv, {x, b.weights("w" + n, {16, 16, 3, 3})}, {1, 16, 32, 32},
             attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}), DType::f32, "conv" + n);
    x = b.op(i % 7 == 0 ? OpKind::Elu : OpKind::Relu, {x}, {1, 16, 32, 32}, {}, DType::f32, "act" + n);
  }
  b.output(x);
  auto start = std::chrono::steady_clock::now();
  PlacementReport r = analyze(b.graph(), false);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.network_layers, 1000);
  EXPECT_LT(seconds, 0.5);
  // 72 Elu break the chain into 72 + 1 DLA runs; only 16 loadables fit on a core.
  EXPECT_EQ(r.engine.dla_loadables(), 16);
}

}  // namespace
}  // namespace es::placement::testing
