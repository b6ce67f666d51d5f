// The ONNX -> TensorRT layer mapping of the 8.5 parser (dla-rules.md §2.1/§2.2) on small graphs.
#include "placement/trt_parser.h"
#include "placement_test_util.h"

#include <gtest/gtest.h>

namespace es::placement::testing {
namespace {

std::vector<std::string> layer_types(const Graph& g, bool dynamic_batch = false, TrtVersion v = TrtVersion::v8_5) {
  Result<TrtNetwork> net = build_trt_network(g, {v, dynamic_batch});
  EXPECT_TRUE(net.ok()) << net.status().message();
  std::vector<std::string> types;
  if (net.ok())
    for (const TrtLayer& l : net->layers) types.push_back(std::string(layer_type_name(l.type)));
  return types;
}

using Types = std::vector<std::string>;

// Gemm (parser >= 8.2): Constant(B), MatrixMultiply, Constant(C), Shuffle([K] -> [1, K]), ElementWise(sum).
TEST(ParserMapping, GemmIsFiveLayers) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, 1280});
  ValueId w = b.weights("w", {1000, 1280});
  ValueId c = b.weights("c", {1000});
  b.output(b.op(OpKind::Gemm, {x, w, c}, {1, 1000}, attrs({{"transB", int64_t{1}}}), DType::f32, "Gemm_0"));
  EXPECT_EQ(layer_types(b.graph()), (Types{"Constant", "MatrixMultiply", "Constant", "Shuffle", "ElementWise"}));
  Result<TrtNetwork> net = build_trt_network(b.graph(), {});
  // Names as in TensorRT's listing of resnet50-v1-12: constants after their weights, the MatrixMultiply after
  // the node, the helpers unnamed.
  EXPECT_EQ(net->layers[0].name, "w");
  EXPECT_EQ(net->layers[1].name, "Gemm_0");
  EXPECT_EQ(net->layers[2].name, "c");
  EXPECT_EQ(net->layers[4].name, "(Unnamed Layer* 4) [ElementWise]");
}

TEST(ParserMapping, GemmAlphaBetaAddScaling) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, 8});
  ValueId w = b.weights("w", {8, 4});
  ValueId c = b.weights("c", {1, 4});
  b.output(b.op(OpKind::Gemm, {x, w, c}, {1, 4}, attrs({{"alpha", 2.0f}, {"beta", 0.5f}})));
  // MM, alpha (Constant + ElementWise), C (Constant), beta (Constant + ElementWise), no broadcast (C is 2-D), sum.
  EXPECT_EQ(layer_types(b.graph()), (Types{"Constant", "MatrixMultiply", "Constant", "ElementWise", "Constant",
                                           "Constant", "ElementWise", "ElementWise"}));
}

TEST(ParserMapping, BatchNormalizationIsScaleWhenConstant) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, 4, 8, 8});
  std::vector<ValueId> params;
  for (const char* n : {"scale", "bias", "mean", "var"}) params.push_back(b.weights(n, {4}));
  b.output(b.op(OpKind::BatchNormalization, {x, params[0], params[1], params[2], params[3]}, {1, 4, 8, 8}));
  EXPECT_EQ(layer_types(b.graph()), (Types{"Scale"}));

  ShapedGraph fallback;
  ValueId y = fallback.input("x", {1, 4, 8, 8});
  ValueId mean = fallback.input("mean", {4});
  std::vector<ValueId> p{fallback.weights("scale", {4}), fallback.weights("bias", {4}), mean, fallback.weights("var", {4})};
  fallback.output(fallback.op(OpKind::BatchNormalization, {y, p[0], p[1], p[2], p[3]}, {1, 4, 8, 8}));
  // batchnormFallback: 4 parameters as tensors (3 Constants) broadcast to 4-D (4 Shuffles), epsilon (Constant),
  // var + eps, sqrt, x - mean, / stddev, * scale, + bias.
  EXPECT_EQ(layer_types(fallback.graph()),
            (Types{"Constant", "Shuffle", "Constant", "Shuffle", "Shuffle", "Constant", "Shuffle", "Constant",
                   "ElementWise", "Unary", "ElementWise", "ElementWise", "ElementWise", "ElementWise"}));
}

TEST(ParserMapping, GlobalAveragePoolIsReduce) {
  ShapedGraph b;
  b.output(b.op(OpKind::GlobalAveragePool, {b.input("x", {1, 8, 7, 7})}, {1, 8, 1, 1}));
  Result<TrtNetwork> net = build_trt_network(b.graph(), {});
  ASSERT_EQ(net->layers.size(), 1u);
  EXPECT_EQ(net->layers[0].type, TrtLayerType::Reduce);
  EXPECT_EQ(net->layers[0].params.op, "kAVG");
}

Graph flatten_graph() {
  ShapedGraph b;
  b.output(b.op(OpKind::Flatten, {b.input("x", {1, 2048, 1, 1})}, {1, 2048}, attrs({{"axis", int64_t{1}}})));
  return std::move(b.graph());
}

// Static dims: ShapeTensor arithmetic is done at parse time, one Shuffle. With a -1 batch: d0 = gather(shape, 0)
// needs IConstant(indices) + IShape + IGather; d1 = 2048 is known; concat(d0, d1) needs IConstant(d1) +
// IConcatenation; the Shuffle takes the result as its shape input. This is the exact sequence TensorRT lists
// for resnet50-v1-12's flatten_473 (layers 174-179 of its network).
TEST(ParserMapping, FlattenDependsOnSymbolicBatch) {
  EXPECT_EQ(layer_types(flatten_graph()), (Types{"Shuffle"}));
  EXPECT_EQ(layer_types(flatten_graph(), true),
            (Types{"Constant", "Shape", "Gather", "Constant", "Concatenation", "Shuffle"}));
}

// PyTorch's x.view(x.size(0), -1): every explicit ONNX shape op is a layer, static or not.
TEST(ParserMapping, ExplicitShapeChainIsSevenLayers) {
  for (bool dynamic : {false, true}) {
    ShapedGraph b;
    ValueId x = b.input("x", {1, 1280, 1, 1});
    ValueId shape = b.op(OpKind::Shape, {x}, {4}, {}, DType::i64);
    ValueId index = b.op(OpKind::Constant, {}, {}, attrs({{"value", Tensor::scalar<int64_t>(0)}}), DType::i64);
    b.graph().value(index).data = std::make_shared<const Tensor>(Tensor::scalar<int64_t>(0));
    ValueId batch = b.op(OpKind::Gather, {shape, index}, {}, attrs({{"axis", int64_t{0}}}), DType::i64);
    ValueId axes = b.ints("axes", {0});
    ValueId unsqueezed = b.op(OpKind::Unsqueeze, {batch, axes}, {1}, {}, DType::i64);
    ValueId tail = b.ints("tail", {-1});
    ValueId target = b.op(OpKind::Concat, {unsqueezed, tail}, {2}, attrs({{"axis", int64_t{0}}}), DType::i64);
    b.output(b.op(OpKind::Reshape, {x, target}, {1, 1280}));
    EXPECT_EQ(layer_types(b.graph(), dynamic), (Types{"Shape", "Constant", "Gather", "Shuffle", "Constant",
                                                      "Concatenation", "Shuffle"}))
        << "dynamic " << dynamic;
  }
}

TEST(ParserMapping, ClipBoundsDecideActivationOrElementWise) {
  ShapedGraph constant;
  ValueId lo = constant.floats("lo", {0}), hi = constant.floats("hi", {6});
  constant.output(constant.op(OpKind::Clip, {constant.input("x", {1, 4, 8, 8}), lo, hi}, {1, 4, 8, 8}));
  EXPECT_EQ(layer_types(constant.graph()), (Types{"Activation"}));
  ShapedGraph runtime;
  ValueId x = runtime.input("x", {1, 4, 8, 8});
  ValueId max = runtime.input("max", {1, 1, 1, 1});
  runtime.output(runtime.op(OpKind::Clip, {x, kNoValue, max}, {1, 4, 8, 8}));
  EXPECT_EQ(layer_types(runtime.graph()), (Types{"ElementWise"}));
}

TEST(ParserMapping, ShapeGainsACastInTensorRT10) {
  ShapedGraph b;
  b.output(b.op(OpKind::Shape, {b.input("x", {1, 3, 8, 8})}, {4}, {}, DType::i64));
  EXPECT_EQ(layer_types(b.graph(), false, TrtVersion::v8_5), (Types{"Shape"}));
  EXPECT_EQ(layer_types(b.graph(), false, TrtVersion::v10), (Types{"Shape", "Cast"}));
}

TEST(ParserMapping, WeightsBecomeOneConstantEach) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, 4});
  ValueId w = b.weights("w", {1, 4});
  ValueId y = b.op(OpKind::Add, {x, w}, {1, 4});
  b.output(b.op(OpKind::Mul, {y, w}, {1, 4}));
  EXPECT_EQ(layer_types(b.graph()), (Types{"Constant", "ElementWise", "ElementWise"}));
}

TEST(ParserMapping, ElementWiseBroadcastAddsShuffle) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, 4, 8, 8});
  ValueId w = b.weights("w", {4, 1, 1});
  b.output(b.op(OpKind::Mul, {x, w}, {1, 4, 8, 8}));
  EXPECT_EQ(layer_types(b.graph()), (Types{"Constant", "Shuffle", "ElementWise"}));
}

TEST(ParserMapping, CompositeOps) {
  ShapedGraph hs;
  hs.output(hs.op(OpKind::HardSwish, {hs.input("x", {1, 4, 8, 8})}, {1, 4, 8, 8}));
  EXPECT_EQ(layer_types(hs.graph()), (Types{"Activation", "ElementWise"}));
  ShapedGraph conv1d;
  ValueId w = conv1d.weights("w", {4, 4, 3});
  conv1d.output(conv1d.op(OpKind::Conv, {conv1d.input("x", {1, 4, 16}), w}, {1, 4, 14}));
  EXPECT_EQ(layer_types(conv1d.graph()), (Types{"Shuffle", "Convolution", "Shuffle"}));
}

// Opset < 13 Softmax coerces to 2-D: flatten Shuffle, SoftMax, Shuffle back to the input's (static) shape.
TEST(ParserMapping, SoftmaxBeforeOpset13FlattensAndRestores) {
  ShapedGraph old(11);
  old.output(old.op(OpKind::Softmax, {old.input("x", {1, 100, 2})}, {1, 100, 2}, attrs({{"axis", int64_t{-1}}})));
  EXPECT_EQ(layer_types(old.graph()), (Types{"Shuffle", "SoftMax", "Shuffle"}));
  ShapedGraph recent(13);
  recent.output(recent.op(OpKind::Softmax, {recent.input("x", {1, 100, 2})}, {1, 100, 2}, attrs({{"axis", int64_t{-1}}})));
  EXPECT_EQ(layer_types(recent.graph()), (Types{"SoftMax"}));
}

TEST(ParserMapping, WeightsOnlyOpsCreateNoLayers) {
  ShapedGraph b;
  ValueId x = b.input("x", {2, 3});
  ValueId w = b.weights("w", {3, 2});
  ValueId wt = b.op(OpKind::Transpose, {w}, {2, 3}, attrs({{"perm", std::vector<int64_t>{1, 0}}}));
  ValueId wi = b.op(OpKind::Identity, {wt}, {2, 3});
  b.output(b.op(OpKind::Add, {x, wi}, {2, 3}));
  EXPECT_EQ(layer_types(b.graph()), (Types{"Constant", "ElementWise"}));
}

TEST(ParserMapping, MissingShapeIsAnErrorNamingTheNode) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 4});
  b.output(b.op(OpKind::Relu, {x}, {}, "relu_7"));
  Result<TrtNetwork> net = build_trt_network(b.graph(), {});
  ASSERT_FALSE(net.ok());
  EXPECT_NE(net.status().message().find("relu_7"), std::string::npos) << net.status().message();
}

}  // namespace
}  // namespace es::placement::testing
