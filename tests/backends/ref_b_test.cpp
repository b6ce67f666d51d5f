// Reference kernels part B (conv, pool, linalg, shape ops, resize), the registry and run_graph.
// Expected values are either small hand-checked examples from the ONNX operator docs or an independent
// naive loop written here.
#include "backends/ref/ref_kernels.h"
#include "ir/builder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <random>

namespace es::ref {
namespace {

Node make_node(OpKind op, size_t inputs, size_t outputs, Attributes attrs = {}) {
  Node node;
  node.name = std::string(op_name(op)) + "_test";
  node.op = op;
  for (size_t i = 0; i < inputs; ++i) node.inputs.push_back(static_cast<ValueId>(i));
  for (size_t i = 0; i < outputs; ++i) node.outputs.push_back(static_cast<ValueId>(inputs + i));
  node.attrs = std::move(attrs);
  return node;
}

Attributes attrs(std::initializer_list<std::pair<const char*, AttrValue>> list) {
  Attributes a;
  for (const auto& [k, v] : list) a.set(k, v);
  return a;
}

// Runs one node; nullptr inputs are omitted optional inputs. Outputs must be preallocated.
Status run(Node node, std::vector<const Tensor*> inputs, std::vector<Tensor>& outputs) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i]) node.inputs[i] = kNoValue;
  std::vector<TensorView> in, out;
  for (const Tensor* t : inputs) in.push_back(t ? TensorView::of(*t) : TensorView{});
  for (Tensor& t : outputs) out.push_back(t.empty() ? TensorView{} : TensorView::of(t));
  return run_node(node, in, out);
}

Tensor iota(Shape shape, float start = 0) {
  Tensor t(DType::f32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = start + static_cast<float>(i);
  return t;
}

Tensor random_tensor(Shape shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  Tensor t(DType::f32, std::move(shape));
  for (float& v : t.values<float>()) v = dist(rng);
  return t;
}

Tensor i64s(Shape shape, std::vector<int64_t> v) { return Tensor::from_vector<int64_t>(std::move(shape), v); }

void expect_near(const Tensor& actual, const std::vector<float>& expected, float tol = 1e-4f) {
  ASSERT_EQ(actual.numel(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual.data<float>()[i], expected[i], tol * std::max(1.0f, std::abs(expected[i]))) << "at " << i;
}

void expect_same(const Tensor& actual, const Tensor& expected, float tol = 1e-4f) {
  ASSERT_EQ(actual.shape(), expected.shape());
  expect_near(actual, std::vector<float>(expected.values<float>().begin(), expected.values<float>().end()), tol);
}

// Direct 2-D convolution, the textbook six loops: the independent oracle for the im2col path.
Tensor naive_conv2d(const Tensor& x, const Tensor& w, const Tensor* bias, Shape out_shape, int64_t group,
                    std::array<int64_t, 2> stride, std::array<int64_t, 2> dilation, std::array<int64_t, 2> pad) {
  Tensor y(DType::f32, out_shape);
  const int64_t C = x.dim(1), H = x.dim(2), W = x.dim(3), M = w.dim(0), KH = w.dim(2), KW = w.dim(3);
  const int64_t cg = C / group, mg = M / group;
  for (int64_t n = 0; n < out_shape[0]; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t oh = 0; oh < out_shape[2]; ++oh)
        for (int64_t ow = 0; ow < out_shape[3]; ++ow) {
          double acc = bias ? bias->data<float>()[m] : 0.0;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t kh = 0; kh < KH; ++kh)
              for (int64_t kw = 0; kw < KW; ++kw) {
                const int64_t ih = oh * stride[0] - pad[0] + kh * dilation[0];
                const int64_t iw = ow * stride[1] - pad[1] + kw * dilation[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const int64_t ci = (m / mg) * cg + c;
                acc += x.data<float>()[((n * C + ci) * H + ih) * W + iw] *
                       w.data<float>()[((m * cg + c) * KH + kh) * KW + kw];
              }
          y.data<float>()[((n * M + m) * out_shape[2] + oh) * out_shape[3] + ow] = static_cast<float>(acc);
        }
  return y;
}

TEST(RefConv, OnnxDocExampleWithPadding) {
  Tensor x = iota({1, 1, 5, 5});
  Tensor w(DType::f32, {1, 1, 3, 3});
  std::fill_n(w.data<float>(), 9, 1.0f);
  std::vector<Tensor> out{Tensor(DType::f32, {1, 1, 5, 5})};
  Node node = make_node(OpKind::Conv, 2, 1, attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  ASSERT_TRUE(run(node, {&x, &w}, out).ok());
  expect_near(out[0], {12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108, 117, 81,
                       93, 144, 153, 162, 111, 72, 111, 117, 123, 84});
}

TEST(RefConv, GroupsStridesDilationsMatchNaiveLoops) {
  Tensor x = random_tensor({2, 6, 11, 9}, 1);
  Tensor w = random_tensor({4, 3, 3, 2}, 2);
  Tensor b = random_tensor({4}, 3);
  // H: (11 + 2 + 1 - 5) / 2 + 1 = 5; W: (9 + 0 + 1 - 3) / 1 + 1 = 8 with dilation (2, 2).
  Shape out_shape{2, 4, 5, 8};
  Node node = make_node(OpKind::Conv, 3, 1,
                        attrs({{"group", int64_t{2}},
                               {"strides", std::vector<int64_t>{2, 1}},
                               {"dilations", std::vector<int64_t>{2, 2}},
                               {"pads", std::vector<int64_t>{2, 0, 1, 1}}}));
  std::vector<Tensor> out{Tensor(DType::f32, out_shape)};
  ASSERT_TRUE(run(node, {&x, &w, &b}, out).ok());
  expect_same(out[0], naive_conv2d(x, w, &b, out_shape, 2, {2, 1}, {2, 2}, {2, 0}));
}

TEST(RefConv, SameUpperAutoPadAndPointwise) {
  Tensor x = random_tensor({1, 3, 7, 7}, 4);
  Tensor w = random_tensor({5, 3, 4, 4}, 5);
  // SAME_UPPER, stride 2: out 4, total pad = 3*2 + 4 - 7 = 3 -> 1 before, 2 after.
  Node node = make_node(OpKind::Conv, 2, 1,
                        attrs({{"auto_pad", std::string("SAME_UPPER")}, {"strides", std::vector<int64_t>{2, 2}}}));
  std::vector<Tensor> out{Tensor(DType::f32, {1, 5, 4, 4})};
  ASSERT_TRUE(run(node, {&x, &w}, out).ok());
  expect_same(out[0], naive_conv2d(x, w, nullptr, {1, 5, 4, 4}, 1, {2, 2}, {1, 1}, {1, 1}));

  Tensor w1 = random_tensor({4, 3, 1, 1}, 6);
  std::vector<Tensor> out1{Tensor(DType::f32, {1, 4, 7, 7})};
  ASSERT_TRUE(run(make_node(OpKind::Conv, 2, 1), {&x, &w1}, out1).ok());
  expect_same(out1[0], naive_conv2d(x, w1, nullptr, {1, 4, 7, 7}, 1, {1, 1}, {1, 1}, {0, 0}));
}

TEST(RefConv, OneAndThreeSpatialDims) {
  // 1-D: [1, 2, 3, 4, 5] * [1, 0, -1] -> [-2, -2, -2].
  Tensor x1 = Tensor::from_vector<float>({1, 1, 5}, {1, 2, 3, 4, 5});
  Tensor w1 = Tensor::from_vector<float>({1, 1, 3}, {1, 0, -1});
  std::vector<Tensor> out1{Tensor(DType::f32, {1, 1, 3})};
  ASSERT_TRUE(run(make_node(OpKind::Conv, 2, 1), {&x1, &w1}, out1).ok());
  expect_near(out1[0], {-2, -2, -2});
  // 3-D all-ones 2x2x2 kernel over iota 3x3x3 (valid): each output is the sum of a 2x2x2 block.
  Tensor x3 = iota({1, 1, 3, 3, 3});
  Tensor w3(DType::f32, {1, 1, 2, 2, 2});
  std::fill_n(w3.data<float>(), 8, 1.0f);
  std::vector<Tensor> out3{Tensor(DType::f32, {1, 1, 2, 2, 2})};
  ASSERT_TRUE(run(make_node(OpKind::Conv, 2, 1), {&x3, &w3}, out3).ok());
  // Block at origin: 0+1+3+4+9+10+12+13 = 52; +1 per step in w, +3 in h, +9 in d (times 8).
  expect_near(out3[0], {52, 60, 76, 84, 124, 132, 148, 156});
}

TEST(RefConvTranspose, OnnxDocExample) {
  Tensor x = iota({1, 1, 3, 3});
  Tensor w(DType::f32, {1, 2, 3, 3});
  std::fill_n(w.data<float>(), 18, 1.0f);
  std::vector<Tensor> out{Tensor(DType::f32, {1, 2, 5, 5})};
  ASSERT_TRUE(run(make_node(OpKind::ConvTranspose, 2, 1), {&x, &w}, out).ok());
  const std::vector<float> plane{0, 1, 3, 3, 2, 3, 8, 15, 12, 7, 9, 21, 36, 27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8};
  std::vector<float> both = plane;
  both.insert(both.end(), plane.begin(), plane.end());
  expect_near(out[0], both);
}

TEST(RefConvTranspose, StridesPadsAndOutputShape) {
  // Stride 2 doubles the spacing; pads 1 crops one row/column at each border.
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w(DType::f32, {1, 1, 3, 3});
  std::fill_n(w.data<float>(), 9, 1.0f);
  std::vector<Tensor> full{Tensor(DType::f32, {1, 1, 5, 5})};
  Node strided = make_node(OpKind::ConvTranspose, 2, 1, attrs({{"strides", std::vector<int64_t>{2, 2}}}));
  ASSERT_TRUE(run(strided, {&x, &w}, full).ok());
  expect_near(full[0], {1, 1, 3, 2, 2, 1, 1, 3, 2, 2, 4, 4, 10, 6, 6, 3, 3, 7, 4, 4, 3, 3, 7, 4, 4});
  Node padded = make_node(OpKind::ConvTranspose, 2, 1,
                          attrs({{"strides", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  std::vector<Tensor> cropped{Tensor(DType::f32, {1, 1, 3, 3})};
  ASSERT_TRUE(run(padded, {&x, &w}, cropped).ok());
  expect_near(cropped[0], {1, 3, 2, 4, 10, 6, 3, 7, 4});
}

TEST(RefFusedConv, AddsSumThenActivation) {
  Tensor x = Tensor::from_vector<float>({1, 1, 1, 3}, {1, -2, 3});
  Tensor w = Tensor::from_vector<float>({1, 1, 1, 1}, {2});
  Tensor b = Tensor::from_vector<float>({1}, {1});
  Tensor sum = Tensor::from_vector<float>({1, 1, 1, 3}, {-10, 0, 1});
  Node node = make_node(OpKind::FusedConv, 4, 1,
                        attrs({{"activation", std::string("Clip")}, {"activation_params", std::vector<float>{0, 6}}}));
  std::vector<Tensor> out{Tensor(DType::f32, {1, 1, 1, 3})};
  ASSERT_TRUE(run(node, {&x, &w, &b, &sum}, out).ok());
  expect_near(out[0], {0, 0, 6});  // 2x+1+sum = -7, -3, 8 -> clipped
}

TEST(RefPool, MaxPoolWithIndicesAndStorageOrder) {
  Tensor x = Tensor::from_vector<float>({1, 1, 3, 3}, {1, 9, 2, 8, 3, 7, 4, 6, 5});
  Node node = make_node(OpKind::MaxPool, 1, 2, attrs({{"kernel_shape", std::vector<int64_t>{2, 2}}}));
  std::vector<Tensor> out{Tensor(DType::f32, {1, 1, 2, 2}), Tensor(DType::i64, {1, 1, 2, 2})};
  ASSERT_TRUE(run(node, {&x}, out).ok());
  expect_near(out[0], {9, 9, 8, 7});
  EXPECT_EQ(out[1].to_int64_vector(), (std::vector<int64_t>{1, 1, 3, 5}));
  node.attrs.set("storage_order", int64_t{1});
  ASSERT_TRUE(run(node, {&x}, out).ok());
  EXPECT_EQ(out[1].to_int64_vector(), (std::vector<int64_t>{3, 3, 1, 7}));  // column-major: w * H + h
}

TEST(RefPool, AveragePoolPaddingCounts) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Node node = make_node(OpKind::AveragePool, 1, 1,
                        attrs({{"kernel_shape", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  std::vector<Tensor> out{Tensor(DType::f32, {1, 1, 3, 3})};
  ASSERT_TRUE(run(node, {&x}, out).ok());
  expect_near(out[0], {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});
  node.attrs.set("count_include_pad", int64_t{1});
  ASSERT_TRUE(run(node, {&x}, out).ok());
  expect_near(out[0], {0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1});
}

TEST(RefPool, GlobalPools) {
  Tensor x = Tensor::from_vector<float>({1, 2, 2, 1}, {1, 2, -3, 4});
  std::vector<Tensor> out{Tensor(DType::f32, {1, 2, 1, 1})};
  ASSERT_TRUE(run(make_node(OpKind::GlobalAveragePool, 1, 1), {&x}, out).ok());
  expect_near(out[0], {1.5, 0.5});
  ASSERT_TRUE(run(make_node(OpKind::GlobalMaxPool, 1, 1), {&x}, out).ok());
  expect_near(out[0], {2, 4});
  ASSERT_TRUE(run(make_node(OpKind::GlobalLpPool, 1, 1), {&x}, out).ok());
  expect_near(out[0], {std::sqrt(5.0f), 5});
}

TEST(RefLinalg, GemmTransposeAndBroadcastBias) {
  Tensor a = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = Tensor::from_vector<float>({2, 3}, {1, 0, 1, 0, 1, 0});  // transB: B^T is 3x2
  Tensor c = Tensor::from_vector<float>({2}, {10, 20});
  Node node = make_node(OpKind::Gemm, 3, 1,
                        attrs({{"transB", int64_t{1}}, {"alpha", 2.0f}, {"beta", 0.5f}}));
  std::vector<Tensor> out{Tensor(DType::f32, {2, 2})};
  ASSERT_TRUE(run(node, {&a, &b, &c}, out).ok());
  expect_near(out[0], {2 * 4 + 5, 2 * 2 + 10, 2 * 10 + 5, 2 * 5 + 10});
}

TEST(RefLinalg, MatMulBatchBroadcastAndVectors) {
  Tensor a = random_tensor({2, 1, 3, 4}, 7);
  Tensor b = random_tensor({3, 4, 5}, 8);
  std::vector<Tensor> out{Tensor(DType::f32, {2, 3, 3, 5})};
  ASSERT_TRUE(run(make_node(OpKind::MatMul, 2, 1), {&a, &b}, out).ok());
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t m = 0; m < 3; ++m)
        for (int64_t n = 0; n < 5; ++n) {
          float acc = 0;
          for (int64_t k = 0; k < 4; ++k) acc += a.data<float>()[(i * 3 + m) * 4 + k] * b.data<float>()[(j * 4 + k) * 5 + n];
          EXPECT_NEAR(out[0].data<float>()[((i * 3 + j) * 3 + m) * 5 + n], acc, 1e-5);
        }
  Tensor v = Tensor::from_vector<float>({2}, {1, 2});
  Tensor m = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4});
  std::vector<Tensor> vm{Tensor(DType::f32, {2})};
  ASSERT_TRUE(run(make_node(OpKind::MatMul, 2, 1), {&v, &m}, vm).ok());
  expect_near(vm[0], {7, 10});
  ASSERT_TRUE(run(make_node(OpKind::MatMul, 2, 1), {&m, &v}, vm).ok());
  expect_near(vm[0], {5, 11});
}

TEST(RefLinalg, EinsumExplicitImplicitAndDiagonal) {
  Tensor a = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4});
  std::vector<Tensor> out{Tensor(DType::f32, {2, 2})};
  ASSERT_TRUE(run(make_node(OpKind::Einsum, 2, 1, attrs({{"equation", std::string("ij,jk->ik")}})), {&a, &a}, out).ok());
  expect_near(out[0], {7, 10, 15, 22});
  ASSERT_TRUE(run(make_node(OpKind::Einsum, 1, 1, attrs({{"equation", std::string("ji")}})), {&a}, out).ok());
  expect_near(out[0], {1, 3, 2, 4});  // implicit output "ij" of "ji" is the transpose
  std::vector<Tensor> diag{Tensor(DType::f32, {2})};
  ASSERT_TRUE(run(make_node(OpKind::Einsum, 1, 1, attrs({{"equation", std::string("ii->i")}})), {&a}, diag).ok());
  expect_near(diag[0], {1, 4});
  Tensor batch = random_tensor({3, 2, 2}, 9);
  std::vector<Tensor> traces{Tensor(DType::f32, {3})};
  ASSERT_TRUE(run(make_node(OpKind::Einsum, 1, 1, attrs({{"equation", std::string("...ii->...")}})), {&batch}, traces).ok());
  for (int64_t i = 0; i < 3; ++i)
    EXPECT_NEAR(traces[0].data<float>()[i], batch.data<float>()[i * 4] + batch.data<float>()[i * 4 + 3], 1e-6);
}

TEST(RefShapeOps, SliceNegativeStepsAndClamping) {
  Tensor x = iota({3, 4});
  Tensor starts = i64s({2}, {-1, 100}), ends = i64s({2}, {-100, 0}), axes = i64s({2}, {0, 1}),
         steps = i64s({2}, {-2, -1});
  std::vector<Tensor> out{Tensor(DType::f32, {2, 3})};
  ASSERT_TRUE(run(make_node(OpKind::Slice, 5, 1), {&x, &starts, &ends, &axes, &steps}, out).ok());
  expect_near(out[0], {11, 10, 9, 3, 2, 1});
}

TEST(RefShapeOps, PadModes) {
  Tensor x = Tensor::from_vector<float>({1, 3}, {1, 2, 3});
  Tensor pads = i64s({4}, {0, 2, 0, 1});
  Tensor value = Tensor::scalar(9.0f);
  std::vector<Tensor> out{Tensor(DType::f32, {1, 6})};
  ASSERT_TRUE(run(make_node(OpKind::Pad, 3, 1), {&x, &pads, &value}, out).ok());
  expect_near(out[0], {9, 9, 1, 2, 3, 9});
  ASSERT_TRUE(run(make_node(OpKind::Pad, 2, 1, attrs({{"mode", std::string("reflect")}})), {&x, &pads}, out).ok());
  expect_near(out[0], {3, 2, 1, 2, 3, 2});
  ASSERT_TRUE(run(make_node(OpKind::Pad, 2, 1, attrs({{"mode", std::string("edge")}})), {&x, &pads}, out).ok());
  expect_near(out[0], {1, 1, 1, 2, 3, 3});
  Tensor axis_pads = i64s({2}, {2, 1}), axes = i64s({1}, {-1});
  ASSERT_TRUE(run(make_node(OpKind::Pad, 4, 1), {&x, &axis_pads, nullptr, &axes}, out).ok());
  expect_near(out[0], {0, 0, 1, 2, 3, 0});
}

TEST(RefShapeOps, GatherFamilyIsDtypeGeneric) {
  Tensor x = i64s({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor idx = i64s({2}, {-1, 0});
  std::vector<Tensor> out{Tensor(DType::i64, {2, 2})};
  ASSERT_TRUE(run(make_node(OpKind::Gather, 2, 1), {&x, &idx}, out).ok());
  EXPECT_EQ(out[0].to_int64_vector(), (std::vector<int64_t>{5, 6, 1, 2}));
  Tensor bad = i64s({1}, {3});
  std::vector<Tensor> one{Tensor(DType::i64, {1, 2})};
  EXPECT_EQ(run(make_node(OpKind::Gather, 2, 1), {&x, &bad}, one).code(), StatusCode::invalid_argument);

  Tensor el_idx = i64s({2, 2}, {1, 0, 2, 1});
  std::vector<Tensor> el{Tensor(DType::i64, {2, 2})};
  ASSERT_TRUE(run(make_node(OpKind::GatherElements, 2, 1), {&x, &el_idx}, el).ok());
  EXPECT_EQ(el[0].to_int64_vector(), (std::vector<int64_t>{3, 2, 5, 4}));

  Tensor nd_idx = i64s({2, 2}, {2, 1, 0, 0});
  std::vector<Tensor> nd{Tensor(DType::i64, {2})};
  ASSERT_TRUE(run(make_node(OpKind::GatherND, 2, 1), {&x, &nd_idx}, nd).ok());
  EXPECT_EQ(nd[0].to_int64_vector(), (std::vector<int64_t>{6, 1}));
}

TEST(RefShapeOps, TransposeConcatSplitExpandTile) {
  Tensor x = iota({2, 3});
  std::vector<Tensor> t{Tensor(DType::f32, {3, 2})};
  ASSERT_TRUE(run(make_node(OpKind::Transpose, 1, 1), {&x}, t).ok());
  expect_near(t[0], {0, 3, 1, 4, 2, 5});

  std::vector<Tensor> cat{Tensor(DType::f32, {2, 6})};
  ASSERT_TRUE(run(make_node(OpKind::Concat, 2, 1, attrs({{"axis", int64_t{-1}}})), {&x, &x}, cat).ok());
  expect_near(cat[0], {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});

  std::vector<Tensor> parts{Tensor(DType::f32, {2, 1}), Tensor(DType::f32, {2, 2})};
  ASSERT_TRUE(run(make_node(OpKind::Split, 1, 2, attrs({{"axis", int64_t{1}}})), {&x}, parts).ok());
  expect_near(parts[0], {0, 3});
  expect_near(parts[1], {1, 2, 4, 5});

  Tensor col = Tensor::from_vector<float>({2, 1}, {1, 2});
  Tensor shape = i64s({3}, {2, 2, 3});
  std::vector<Tensor> ex{Tensor(DType::f32, {2, 2, 3})};
  ASSERT_TRUE(run(make_node(OpKind::Expand, 2, 1), {&col, &shape}, ex).ok());
  expect_near(ex[0], {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2});

  Tensor reps = i64s({2}, {1, 2});
  std::vector<Tensor> tiled{Tensor(DType::f32, {2, 2})};
  ASSERT_TRUE(run(make_node(OpKind::Tile, 2, 1), {&col, &reps}, tiled).ok());
  expect_near(tiled[0], {1, 1, 2, 2});
}

TEST(RefShapeOps, GeneratorsAndShape) {
  Tensor x(DType::u8, {2, 5, 3});
  std::vector<Tensor> shape{Tensor(DType::i64, {2})};
  ASSERT_TRUE(run(make_node(OpKind::Shape, 1, 1, attrs({{"start", int64_t{-2}}})), {&x}, shape).ok());
  EXPECT_EQ(shape[0].to_int64_vector(), (std::vector<int64_t>{5, 3}));

  Tensor start = Tensor::scalar<int32_t>(10), limit = Tensor::scalar<int32_t>(4), delta = Tensor::scalar<int32_t>(-3);
  std::vector<Tensor> range{Tensor(DType::i32, {2})};
  ASSERT_TRUE(run(make_node(OpKind::Range, 3, 1), {&start, &limit, &delta}, range).ok());
  EXPECT_EQ(range[0].to_int64_vector(), (std::vector<int64_t>{10, 7}));

  Tensor indices = i64s({2}, {1, -1}), depth = Tensor::scalar<int64_t>(3), values = Tensor::from_vector<float>({2}, {0, 5});
  std::vector<Tensor> hot{Tensor(DType::f32, {2, 3})};
  ASSERT_TRUE(run(make_node(OpKind::OneHot, 3, 1), {&indices, &depth, &values}, hot).ok());
  expect_near(hot[0], {0, 5, 0, 0, 0, 5});

  Tensor square = iota({3, 3}, 1);
  std::vector<Tensor> tri{Tensor(DType::f32, {3, 3})};
  Tensor k = Tensor::scalar<int64_t>(1);
  ASSERT_TRUE(run(make_node(OpKind::Trilu, 2, 1), {&square, &k}, tri).ok());
  expect_near(tri[0], {0, 2, 3, 0, 0, 6, 0, 0, 0});

  Tensor mask = Tensor::from_vector<bool>({2, 2}, {true, false, false, true});
  std::vector<Tensor> nz{Tensor(DType::i64, {2, 2})};
  ASSERT_TRUE(run(make_node(OpKind::NonZero, 1, 1), {&mask}, nz).ok());
  EXPECT_EQ(nz[0].to_int64_vector(), (std::vector<int64_t>{0, 1, 0, 1}));
}

TEST(RefResize, LinearHalfPixelMatchesOnnxExample) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor scales = Tensor::from_vector<float>({4}, {1, 1, 2, 2});
  std::vector<Tensor> out{Tensor(DType::f32, {1, 1, 4, 4})};
  ASSERT_TRUE(run(make_node(OpKind::Resize, 3, 1, attrs({{"mode", std::string("linear")}})), {&x, nullptr, &scales}, out).ok());
  expect_near(out[0], {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4});
}

TEST(RefResize, NearestWithSizesAndCubicIdentity) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor sizes = i64s({4}, {1, 1, 3, 3});
  std::vector<Tensor> out{Tensor(DType::f32, {1, 1, 3, 3})};
  // half_pixel, round_prefer_floor: output 0,1,2 -> input 0 (x=-0.17), 0 (0.5 rounds down), 1 (1.17).
  ASSERT_TRUE(run(make_node(OpKind::Resize, 4, 1), {&x, nullptr, nullptr, &sizes}, out).ok());
  expect_near(out[0], {1, 1, 2, 1, 1, 2, 3, 3, 4});
  Tensor big = random_tensor({1, 2, 4, 5}, 10);
  Tensor ones = Tensor::from_vector<float>({4}, {1, 1, 1, 1});
  std::vector<Tensor> same{Tensor(DType::f32, {1, 2, 4, 5})};
  ASSERT_TRUE(run(make_node(OpKind::Resize, 3, 1, attrs({{"mode", std::string("cubic")}})), {&big, nullptr, &ones}, same).ok());
  expect_same(same[0], big, 1e-5f);
}

TEST(RefResize, DepthToSpaceModesAndInverse) {
  Tensor x = iota({1, 4, 1, 1});
  std::vector<Tensor> dcr{Tensor(DType::f32, {1, 1, 2, 2})};
  ASSERT_TRUE(run(make_node(OpKind::DepthToSpace, 1, 1, attrs({{"blocksize", int64_t{2}}})), {&x}, dcr).ok());
  expect_near(dcr[0], {0, 1, 2, 3});
  Tensor y = iota({1, 8, 1, 1});
  std::vector<Tensor> crd{Tensor(DType::f32, {1, 2, 2, 2})}, dcr2{Tensor(DType::f32, {1, 2, 2, 2})};
  ASSERT_TRUE(run(make_node(OpKind::DepthToSpace, 1, 1, attrs({{"blocksize", int64_t{2}}, {"mode", std::string("CRD")}})), {&y}, crd).ok());
  expect_near(crd[0], {0, 1, 2, 3, 4, 5, 6, 7});
  ASSERT_TRUE(run(make_node(OpKind::DepthToSpace, 1, 1, attrs({{"blocksize", int64_t{2}}})), {&y}, dcr2).ok());
  expect_near(dcr2[0], {0, 2, 4, 6, 1, 3, 5, 7});
  std::vector<Tensor> back{Tensor(DType::f32, {1, 8, 1, 1})};
  ASSERT_TRUE(run(make_node(OpKind::SpaceToDepth, 1, 1, attrs({{"blocksize", int64_t{2}}})), {&dcr2[0]}, back).ok());
  expect_same(back[0], y);
}

TEST(RefRegistry, RejectsWrongArityAndMissingInputs) {
  Tensor x = iota({1, 1, 3, 3});
  Node node = make_node(OpKind::Conv, 2, 1);
  std::vector<TensorView> in{TensorView::of(x)};
  Tensor y(DType::f32, {1, 1, 1, 1});
  std::vector<TensorView> out{TensorView::of(y)};
  EXPECT_EQ(run_node(node, in, out).code(), StatusCode::invalid_argument);
  in.push_back(TensorView{});
  Status missing = run_node(node, in, out);
  EXPECT_EQ(missing.code(), StatusCode::invalid_argument);
  EXPECT_NE(missing.message().find("Conv_test"), std::string::npos) << missing.message();
}

TEST(RefRegistry, EveryFamilyIsRegistered) {
  for (OpKind op : {OpKind::Conv, OpKind::MaxPool, OpKind::Gemm, OpKind::Reshape, OpKind::Resize, OpKind::Add,
                    OpKind::ReduceMean, OpKind::BatchNormalization, OpKind::QuantizeLinear})
    EXPECT_NE(find_kernel(op), nullptr) << op_name(op);
}

TEST(RefGraph, RunsAGraphAndFreesNothingItReturns) {
  GraphBuilder b("g");
  ValueId x = b.input("x", DType::f32, {1, 1, 3, 3});
  Tensor w(DType::f32, {1, 1, 3, 3});
  std::fill_n(w.data<float>(), 9, 1.0f);
  ValueId wid = b.initializer("w", w);
  ValueId conv = b.op(OpKind::Conv, {x, wid}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  ValueId flat = b.op(OpKind::Flatten, {conv});
  b.output(conv);
  b.output(flat);
  Graph g = b.build();
  g.value(conv).dtype = DType::f32;
  g.value(conv).shape = {1, 1, 3, 3};
  g.value(conv).shape_known = true;
  g.value(flat).dtype = DType::f32;
  g.value(flat).shape = {1, 9};
  g.value(flat).shape_known = true;
  std::vector<Tensor> inputs{iota({1, 1, 3, 3})};
  Result<std::vector<Tensor>> out = run_graph(g, inputs);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_EQ(out->size(), 2u);
  const std::vector<float> expected{8, 15, 12, 21, 36, 27, 20, 33, 24};
  expect_near((*out)[0], expected);
  expect_near((*out)[1], expected);
  std::vector<Tensor> wrong{iota({1, 1, 3, 4})};
  EXPECT_EQ(run_graph(g, wrong).status().code(), StatusCode::invalid_argument);
}

// A ResNet-50-sized conv (3x3, 256 channels, 56x56) against the naive formula; its rate is printed (the
// reference backend must stay usable as the oracle of real models; benchmarks, not this test, judge speed).
TEST(RefConvSpeed, ResNetSizedConvMatchesTheFormula) {
  Tensor x = random_tensor({1, 256, 56, 56}, 11);
  Tensor w = random_tensor({256, 256, 3, 3}, 12);
  std::vector<Tensor> out{Tensor(DType::f32, {1, 256, 56, 56})};
  Node node = make_node(OpKind::Conv, 2, 1, attrs({{"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(run(node, {&x, &w}, out).ok());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double gmacs = 256.0 * 256 * 9 * 56 * 56 / 1e9;
  std::printf("conv 256x56x56 3x3: %.3f s, %.2f GMAC/s\n", seconds, gmacs / seconds);
  // Spot-check one output against the naive formula.
  double acc = 0;
  for (int64_t c = 0; c < 256; ++c)
    for (int64_t kh = 0; kh < 3; ++kh)
      for (int64_t kw = 0; kw < 3; ++kw)
        acc += x.data<float>()[(c * 56 + 9 + kh) * 56 + 19 + kw] * w.data<float>()[((7 * 256 + c) * 3 + kh) * 3 + kw];
  EXPECT_NEAR(out[0].data<float>()[(7 * 56 + 10) * 56 + 20], acc, 1e-3);
}

}  // namespace
}  // namespace es::ref
