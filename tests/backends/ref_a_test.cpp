// Reference kernels, part A (elementwise, reduce, normalization, quantize): hand-computed expectations.
// The kernels are taken from a table filled only by these four families, so the tests exercise exactly
// them; the ONNX conformance suite covers the ops more broadly.
#include "backends/ref/ref_kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace es::ref {
namespace {

const KernelTable& part_a() {
  static const KernelTable table = [] {
    KernelTable t{};
    register_elementwise(t);
    register_reduce(t);
    register_normalization(t);
    register_quantize(t);
    return t;
  }();
  return table;
}

// Runs `op` on `inputs` (an empty Tensor is an omitted optional input) into preallocated `outputs`.
Status run(OpKind op, const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs, Attributes attrs = {}) {
  Node node;
  node.name = "test";
  node.op = op;
  node.attrs = std::move(attrs);
  std::vector<TensorView> in, out;
  for (const Tensor& t : inputs) in.push_back(TensorView::of(t));
  for (Tensor& t : outputs) out.push_back(TensorView::of(t));
  Kernel kernel = part_a()[static_cast<size_t>(op)];
  if (kernel == nullptr) return Status(StatusCode::unsupported, "no kernel");
  return kernel(node, in, out);
}

// One-output convenience: returns the output tensor of the given dtype and shape.
Tensor run1(OpKind op, const std::vector<Tensor>& inputs, DType dtype, Shape shape, Attributes attrs = {}) {
  std::vector<Tensor> outputs{Tensor(dtype, std::move(shape))};
  Status s = run(op, inputs, outputs, std::move(attrs));
  EXPECT_TRUE(s.ok()) << s.message();
  return outputs[0];
}

Attributes attrs(std::initializer_list<std::pair<const char*, AttrValue>> list) {
  Attributes a;
  for (const auto& [k, v] : list) a.set(k, v);
  return a;
}

template <class T>
Tensor tensor(Shape shape, std::vector<T> values) { return Tensor::from_vector<T>(std::move(shape), values); }
Tensor f32(Shape shape, std::vector<float> values) { return tensor<float>(std::move(shape), std::move(values)); }

template <class T>
std::vector<T> values_of(const Tensor& t) {
  auto v = t.values<T>();
  return {v.begin(), v.end()};
}

void expect_floats(const Tensor& t, const std::vector<float>& expected, float tolerance = 1e-6f) {
  std::vector<float> got = t.to_float_vector();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
    } else {
      EXPECT_NEAR(got[i], expected[i], tolerance * std::max(1.0f, std::fabs(expected[i]))) << "at " << i;
    }
  }
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// ---- elementwise ----------------------------------------------------------------------------------

TEST(RefElementwise, AddBroadcastsRowAcrossMatrix) {
  Tensor y = run1(OpKind::Add, {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3}, {10, 20, 30})}, DType::f32, {2, 3});
  expect_floats(y, {11, 22, 33, 14, 25, 36});
}

TEST(RefElementwise, MulBroadcastsColumnAgainstRowInInt32) {
  Tensor y = run1(OpKind::Mul, {tensor<int32_t>({2, 1}, {2, -3}), tensor<int32_t>({1, 3}, {1, 2, 3})}, DType::i32,
                  {2, 3});
  EXPECT_EQ(values_of<int32_t>(y), (std::vector<int32_t>{2, 4, 6, -3, -6, -9}));
}

TEST(RefElementwise, SubAndDivInDoubleAndIntegerDivisionTruncates) {
  Tensor d = run1(OpKind::Sub, {tensor<double>({2}, {1.5, 2.0}), tensor<double>({}, {0.25})}, DType::f64, {2});
  EXPECT_EQ(values_of<double>(d), (std::vector<double>{1.25, 1.75}));
  Tensor q = run1(OpKind::Div, {tensor<int64_t>({3}, {-7, 7, 9}), tensor<int64_t>({3}, {2, 2, -4})}, DType::i64, {3});
  EXPECT_EQ(values_of<int64_t>(q), (std::vector<int64_t>{-3, 3, -2}));
}

TEST(RefElementwise, AddInFloat16) {
  Tensor a(DType::f16, {2}), b(DType::f16, {2});
  auto* pa = static_cast<uint16_t*>(a.raw());
  auto* pb = static_cast<uint16_t*>(b.raw());
  pa[0] = float_to_half(1.5f);
  pa[1] = float_to_half(-2.0f);
  pb[0] = float_to_half(0.25f);
  pb[1] = float_to_half(0.5f);
  expect_floats(run1(OpKind::Add, {a, b}, DType::f16, {2}), {1.75f, -1.5f});
}

TEST(RefElementwise, PowAcceptsMixedBaseAndExponentTypes) {
  Tensor y = run1(OpKind::Pow, {f32({3}, {2, 3, 4}), tensor<int64_t>({3}, {3, 2, -1})}, DType::f32, {3});
  expect_floats(y, {8, 9, 0.25f});
  Tensor z = run1(OpKind::Pow, {tensor<int32_t>({2}, {2, 5}), f32({}, {2})}, DType::i32, {2});
  EXPECT_EQ(values_of<int32_t>(z), (std::vector<int32_t>{4, 25}));
}

TEST(RefElementwise, ClipWithMissingBounds) {
  Tensor x = f32({4}, {-5, -1, 1, 5});
  expect_floats(run1(OpKind::Clip, {x, f32({}, {-2}), f32({}, {2})}, DType::f32, {4}), {-2, -1, 1, 2});
  expect_floats(run1(OpKind::Clip, {x, Tensor(), f32({}, {0})}, DType::f32, {4}), {-5, -1, 0, 0});
  expect_floats(run1(OpKind::Clip, {x, f32({}, {0})}, DType::f32, {4}), {0, 0, 1, 5});
  expect_floats(run1(OpKind::Clip, {x}, DType::f32, {4}), {-5, -1, 1, 5});
  Tensor i = run1(OpKind::Clip, {tensor<int8_t>({3}, {-100, 0, 100}), tensor<int8_t>({}, {-10})}, DType::i8, {3});
  EXPECT_EQ(values_of<int8_t>(i), (std::vector<int8_t>{-10, 0, 100}));
}

TEST(RefElementwise, RoundHalvesToEven) {
  Tensor y = run1(OpKind::Round, {f32({7}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, -2.6f})}, DType::f32, {7});
  expect_floats(y, {0, 2, 2, -0.0f, -2, 2, -3});
}

TEST(RefElementwise, ModSignFollowsDivisorUnlessFmod) {
  Tensor a = tensor<int32_t>({6}, {-4, 7, 5, 4, -7, 8});
  Tensor b = tensor<int32_t>({6}, {2, -3, 8, -2, 3, 5});
  EXPECT_EQ(values_of<int32_t>(run1(OpKind::Mod, {a, b}, DType::i32, {6})),
            (std::vector<int32_t>{0, -2, 5, 0, 2, 3}));
  EXPECT_EQ(values_of<int32_t>(run1(OpKind::Mod, {a, b}, DType::i32, {6}, attrs({{"fmod", int64_t{1}}}))),
            (std::vector<int32_t>{0, 1, 5, 0, -1, 3}));
  Tensor f = run1(OpKind::Mod, {f32({3}, {-4.5f, 7.5f, 5}), f32({3}, {2, -2, 3})}, DType::f32, {3},
                  attrs({{"fmod", int64_t{1}}}));
  expect_floats(f, {-0.5f, 1.5f, 2});
}

TEST(RefElementwise, MaxMinPropagateNaNAndBroadcastManyInputs) {
  Tensor a = f32({3}, {1, kNaN, 3});
  Tensor b = f32({1}, {2});
  Tensor c = f32({2, 1}, {0, 10});
  expect_floats(run1(OpKind::Max, {a, b, c}, DType::f32, {2, 3}), {2, kNaN, 3, 10, kNaN, 10});
  expect_floats(run1(OpKind::Min, {a, b, c}, DType::f32, {2, 3}), {0, kNaN, 0, 1, kNaN, 2});
  Tensor i = run1(OpKind::Max, {tensor<int64_t>({2}, {-5, 9})}, DType::i64, {2});
  EXPECT_EQ(values_of<int64_t>(i), (std::vector<int64_t>{-5, 9}));
}

TEST(RefElementwise, SumAndMean) {
  Tensor a = f32({2}, {1, 2}), b = f32({2}, {3, 4}), c = f32({}, {6});
  expect_floats(run1(OpKind::Sum, {a, b, c}, DType::f32, {2}), {10, 12});
  expect_floats(run1(OpKind::Mean, {a, b, c}, DType::f32, {2}), {10.0f / 3, 4});
}

TEST(RefElementwise, ComparisonsAndLogicProduceBool) {
  Tensor a = f32({3}, {1, 2, 3}), b = f32({}, {2});
  EXPECT_EQ(values_of<bool>(run1(OpKind::Greater, {a, b}, DType::boolean, {3})), (std::vector<bool>{0, 0, 1}));
  EXPECT_EQ(values_of<bool>(run1(OpKind::LessOrEqual, {a, b}, DType::boolean, {3})), (std::vector<bool>{1, 1, 0}));
  EXPECT_EQ(values_of<bool>(run1(OpKind::Equal, {a, b}, DType::boolean, {3})), (std::vector<bool>{0, 1, 0}));
  Tensor p = tensor<bool>({4}, {false, false, true, true}), q = tensor<bool>({4}, {false, true, false, true});
  EXPECT_EQ(values_of<bool>(run1(OpKind::And, {p, q}, DType::boolean, {4})), (std::vector<bool>{0, 0, 0, 1}));
  EXPECT_EQ(values_of<bool>(run1(OpKind::Or, {p, q}, DType::boolean, {4})), (std::vector<bool>{0, 1, 1, 1}));
  EXPECT_EQ(values_of<bool>(run1(OpKind::Xor, {p, q}, DType::boolean, {4})), (std::vector<bool>{0, 1, 1, 0}));
  EXPECT_EQ(values_of<bool>(run1(OpKind::Not, {p}, DType::boolean, {4})), (std::vector<bool>{1, 1, 0, 0}));
}

TEST(RefElementwise, WhereBroadcastsAllThreeInputs) {
  Tensor cond = tensor<bool>({2, 1}, {true, false});
  Tensor y = run1(OpKind::Where, {cond, tensor<int64_t>({3}, {1, 2, 3}), tensor<int64_t>({}, {-1})}, DType::i64,
                  {2, 3});
  EXPECT_EQ(values_of<int64_t>(y), (std::vector<int64_t>{1, 2, 3, -1, -1, -1}));
}

TEST(RefElementwise, CastBetweenNumericTypes) {
  Tensor x = f32({5}, {2.7f, -2.7f, 0.0f, 1e10f, kNaN});
  EXPECT_EQ(values_of<int32_t>(run1(OpKind::Cast, {x}, DType::i32, {5})),
            (std::vector<int32_t>{2, -2, 0, std::numeric_limits<int32_t>::max(), 0}));
  EXPECT_EQ(values_of<bool>(run1(OpKind::Cast, {x}, DType::boolean, {5})), (std::vector<bool>{1, 1, 0, 1, 1}));
  expect_floats(run1(OpKind::Cast, {tensor<bool>({2}, {true, false})}, DType::f32, {2}), {1, 0});
  EXPECT_EQ(values_of<uint8_t>(run1(OpKind::Cast, {tensor<int64_t>({2}, {300, -1})}, DType::u8, {2})),
            (std::vector<uint8_t>{44, 255}));
  // f32 -> f16 rounds to the nearest half (1/3 -> 0.333251953125), f16 -> f64 is exact.
  Tensor h = run1(OpKind::Cast, {f32({2}, {1.0f / 3, 65504.0f})}, DType::f16, {2});
  EXPECT_EQ(values_of<double>(run1(OpKind::Cast, {h}, DType::f64, {2})), (std::vector<double>{0.333251953125, 65504}));
  // CastLike takes the target type from its second input (the output dtype).
  expect_floats(run1(OpKind::CastLike, {tensor<int32_t>({1}, {7}), f32({}, {0})}, DType::f32, {1}), {7});
}

TEST(RefElementwise, CastToBFloat16TruncatesLikeTheOpset17Reference) {
  // 1 + 3/256 lies between bf16 neighbours 1 + 2/256 and 1 + 4/256: truncation keeps the lower one.
  Tensor b = run1(OpKind::Cast, {f32({3}, {1.0f + 3.0f / 256, -2.0f - 3.0f / 128, kNaN})}, DType::bf16, {3});
  Tensor back = run1(OpKind::Cast, {b}, DType::f32, {3});
  expect_floats(back, {1.0f + 2.0f / 256, -2.0f - 2.0f / 128, kNaN}, 0);
}

TEST(RefElementwise, ActivationsWithDefaultAndExplicitAttributes) {
  Tensor x = f32({4}, {-3, -1, 1, 3});
  expect_floats(run1(OpKind::Relu, {x}, DType::f32, {4}), {0, 0, 1, 3});
  expect_floats(run1(OpKind::LeakyRelu, {x}, DType::f32, {4}), {-0.03f, -0.01f, 1, 3});
  expect_floats(run1(OpKind::LeakyRelu, {x}, DType::f32, {4}, attrs({{"alpha", 0.5f}})), {-1.5f, -0.5f, 1, 3});
  expect_floats(run1(OpKind::HardSigmoid, {x}, DType::f32, {4}), {0, 0.3f, 0.7f, 1});
  expect_floats(run1(OpKind::HardSwish, {x}, DType::f32, {4}), {0, -1.0f / 3, 2.0f / 3, 3});
  expect_floats(run1(OpKind::Sigmoid, {f32({2}, {0, 2})}, DType::f32, {2}), {0.5f, 1 / (1 + std::exp(-2.0f))});
  expect_floats(run1(OpKind::Tanh, {f32({1}, {0.5f})}, DType::f32, {1}), {std::tanh(0.5f)});
  expect_floats(run1(OpKind::Exp, {f32({1}, {1})}, DType::f32, {1}), {std::exp(1.0f)});
  expect_floats(run1(OpKind::Sqrt, {f32({2}, {4, -1})}, DType::f32, {2}), {2, kNaN});
  expect_floats(run1(OpKind::Elu, {x}, DType::f32, {4}), {std::expm1(-3.0f), std::expm1(-1.0f), 1, 3});
  expect_floats(run1(OpKind::ThresholdedRelu, {x}, DType::f32, {4}, attrs({{"alpha", 2.0f}})), {0, 0, 0, 3});
  expect_floats(run1(OpKind::Shrink, {x}, DType::f32, {4}, attrs({{"lambd", 1.5f}, {"bias", 0.5f}})),
                {-2.5f, 0, 0, 2.5f});
  expect_floats(run1(OpKind::Softsign, {x}, DType::f32, {4}), {-0.75f, -0.5f, 0.5f, 0.75f});
}

TEST(RefElementwise, PReluBroadcastsSlopePerChannel) {
  Tensor x = f32({1, 2, 2}, {-1, 2, -3, 4});
  Tensor slope = f32({2, 1}, {0.5f, 0.25f});
  expect_floats(run1(OpKind::PRelu, {x, slope}, DType::f32, {1, 2, 2}), {-0.5f, 2, -0.75f, 4});
}

TEST(RefElementwise, IntegerUnaryOps) {
  Tensor x = tensor<int32_t>({3}, {-5, 0, 7});
  EXPECT_EQ(values_of<int32_t>(run1(OpKind::Abs, {x}, DType::i32, {3})), (std::vector<int32_t>{5, 0, 7}));
  EXPECT_EQ(values_of<int32_t>(run1(OpKind::Neg, {x}, DType::i32, {3})), (std::vector<int32_t>{5, 0, -7}));
  EXPECT_EQ(values_of<int32_t>(run1(OpKind::Sign, {x}, DType::i32, {3})), (std::vector<int32_t>{-1, 0, 1}));
  EXPECT_EQ(values_of<int32_t>(run1(OpKind::Relu, {x}, DType::i32, {3})), (std::vector<int32_t>{0, 0, 7}));
}

TEST(RefElementwise, IsInfIsNaNAndBitShift) {
  Tensor x = f32({4}, {-kInf, kInf, kNaN, 1});
  EXPECT_EQ(values_of<bool>(run1(OpKind::IsInf, {x}, DType::boolean, {4})), (std::vector<bool>{1, 1, 0, 0}));
  EXPECT_EQ(values_of<bool>(run1(OpKind::IsInf, {x}, DType::boolean, {4}, attrs({{"detect_negative", int64_t{0}}}))),
            (std::vector<bool>{0, 1, 0, 0}));
  EXPECT_EQ(values_of<bool>(run1(OpKind::IsNaN, {x}, DType::boolean, {4})), (std::vector<bool>{0, 0, 1, 0}));
  Tensor v = tensor<uint8_t>({3}, {16, 4, 1}), s = tensor<uint8_t>({3}, {1, 2, 3});
  EXPECT_EQ(values_of<uint8_t>(run1(OpKind::BitShift, {v, s}, DType::u8, {3}, attrs({{"direction", std::string("RIGHT")}}))),
            (std::vector<uint8_t>{8, 1, 0}));
  EXPECT_EQ(values_of<uint8_t>(run1(OpKind::BitShift, {v, s}, DType::u8, {3}, attrs({{"direction", std::string("LEFT")}}))),
            (std::vector<uint8_t>{32, 16, 8}));
}

TEST(RefElementwise, DropoutIsIdentityWithAllTrueMask) {
  std::vector<Tensor> out{Tensor(DType::f32, {3}), Tensor(DType::boolean, {3})};
  ASSERT_TRUE(run(OpKind::Dropout, {f32({3}, {1, 2, 3}), f32({}, {0.5f})}, out).ok());
  expect_floats(out[0], {1, 2, 3});
  EXPECT_EQ(values_of<bool>(out[1]), (std::vector<bool>{1, 1, 1}));
  std::vector<Tensor> training{Tensor(DType::f32, {3})};
  Status s = run(OpKind::Dropout, {f32({3}, {1, 2, 3}), f32({}, {0.5f}), tensor<bool>({}, {true})}, training);
  EXPECT_EQ(s.code(), StatusCode::unsupported);
  // A zero ratio drops nothing even in training mode.
  ASSERT_TRUE(run(OpKind::Dropout, {f32({3}, {1, 2, 3}), f32({}, {0}), tensor<bool>({}, {true})}, training).ok());
  expect_floats(training[0], {1, 2, 3});
}

TEST(RefElementwise, UnsupportedDtypeIsReportedWithTheNode) {
  std::vector<Tensor> out{Tensor(DType::i32, {1})};
  Status s = run(OpKind::Sqrt, {tensor<int32_t>({1}, {4})}, out);
  EXPECT_EQ(s.code(), StatusCode::unsupported);
  EXPECT_NE(s.message().find("node 'test' (Sqrt)"), std::string::npos) << s.message();
}

// ---- reduce ---------------------------------------------------------------------------------------

TEST(RefReduce, ReduceMeanOverAttributeAxes) {
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_floats(run1(OpKind::ReduceMean, {x}, DType::f32, {2, 1}, attrs({{"axes", std::vector<int64_t>{1}}})),
                {2, 5});
  expect_floats(run1(OpKind::ReduceMean, {x}, DType::f32, {3},
                     attrs({{"axes", std::vector<int64_t>{-2}}, {"keepdims", int64_t{0}}})),
                {2.5f, 3.5f, 4.5f});
  expect_floats(run1(OpKind::ReduceMean, {x}, DType::f32, {1, 1}), {3.5f});
}

TEST(RefReduce, ReduceSumTakesAxesInputAndHonoursNoop) {
  Tensor x = tensor<int64_t>({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(values_of<int64_t>(run1(OpKind::ReduceSum, {x, tensor<int64_t>({1}, {0})}, DType::i64, {2},
                                    attrs({{"keepdims", int64_t{0}}}))),
            (std::vector<int64_t>{4, 6}));
  EXPECT_EQ(values_of<int64_t>(run1(OpKind::ReduceSum, {x, tensor<int64_t>({0}, {})}, DType::i64, {2, 2},
                                    attrs({{"noop_with_empty_axes", int64_t{1}}}))),
            (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(values_of<int64_t>(run1(OpKind::ReduceSum, {x}, DType::i64, {1, 1})), (std::vector<int64_t>{10}));
}

TEST(RefReduce, OtherReducers) {
  Tensor x = f32({2, 2}, {1, -2, 3, 4});
  auto axis1 = [] { return attrs({{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}}); };
  expect_floats(run1(OpKind::ReduceMax, {x}, DType::f32, {2}, axis1()), {1, 4});
  expect_floats(run1(OpKind::ReduceMin, {x}, DType::f32, {2}, axis1()), {-2, 3});
  expect_floats(run1(OpKind::ReduceProd, {x}, DType::f32, {2}, axis1()), {-2, 12});
  expect_floats(run1(OpKind::ReduceL1, {x}, DType::f32, {2}, axis1()), {3, 7});
  expect_floats(run1(OpKind::ReduceL2, {x}, DType::f32, {2}, axis1()), {std::sqrt(5.0f), 5});
  expect_floats(run1(OpKind::ReduceSumSquare, {x}, DType::f32, {2}, axis1()), {5, 25});
  expect_floats(run1(OpKind::ReduceLogSum, {x}, DType::f32, {2}, axis1()), {kNaN, std::log(7.0f)});
  Tensor big = f32({2}, {1000, 1000});
  expect_floats(run1(OpKind::ReduceLogSumExp, {big}, DType::f32, {1}), {1000 + std::log(2.0f)});
  expect_floats(run1(OpKind::ReduceMax, {f32({3}, {1, kNaN, 2})}, DType::f32, {1}), {kNaN});
}

TEST(RefReduce, ArgMaxArgMinWithKeepdimsAndLastIndex) {
  Tensor x = f32({2, 3}, {1, 5, 5, 7, 0, 0});
  EXPECT_EQ(values_of<int64_t>(run1(OpKind::ArgMax, {x}, DType::i64, {2, 1}, attrs({{"axis", int64_t{1}}}))),
            (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(values_of<int64_t>(run1(OpKind::ArgMax, {x}, DType::i64, {2, 1},
                                    attrs({{"axis", int64_t{1}}, {"select_last_index", int64_t{1}}}))),
            (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(values_of<int64_t>(run1(OpKind::ArgMin, {x}, DType::i64, {3}, attrs({{"keepdims", int64_t{0}}}))),
            (std::vector<int64_t>{0, 1, 1}));
}

TEST(RefReduce, SoftmaxFamilyAlongAxis) {
  Tensor x = f32({2, 2}, {0, std::log(3.0f), 1, 1});
  expect_floats(run1(OpKind::Softmax, {x}, DType::f32, {2, 2}), {0.25f, 0.75f, 0.5f, 0.5f});
  const float e = std::exp(1.0f);
  expect_floats(run1(OpKind::Softmax, {x}, DType::f32, {2, 2}, attrs({{"axis", int64_t{0}}})),
                {1 / (1 + e), 3 / (3 + e), e / (1 + e), e / (3 + e)});
  expect_floats(run1(OpKind::LogSoftmax, {x}, DType::f32, {2, 2}),
                {std::log(0.25f), std::log(0.75f), std::log(0.5f), std::log(0.5f)});
  expect_floats(run1(OpKind::Hardmax, {x}, DType::f32, {2, 2}), {0, 1, 1, 0});
}

TEST(RefReduce, CumSumExclusiveAndReverse) {
  Tensor x = tensor<int32_t>({4}, {1, 2, 3, 4});
  Tensor axis = tensor<int64_t>({}, {0});
  auto cumsum = [&](int64_t exclusive, int64_t reverse) {
    return values_of<int32_t>(run1(OpKind::CumSum, {x, axis}, DType::i32, {4},
                                   attrs({{"exclusive", exclusive}, {"reverse", reverse}})));
  };
  EXPECT_EQ(cumsum(0, 0), (std::vector<int32_t>{1, 3, 6, 10}));
  EXPECT_EQ(cumsum(1, 0), (std::vector<int32_t>{0, 1, 3, 6}));
  EXPECT_EQ(cumsum(0, 1), (std::vector<int32_t>{10, 9, 7, 4}));
  EXPECT_EQ(cumsum(1, 1), (std::vector<int32_t>{9, 7, 4, 0}));
  Tensor m = run1(OpKind::CumSum, {f32({2, 2}, {1, 2, 3, 4}), tensor<int32_t>({}, {-2})}, DType::f32, {2, 2});
  expect_floats(m, {1, 2, 4, 6});
}

TEST(RefReduce, TopKBreaksTiesByLowerIndex) {
  Tensor x = f32({2, 4}, {1, 3, 3, 2, 0, -1, 0, 5});
  std::vector<Tensor> out{Tensor(DType::f32, {2, 2}), Tensor(DType::i64, {2, 2})};
  ASSERT_TRUE(run(OpKind::TopK, {x, tensor<int64_t>({1}, {2})}, out).ok());
  expect_floats(out[0], {3, 3, 5, 0});
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{1, 2, 3, 0}));
  ASSERT_TRUE(run(OpKind::TopK, {x, tensor<int64_t>({1}, {2})}, out, attrs({{"largest", int64_t{0}}})).ok());
  expect_floats(out[0], {1, 2, -1, 0});
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{0, 3, 1, 0}));
  // Along axis 0 the lines are strided.
  std::vector<Tensor> col{Tensor(DType::f32, {1, 4}), Tensor(DType::i64, {1, 4})};
  ASSERT_TRUE(run(OpKind::TopK, {x, tensor<int64_t>({1}, {1})}, col, attrs({{"axis", int64_t{0}}})).ok());
  expect_floats(col[0], {1, 3, 3, 5});
  EXPECT_EQ(values_of<int64_t>(col[1]), (std::vector<int64_t>{0, 0, 0, 1}));
}

// ---- normalization --------------------------------------------------------------------------------

TEST(RefNormalization, BatchNormalizationInference) {
  Tensor x = f32({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor y = run1(OpKind::BatchNormalization,
                  {x, f32({2}, {1, 2}), f32({2}, {0, 1}), f32({2}, {1, 3}), f32({2}, {4, 1})}, DType::f32,
                  {1, 2, 1, 2}, attrs({{"epsilon", 0.0f}}));
  // channel 0: (x - 1) / 2 * 1 + 0; channel 1: (x - 3) / 1 * 2 + 1
  expect_floats(y, {0, 0.5f, 1, 3});
}

TEST(RefNormalization, BatchNormalizationTrainingUpdatesRunningStats) {
  Tensor x = f32({2, 1}, {1, 3});
  std::vector<Tensor> out{Tensor(DType::f32, {2, 1}), Tensor(DType::f32, {1}), Tensor(DType::f32, {1})};
  ASSERT_TRUE(run(OpKind::BatchNormalization, {x, f32({1}, {1}), f32({1}, {0}), f32({1}, {0}), f32({1}, {1})}, out,
                  attrs({{"epsilon", 0.0f}, {"momentum", 0.5f}, {"training_mode", int64_t{1}}}))
                  .ok());
  expect_floats(out[0], {-1, 1});
  expect_floats(out[1], {1});  // 0 * 0.5 + 2 * 0.5
  expect_floats(out[2], {1});  // 1 * 0.5 + 1 * 0.5
}

TEST(RefNormalization, InstanceNormalization) {
  Tensor x = f32({1, 2, 2}, {1, 3, 5, 5});
  Tensor y = run1(OpKind::InstanceNormalization, {x, f32({2}, {2, 1}), f32({2}, {0, 7})}, DType::f32, {1, 2, 2},
                  attrs({{"epsilon", 0.0f}}));
  expect_floats(y, {-2, 2, kNaN, kNaN});  // a constant instance has zero variance: 0/0 without epsilon
  Tensor z = run1(OpKind::InstanceNormalization, {x, f32({2}, {2, 1}), f32({2}, {0, 7})}, DType::f32, {1, 2, 2});
  expect_floats(z, {-2 / std::sqrt(1 + 1e-5f), 2 / std::sqrt(1 + 1e-5f), 7, 7});
}

TEST(RefNormalization, LayerNormalizationWithStatsOutputs) {
  Tensor x = f32({2, 2}, {1, 3, 2, 6});
  std::vector<Tensor> out{Tensor(DType::f32, {2, 2}), Tensor(DType::f32, {2, 1}), Tensor(DType::f32, {2, 1})};
  ASSERT_TRUE(run(OpKind::LayerNormalization, {x, f32({2}, {1, 2}), f32({2}, {0, 1})}, out,
                  attrs({{"epsilon", 0.0f}}))
                  .ok());
  expect_floats(out[0], {-1, 3, -1, 3});
  expect_floats(out[1], {2, 4});
  expect_floats(out[2], {1, 0.5f});
  // axis 0 normalises over everything; B omitted.
  Tensor all = run1(OpKind::LayerNormalization, {f32({2, 1}, {0, 2}), f32({2, 1}, {1, 3})}, DType::f32, {2, 1},
                    attrs({{"axis", int64_t{0}}, {"epsilon", 0.0f}}));
  expect_floats(all, {-1, 3});
}

TEST(RefNormalization, LpAndMeanVarianceNormalization) {
  expect_floats(run1(OpKind::LpNormalization, {f32({2, 2}, {3, 4, 0, 0})}, DType::f32, {2, 2}), {0.6f, 0.8f, 0, 0});
  expect_floats(run1(OpKind::LpNormalization, {f32({2, 2}, {1, 3, 1, 1})}, DType::f32, {2, 2},
                     attrs({{"p", int64_t{1}}, {"axis", int64_t{0}}})),
                {0.5f, 0.75f, 0.5f, 0.25f});
  Tensor mvn = run1(OpKind::MeanVarianceNormalization, {f32({1, 1, 1, 2}, {1, 3})}, DType::f32, {1, 1, 1, 2});
  expect_floats(mvn, {-1, 1}, 1e-6f);
}

TEST(RefNormalization, LRNSumsSquaresOverNeighbouringChannels) {
  Tensor x = f32({1, 3, 1, 1}, {1, 2, 3});
  // size 3: windows {0,1}, {0,1,2}, {1,2}; alpha/size = 1, beta 1, bias 1.
  Tensor y = run1(OpKind::LRN, {x}, DType::f32, {1, 3, 1, 1},
                  attrs({{"size", int64_t{3}}, {"alpha", 3.0f}, {"beta", 1.0f}, {"bias", 1.0f}}));
  expect_floats(y, {1.0f / 6, 2.0f / 15, 3.0f / 14});
  // size 2 looks at the channel itself and the next one (floor((2-1)/2) = 0 before, 1 after).
  Tensor z = run1(OpKind::LRN, {x}, DType::f32, {1, 3, 1, 1},
                  attrs({{"size", int64_t{2}}, {"alpha", 2.0f}, {"beta", 1.0f}, {"bias", 0.0f}}));
  expect_floats(z, {1.0f / 5, 2.0f / 13, 3.0f / 9});
}

// ---- quantize -------------------------------------------------------------------------------------

TEST(RefQuantize, QuantizeLinearPerTensorSaturatesAndRoundsHalfToEven) {
  Tensor x = f32({6}, {0, 2, 3, 1000, -254, -1000});
  Tensor y = run1(OpKind::QuantizeLinear, {x, f32({}, {2}), tensor<uint8_t>({}, {128})}, DType::u8, {6});
  EXPECT_EQ(values_of<uint8_t>(y), (std::vector<uint8_t>{128, 129, 130, 255, 1, 0}));
  Tensor z = run1(OpKind::QuantizeLinear, {f32({3}, {5, -5, 1000}), f32({}, {2})}, DType::u8, {3});
  EXPECT_EQ(values_of<uint8_t>(z), (std::vector<uint8_t>{2, 0, 255}));  // 2.5 -> 2, default zero point 0
}

TEST(RefQuantize, QuantizeLinearPerAxisInt8) {
  Tensor x = f32({1, 2, 2}, {1, 2, 3, -4});
  Tensor y = run1(OpKind::QuantizeLinear, {x, f32({2}, {1, 0.5f}), tensor<int8_t>({2}, {0, -1})}, DType::i8,
                  {1, 2, 2});
  EXPECT_EQ(values_of<int8_t>(y), (std::vector<int8_t>{1, 2, 5, -9}));
}

TEST(RefQuantize, DequantizeLinearPerTensorAndPerAxis) {
  Tensor x = tensor<uint8_t>({4}, {0, 3, 128, 255});
  expect_floats(run1(OpKind::DequantizeLinear, {x, f32({}, {2}), tensor<uint8_t>({}, {128})}, DType::f32, {4}),
                {-256, -250, 0, 254});
  Tensor q = tensor<int8_t>({2, 2}, {-1, 1, 4, 8});
  expect_floats(run1(OpKind::DequantizeLinear, {q, f32({2}, {0.5f, 2}), tensor<int8_t>({2}, {1, 0})}, DType::f32,
                     {2, 2}, attrs({{"axis", int64_t{0}}})),
                {-1, 0, 8, 16});
  expect_floats(run1(OpKind::DequantizeLinear, {tensor<int32_t>({2}, {-3, 4}), f32({}, {0.5f})}, DType::f32, {2}),
                {-1.5f, 2});
}

}  // namespace
}  // namespace es::ref
