#include "ir/builder.h"
#include "ir/shape_inference.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

namespace es {
namespace {

using Ints = std::vector<int64_t>;

Tensor ints(Ints v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }
Tensor floats(std::vector<float> v) { return Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v); }

// The reference kernels are written elsewhere; this evaluator knows just the shape arithmetic the
// tests fold (i64 Gather on axis 0, Unsqueeze, Concat of 1-D tensors, Mul) and reports others unsupported.
Status test_evaluator(const Node& node, std::span<const Tensor* const> in, std::span<Tensor> out) {
  switch (node.op) {
    case OpKind::Gather: {
      const Ints data = in[0]->to_int64_vector();
      const Ints idx = in[1]->to_int64_vector();
      for (size_t i = 0; i < idx.size(); ++i)
        out[0].data<int64_t>()[i] = data[static_cast<size_t>(idx[i] < 0 ? idx[i] + in[0]->dim(0) : idx[i])];
      return {};
    }
    case OpKind::Unsqueeze:
      std::memcpy(out[0].raw(), in[0]->raw(), in[0]->nbytes());
      return {};
    case OpKind::Concat: {
      auto* dst = static_cast<std::byte*>(out[0].raw());
      for (const Tensor* t : in) {
        std::memcpy(dst, t->raw(), t->nbytes());
        dst += t->nbytes();
      }
      return {};
    }
    case OpKind::Mul: {
      const Ints a = in[0]->to_int64_vector(), b = in[1]->to_int64_vector();
      for (int64_t i = 0; i < out[0].numel(); ++i)
        out[0].data<int64_t>()[i] = a[a.size() == 1 ? 0 : i] * b[b.size() == 1 ? 0 : i];
      return {};
    }
    default: return error(StatusCode::unsupported, "test evaluator has no kernel for {}", op_name(node.op));
  }
}

struct Fixture {
  GraphBuilder b{"t"};
  Status infer() { return infer_shapes(b.graph(), test_evaluator); }
  const Value& v(ValueId id) { return b.graph().value(id); }
  const Shape& shape(ValueId id) { return v(id).shape; }
  ValueId x(Shape s, DType t = DType::f32) { return b.input(fmt::format("x{}", b.graph().values.size()), t, s); }
  ValueId init(Tensor t) { return b.initializer("c", std::move(t)); }
};

// Infers and returns the error message (empty when inference succeeded).
std::string error_of(Fixture& f, StatusCode expected = StatusCode::invalid_model) {
  Status s = f.infer();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), expected) << s.message();
  return s.message();
}

#define EXPECT_OK(expr)                  \
  do {                                   \
    Status s_ = (expr);                  \
    EXPECT_TRUE(s_.ok()) << s_.message(); \
  } while (0)

TEST(ShapeInferenceElementwise, BroadcastAndDtypes) {
  Fixture f;
  ValueId a = f.x({1, 3, 1, 5}), c = f.x({4, 1});
  ValueId sum = f.b.op(OpKind::Add, {a, c});
  ValueId cmp = f.b.op(OpKind::Less, {a, c});
  ValueId relu = f.b.op(OpKind::Relu, {sum});
  ValueId cast = f.b.op(OpKind::Cast, {relu}, {{"to", int64_t{7}}});
  ValueId mx = f.b.op(OpKind::Max, {a, c, f.x({5})});
  ValueId where = f.b.op(OpKind::Where, {cmp, a, c});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(sum), (Shape{1, 3, 4, 5}));
  EXPECT_EQ(f.v(cmp).dtype, DType::boolean);
  EXPECT_EQ(f.shape(relu), (Shape{1, 3, 4, 5}));
  EXPECT_EQ(f.v(cast).dtype, DType::i64);
  EXPECT_EQ(f.shape(mx), (Shape{1, 3, 4, 5}));
  EXPECT_EQ(f.shape(where), (Shape{1, 3, 4, 5}));
  EXPECT_TRUE(f.v(where).shape_known);
}

TEST(ShapeInferenceElementwise, ActivationsWithExtraInputs) {
  Fixture f;
  ValueId in = f.x({2, 8, 4, 4});
  ValueId prelu = f.b.op(OpKind::PRelu, {in, f.init(Tensor(DType::f32, {8, 1, 1}))});
  ValueId clip = f.b.op(OpKind::Clip, {prelu, f.init(Tensor::scalar<float>(0)), f.init(Tensor::scalar<float>(6))});
  auto drop = f.b.ops(OpKind::Dropout, {clip}, 2);
  ValueId q = f.b.op(OpKind::QuantizeLinear, {drop[0], f.init(Tensor::scalar<float>(0.1f)),
                                              f.init(Tensor::scalar<int8_t>(0))});
  ValueId dq = f.b.op(OpKind::DequantizeLinear, {q, f.init(floats(std::vector<float>(8, 0.1f))),
                                                 f.init(Tensor(DType::i8, {8}))});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(clip), (Shape{2, 8, 4, 4}));
  EXPECT_EQ(f.v(drop[1]).dtype, DType::boolean);
  EXPECT_EQ(f.v(q).dtype, DType::i8);
  EXPECT_EQ(f.v(dq).dtype, DType::f32);
  EXPECT_EQ(f.shape(dq), (Shape{2, 8, 4, 4}));
}

// QDQ exporters give per-tensor parameters as 1-element vectors even for 1-D inputs (biases).
TEST(ShapeInferenceElementwise, QuantParametersPerTensorAndPerAxis) {
  Fixture f;
  ValueId bias = f.b.op(OpKind::DequantizeLinear, {f.init(Tensor(DType::i32, {24})), f.init(floats({0.5f})),
                                                   f.init(Tensor(DType::i32, {1}))});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(bias), (Shape{24}));

  Fixture bad;
  bad.b.op(OpKind::DequantizeLinear, {bad.init(Tensor(DType::i8, {8, 4, 3, 3})), bad.init(floats({1, 1, 1})),
                                      kNoValue}, {{"axis", int64_t{0}}}, "dq");
  EXPECT_EQ(error_of(bad), "node 'dq' (DequantizeLinear): input 1 has 3 values but axis 0 of the input has size 8");
}

TEST(ShapeInferenceElementwise, ErrorsNameNodeAndOp) {
  {
    Fixture f;
    f.b.op(OpKind::Add, {f.x({2, 3}), f.x({4})}, {}, "add_7");
    EXPECT_EQ(error_of(f), "node 'add_7' (Add): input 1 of shape 4 does not broadcast with shape 2x3");
  }
  {
    Fixture f;
    f.b.op(OpKind::Mul, {f.x({2}), f.x({2}, DType::i64)}, {}, "mul");
    EXPECT_EQ(error_of(f), "node 'mul' (Mul): input 1 has dtype i64 but input 0 has dtype f32");
  }
  {
    Fixture f;
    f.b.op(OpKind::Add, {f.x({2})}, {}, "lonely");
    EXPECT_EQ(error_of(f), "node 'lonely' (Add): has 1 inputs, expected 2");
  }
  {
    Fixture f;
    f.b.op(OpKind::Concat, {f.x({2}), kNoValue}, {{"axis", int64_t{0}}}, "cat");
    EXPECT_EQ(error_of(f), "node 'cat' (Concat): required input 1 is omitted");
  }
  {
    Fixture f;
    f.b.op(OpKind::PRelu, {f.x({1, 4, 2, 2}), f.init(Tensor(DType::f32, {3}))}, {}, "pr");
    EXPECT_NE(error_of(f).find("node 'pr' (PRelu): slope of shape 3"), std::string::npos);
  }
}

TEST(ShapeInferenceConv, PadsStridesGroupsAndAutoPad) {
  Fixture f;
  ValueId in = f.x({1, 8, 224, 224});
  ValueId w = f.init(Tensor(DType::f32, {16, 8, 3, 3}));
  ValueId dw = f.init(Tensor(DType::f32, {8, 1, 3, 3}));
  ValueId plain = f.b.op(OpKind::Conv, {in, w, f.init(Tensor(DType::f32, {16}))},
                         {{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}});
  ValueId depthwise = f.b.op(OpKind::Conv, {in, dw}, {{"group", int64_t{8}}});
  ValueId same = f.b.op(OpKind::Conv, {in, w}, {{"auto_pad", std::string("SAME_UPPER")}, {"strides", Ints{2, 2}}});
  ValueId valid = f.b.op(OpKind::Conv, {in, w}, {{"auto_pad", std::string("VALID")}, {"strides", Ints{2, 2}}});
  ValueId dilated = f.b.op(OpKind::Conv, {in, w}, {{"dilations", Ints{2, 2}}});
  ValueId fused = f.b.op(OpKind::FusedConv, {in, w, kNoValue, f.x({1, 16, 112, 112})},
                         {{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}, {"activation", std::string("Relu")}});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(plain), (Shape{1, 16, 112, 112}));
  EXPECT_EQ(f.shape(depthwise), (Shape{1, 8, 222, 222}));
  EXPECT_EQ(f.shape(same), (Shape{1, 16, 112, 112}));
  EXPECT_EQ(f.shape(valid), (Shape{1, 16, 111, 111}));
  EXPECT_EQ(f.shape(dilated), (Shape{1, 16, 220, 220}));
  EXPECT_EQ(f.shape(fused), (Shape{1, 16, 112, 112}));
}

TEST(ShapeInferenceConv, Errors) {
  {
    Fixture f;
    f.b.op(OpKind::Conv, {f.x({1, 3, 8, 8}), f.init(Tensor(DType::f32, {4, 3, 3}))}, {}, "Conv_3");
    EXPECT_EQ(error_of(f), "node 'Conv_3' (Conv): input 1 has rank 3, expected 4");
  }
  {
    Fixture f;
    f.b.op(OpKind::Conv, {f.x({1, 3, 8, 8}), f.init(Tensor(DType::f32, {4, 2, 3, 3}))}, {}, "c");
    EXPECT_NE(error_of(f).find("node 'c' (Conv): weight expects 2 input channels"), std::string::npos);
  }
  {
    Fixture f;
    f.b.op(OpKind::Conv, {f.x({1, 3, 2, 2}), f.init(Tensor(DType::f32, {4, 3, 5, 5}))}, {}, "big");
    EXPECT_EQ(error_of(f),
              "node 'big' (Conv): kernel extent 5 is larger than the padded input size 2 on spatial axis 0");
  }
}

TEST(ShapeInferenceConv, ConvTranspose) {
  Fixture f;
  ValueId in = f.x({1, 1, 3, 3});
  ValueId w = f.init(Tensor(DType::f32, {1, 2, 3, 3}));
  ValueId basic = f.b.op(OpKind::ConvTranspose, {in, w});
  ValueId padded = f.b.op(OpKind::ConvTranspose, {in, w},
                          {{"strides", Ints{3, 2}}, {"output_padding", Ints{1, 1}}});
  ValueId explicit_shape = f.b.op(OpKind::ConvTranspose, {in, w},
                                  {{"strides", Ints{3, 2}}, {"output_shape", Ints{10, 8}}});
  ValueId same = f.b.op(OpKind::ConvTranspose, {in, w}, {{"strides", Ints{2, 2}}, {"auto_pad", std::string("SAME_UPPER")}});
  ValueId grouped = f.b.op(OpKind::ConvTranspose, {f.x({1, 4, 5, 5}), f.init(Tensor(DType::f32, {4, 3, 2, 2}))},
                           {{"group", int64_t{2}}, {"strides", Ints{2, 2}}, {"pads", Ints{0, 0, 1, 1}}});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(basic), (Shape{1, 2, 5, 5}));
  EXPECT_EQ(f.shape(padded), (Shape{1, 2, 10, 8}));
  EXPECT_EQ(f.shape(explicit_shape), (Shape{1, 2, 10, 8}));
  EXPECT_EQ(f.shape(same), (Shape{1, 2, 6, 6}));
  EXPECT_EQ(f.shape(grouped), (Shape{1, 6, 9, 9}));
}

TEST(ShapeInferencePool, CeilModeAndAutoPad) {
  Fixture f;
  ValueId in = f.x({1, 4, 112, 112});
  auto pool = [&](OpKind op, std::initializer_list<std::pair<const char*, AttrValue>> attrs) {
    return f.b.op(op, {in}, attrs);
  };
  ValueId floor_mode = pool(OpKind::MaxPool, {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}});
  ValueId ceil_mode = pool(OpKind::MaxPool, {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}});
  ValueId same_lower = pool(OpKind::AveragePool, {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}},
                                                  {"auto_pad", std::string("SAME_LOWER")}});
  ValueId valid = pool(OpKind::AveragePool, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{3, 3}},
                                             {"auto_pad", std::string("VALID")}});
  ValueId global = f.b.op(OpKind::GlobalAveragePool, {in});
  // 5 wide, kernel 2, stride 2, pad 1: ceil gives 4 windows but the 4th would start in the right padding.
  ValueId last_window = f.b.op(OpKind::MaxPool, {f.x({1, 1, 5, 5})},
                               {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}},
                                {"ceil_mode", int64_t{1}}});
  auto with_indices = f.b.ops(OpKind::MaxPool, {in}, 2, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(floor_mode), (Shape{1, 4, 55, 55}));
  EXPECT_EQ(f.shape(ceil_mode), (Shape{1, 4, 56, 56}));
  EXPECT_EQ(f.shape(same_lower), (Shape{1, 4, 56, 56}));
  EXPECT_EQ(f.shape(valid), (Shape{1, 4, 37, 37}));
  EXPECT_EQ(f.shape(global), (Shape{1, 4, 1, 1}));
  EXPECT_EQ(f.shape(last_window), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(f.v(with_indices[1]).dtype, DType::i64);
  EXPECT_EQ(f.shape(with_indices[1]), (Shape{1, 4, 56, 56}));
}

TEST(ShapeInferencePool, MissingKernelShape) {
  Fixture f;
  f.b.op(OpKind::MaxPool, {f.x({1, 1, 4, 4})}, {}, "mp");
  EXPECT_EQ(error_of(f), "node 'mp' (MaxPool): attribute kernel_shape is missing");
}

TEST(ShapeInferenceNorm, BatchLayerInstanceLrnSoftmax) {
  Fixture f;
  ValueId in = f.x({2, 3, 5, 5});
  auto c = [&] { return f.init(Tensor(DType::f32, {3})); };
  ValueId bn = f.b.op(OpKind::BatchNormalization, {in, c(), c(), c(), c()});
  ValueId inst = f.b.op(OpKind::InstanceNormalization, {in, c(), c()});
  auto ln = f.b.ops(OpKind::LayerNormalization, {in, f.init(Tensor(DType::f32, {5, 5}))}, 3, {{"axis", int64_t{2}}});
  ValueId lrn = f.b.op(OpKind::LRN, {in}, {{"size", int64_t{3}}});
  ValueId sm = f.b.op(OpKind::Softmax, {in}, {{"axis", int64_t{1}}});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(bn), (Shape{2, 3, 5, 5}));
  EXPECT_EQ(f.shape(inst), (Shape{2, 3, 5, 5}));
  EXPECT_EQ(f.shape(ln[1]), (Shape{2, 3, 1, 1}));
  EXPECT_EQ(f.shape(lrn), (Shape{2, 3, 5, 5}));
  EXPECT_EQ(f.shape(sm), (Shape{2, 3, 5, 5}));

  Fixture bad;
  bad.b.op(OpKind::BatchNormalization, {bad.x({2, 3, 5}), bad.init(Tensor(DType::f32, {4})),
                                        bad.init(Tensor(DType::f32, {3})), bad.init(Tensor(DType::f32, {3})),
                                        bad.init(Tensor(DType::f32, {3}))}, {}, "bn");
  EXPECT_EQ(error_of(bad), "node 'bn' (BatchNormalization): input 1 has 4 values, expected one per channel (3)");
  Fixture axis;
  axis.b.op(OpKind::Softmax, {axis.x({2, 3})}, {{"axis", int64_t{2}}}, "sm");
  EXPECT_EQ(error_of(axis), "node 'sm' (Softmax): axis 2 is out of range for rank 2");
}

TEST(ShapeInferenceLinalg, GemmMatMulEinsum) {
  Fixture f;
  ValueId gemm = f.b.op(OpKind::Gemm, {f.x({4, 16}), f.init(Tensor(DType::f32, {10, 16})), f.init(Tensor(DType::f32, {10}))},
                        {{"transB", int64_t{1}}});
  ValueId mm = f.b.op(OpKind::MatMul, {f.x({2, 1, 3, 4}), f.x({5, 4, 6})});
  ValueId vec_left = f.b.op(OpKind::MatMul, {f.x({4}), f.x({3, 4, 6})});
  ValueId vec_right = f.b.op(OpKind::MatMul, {f.x({3, 4, 6}), f.x({6})});
  ValueId einsum = f.b.op(OpKind::Einsum, {f.x({2, 3, 4}), f.x({2, 4, 5})}, {{"equation", std::string("bij,bjk->bik")}});
  ValueId implicit = f.b.op(OpKind::Einsum, {f.x({7, 3, 4})}, {{"equation", std::string("...ij")}});
  ValueId trace = f.b.op(OpKind::Einsum, {f.x({3, 3})}, {{"equation", std::string("ii")}});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(gemm), (Shape{4, 10}));
  EXPECT_EQ(f.shape(mm), (Shape{2, 5, 3, 6}));
  EXPECT_EQ(f.shape(vec_left), (Shape{3, 6}));
  EXPECT_EQ(f.shape(vec_right), (Shape{3, 4}));
  EXPECT_EQ(f.shape(einsum), (Shape{2, 3, 5}));
  EXPECT_EQ(f.shape(implicit), (Shape{7, 3, 4}));
  EXPECT_EQ(f.shape(trace), (Shape{}));

  Fixture bad;
  bad.b.op(OpKind::Gemm, {bad.x({4, 16}), bad.init(Tensor(DType::f32, {15, 10}))}, {}, "fc");
  EXPECT_EQ(error_of(bad), "node 'fc' (Gemm): inner dimensions differ: A gives 16 and B gives 15");
}

TEST(ShapeInferenceShapeOps, ReshapeFlattenSqueezeTranspose) {
  Fixture f;
  ValueId in = f.x({2, 3, 4, 5});
  ValueId reshape = f.b.op(OpKind::Reshape, {in, f.init(ints({0, -1, 5}))});
  ValueId flatten = f.b.op(OpKind::Flatten, {in}, {{"axis", int64_t{-1}}});
  ValueId flatten0 = f.b.op(OpKind::Flatten, {in}, {{"axis", int64_t{0}}});
  ValueId unsq = f.b.op(OpKind::Unsqueeze, {in, f.init(ints({0, -1}))});
  ValueId sq = f.b.op(OpKind::Squeeze, {unsq, f.init(ints({-1}))});
  ValueId sq_all = f.b.op(OpKind::Squeeze, {unsq});
  ValueId tr = f.b.op(OpKind::Transpose, {in}, {{"perm", Ints{0, 2, 3, 1}}});
  ValueId tr_default = f.b.op(OpKind::Transpose, {in});
  ValueId d2s = f.b.op(OpKind::DepthToSpace, {f.x({1, 8, 2, 3})}, {{"blocksize", int64_t{2}}});
  ValueId s2d = f.b.op(OpKind::SpaceToDepth, {f.x({1, 2, 4, 6})}, {{"blocksize", int64_t{2}}});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(reshape), (Shape{2, 12, 5}));
  EXPECT_EQ(f.shape(flatten), (Shape{24, 5}));
  EXPECT_EQ(f.shape(flatten0), (Shape{1, 120}));
  EXPECT_EQ(f.shape(unsq), (Shape{1, 2, 3, 4, 5, 1}));
  EXPECT_EQ(f.shape(sq), (Shape{1, 2, 3, 4, 5}));
  EXPECT_EQ(f.shape(sq_all), (Shape{2, 3, 4, 5}));
  EXPECT_EQ(f.shape(tr), (Shape{2, 4, 5, 3}));
  EXPECT_EQ(f.shape(tr_default), (Shape{5, 4, 3, 2}));
  EXPECT_EQ(f.shape(d2s), (Shape{1, 2, 4, 6}));
  EXPECT_EQ(f.shape(s2d), (Shape{1, 8, 2, 3}));
}

TEST(ShapeInferenceShapeOps, ReshapeErrors) {
  {
    Fixture f;
    f.b.op(OpKind::Reshape, {f.x({2, 3}), f.init(ints({-1, -1}))}, {}, "r");
    EXPECT_EQ(error_of(f), "node 'r' (Reshape): shape [-1, -1] has more than one -1");
  }
  {
    Fixture f;
    f.b.op(OpKind::Reshape, {f.x({2, 3}), f.init(ints({4, 2}))}, {}, "r");
    EXPECT_EQ(error_of(f), "node 'r' (Reshape): cannot reshape 2x3 (6 elements) to [4, 2] (8 elements)");
  }
  {
    Fixture f;
    ValueId dynamic_shape = f.x({2}, DType::i64);
    f.b.op(OpKind::Reshape, {f.x({2, 3}), dynamic_shape}, {}, "r");
    EXPECT_EQ(error_of(f, StatusCode::unsupported),
              "node 'r' (Reshape): shape input '" + f.v(dynamic_shape).name + "' is not known before run time");
  }
  {
    Fixture f;
    f.b.op(OpKind::Squeeze, {f.x({2, 3}), f.init(ints({0}))}, {}, "sq");
    EXPECT_EQ(error_of(f), "node 'sq' (Squeeze): cannot squeeze axis 0 of size 2");
  }
  {
    Fixture f;
    f.b.op(OpKind::Unsqueeze, {f.x({2, 3}), f.init(ints({3}))}, {}, "u");
    EXPECT_EQ(error_of(f), "node 'u' (Unsqueeze): axes 3 is out of range for rank 3");
  }
}

TEST(ShapeInferenceShapeOps, ConcatSplitSlicePad) {
  Fixture f;
  ValueId in = f.x({2, 6, 8});
  ValueId cat = f.b.op(OpKind::Concat, {in, f.x({2, 1, 8}), in}, {{"axis", int64_t{-2}}});
  auto even = f.b.ops(OpKind::Split, {in}, 3, {{"axis", int64_t{1}}});
  auto sized = f.b.ops(OpKind::Split, {in, f.init(ints({1, 7}))}, 2, {{"axis", int64_t{2}}});
  ValueId slice = f.b.op(OpKind::Slice, {in, f.init(ints({1, -1})), f.init(ints({1000, -100})), f.init(ints({1, 2})),
                                         f.init(ints({2, -3}))});
  ValueId slice_empty = f.b.op(OpKind::Slice, {in, f.init(ints({4})), f.init(ints({2})), f.init(ints({1}))});
  ValueId pad = f.b.op(OpKind::Pad, {in, f.init(ints({0, 1, 2, 0, 3, -4}))});
  ValueId pad_axes = f.b.op(OpKind::Pad, {in, f.init(ints({1, 1})), kNoValue, f.init(ints({-1}))},
                            {{"mode", std::string("reflect")}});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(cat), (Shape{2, 13, 8}));
  ASSERT_EQ(even.size(), 3u);
  EXPECT_EQ(f.shape(even[2]), (Shape{2, 2, 8}));
  EXPECT_EQ(f.shape(sized[1]), (Shape{2, 6, 7}));
  EXPECT_EQ(f.shape(slice), (Shape{2, 3, 3}));
  EXPECT_EQ(f.shape(slice_empty), (Shape{2, 0, 8}));
  EXPECT_EQ(f.shape(pad), (Shape{2, 10, 6}));
  EXPECT_EQ(f.shape(pad_axes), (Shape{2, 6, 10}));
}

TEST(ShapeInferenceShapeOps, ConcatAndSplitErrors) {
  {
    Fixture f;
    f.b.op(OpKind::Concat, {f.x({2, 3}), f.x({3, 3})}, {{"axis", int64_t{1}}}, "cat");
    EXPECT_EQ(error_of(f), "node 'cat' (Concat): input 1 has shape 3x3, which differs from 2x3 on axis 0 (concat axis 1)");
  }
  {
    Fixture f;
    f.b.ops(OpKind::Split, {f.x({2, 5})}, 2, {{"axis", int64_t{1}}}, "sp");
    EXPECT_EQ(error_of(f), "node 'sp' (Split): axis 1 of size 5 does not split evenly into 2 outputs");
  }
  {
    Fixture f;
    f.b.ops(OpKind::Split, {f.x({2, 5}), f.init(ints({2, 2}))}, 2, {{"axis", int64_t{1}}}, "sp");
    EXPECT_EQ(error_of(f), "node 'sp' (Split): split sizes add up to 4, but axis 1 has size 5");
  }
}

TEST(ShapeInferenceShapeOps, GatherExpandTileResize) {
  Fixture f;
  ValueId in = f.x({1, 3, 4, 6});
  ValueId gather = f.b.op(OpKind::Gather, {in, f.x({2, 5}, DType::i64)}, {{"axis", int64_t{2}}});
  ValueId gather_scalar = f.b.op(OpKind::Gather, {in, f.init(Tensor::scalar<int64_t>(-1))}, {{"axis", int64_t{1}}});
  ValueId ge = f.b.op(OpKind::GatherElements, {in, f.x({1, 3, 2, 6}, DType::i64)}, {{"axis", int64_t{2}}});
  ValueId gnd = f.b.op(OpKind::GatherND, {in, f.x({5, 2}, DType::i64)});
  ValueId expand = f.b.op(OpKind::Expand, {f.x({3, 1}), f.init(ints({2, 1, 5}))});
  ValueId tile = f.b.op(OpKind::Tile, {f.x({3, 1}), f.init(ints({2, 4}))});
  ValueId by_scale = f.b.op(OpKind::Resize, {in, f.init(Tensor(DType::f32, {0})), f.init(floats({1, 1, 2, 0.5f}))},
                            {{"mode", std::string("nearest")}});
  ValueId by_size = f.b.op(OpKind::Resize, {in, kNoValue, kNoValue, f.init(ints({1, 3, 7, 9}))});
  ValueId onehot = f.b.op(OpKind::OneHot, {f.x({2, 3}, DType::i64), f.init(Tensor::scalar<int64_t>(10)),
                                           f.init(floats({0, 1}))}, {{"axis", int64_t{1}}});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(gather), (Shape{1, 3, 2, 5, 6}));
  EXPECT_EQ(f.shape(gather_scalar), (Shape{1, 4, 6}));
  EXPECT_EQ(f.shape(ge), (Shape{1, 3, 2, 6}));
  EXPECT_EQ(f.shape(gnd), (Shape{5, 4, 6}));
  EXPECT_EQ(f.shape(expand), (Shape{2, 3, 5}));
  EXPECT_EQ(f.shape(tile), (Shape{6, 4}));
  EXPECT_EQ(f.shape(by_scale), (Shape{1, 3, 8, 3}));
  EXPECT_EQ(f.shape(by_size), (Shape{1, 3, 7, 9}));
  EXPECT_EQ(f.shape(onehot), (Shape{2, 10, 3}));

  Fixture bad;
  bad.b.op(OpKind::Gather, {bad.x({3, 4}), bad.init(ints({3}))}, {}, "g");
  EXPECT_EQ(error_of(bad), "node 'g' (Gather): index 3 is out of range for axis 0 of size 3");
  Fixture both;
  both.b.op(OpKind::Resize, {both.x({1, 1, 2, 2}), kNoValue, both.init(floats({1, 1, 2, 2})),
                             both.init(ints({1, 1, 4, 4}))}, {}, "rs");
  EXPECT_EQ(error_of(both), "node 'rs' (Resize): exactly one of scales and sizes must be given, found both");
}

TEST(ShapeInferenceReduce, AxesKeepdimsArgTopK) {
  Fixture f;
  ValueId in = f.x({2, 3, 4});
  ValueId mean = f.b.op(OpKind::ReduceMean, {in}, {{"axes", Ints{-1}}});
  ValueId mean_all = f.b.op(OpKind::ReduceMax, {in}, {{"keepdims", int64_t{0}}});
  ValueId sum = f.b.op(OpKind::ReduceSum, {in, f.init(ints({0, 2}))}, {{"keepdims", int64_t{0}}});
  ValueId sum_noop = f.b.op(OpKind::ReduceSum, {in, f.init(Tensor(DType::i64, {0}))}, {{"noop_with_empty_axes", int64_t{1}}});
  ValueId argmax = f.b.op(OpKind::ArgMax, {in}, {{"axis", int64_t{1}}, {"keepdims", int64_t{0}}});
  auto topk = f.b.ops(OpKind::TopK, {in, f.init(ints({2}))}, 2);
  ValueId cumsum = f.b.op(OpKind::CumSum, {in, f.init(Tensor::scalar<int64_t>(1))});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(mean), (Shape{2, 3, 1}));
  EXPECT_EQ(f.shape(mean_all), (Shape{}));
  EXPECT_EQ(f.shape(sum), (Shape{3}));
  EXPECT_EQ(f.shape(sum_noop), (Shape{2, 3, 4}));
  EXPECT_EQ(f.shape(argmax), (Shape{2, 4}));
  EXPECT_EQ(f.v(argmax).dtype, DType::i64);
  EXPECT_EQ(f.shape(topk[0]), (Shape{2, 3, 2}));
  EXPECT_EQ(f.v(topk[1]).dtype, DType::i64);
  EXPECT_EQ(f.shape(cumsum), (Shape{2, 3, 4}));

  Fixture bad;
  bad.b.op(OpKind::ReduceMean, {bad.x({2, 3})}, {{"axes", Ints{0, -2}}}, "rm");
  EXPECT_EQ(error_of(bad), "node 'rm' (ReduceMean): axes repeat axis -2");
}

TEST(ShapeInferenceValues, ConstantShapeSizeAreAlwaysKnown) {
  Fixture f;
  Tensor big(DType::f32, {100, 100});  // above max_propagated_elements, still known
  ValueId constant = f.b.op(OpKind::Constant, {}, {{"value", big}});
  ValueId constant_ints = f.b.op(OpKind::Constant, {}, {{"value_ints", Ints{4, 5}}});
  ValueId shape = f.b.op(OpKind::Shape, {f.x({1, 3, 224, 224})});
  ValueId tail = f.b.op(OpKind::Shape, {f.x({1, 3, 224, 224})}, {{"start", int64_t{-2}}});
  ValueId size = f.b.op(OpKind::Size, {f.x({2, 5})});
  EXPECT_OK(f.infer());
  ASSERT_NE(f.v(constant).data, nullptr);
  EXPECT_EQ(f.shape(constant), (Shape{100, 100}));
  EXPECT_EQ(f.v(constant_ints).data->to_int64_vector(), (Ints{4, 5}));
  EXPECT_EQ(f.v(shape).data->to_int64_vector(), (Ints{1, 3, 224, 224}));
  EXPECT_EQ(f.v(tail).data->to_int64_vector(), (Ints{224, 224}));
  EXPECT_EQ(f.v(size).data->to_int64_vector(), (Ints{10}));
  EXPECT_EQ(f.shape(size), (Shape{}));
}

// The pattern exporters emit for x.view(x.size(0), -1): every value on the way becomes known.
TEST(ShapeInferenceValues, ShapeGatherUnsqueezeConcatReshapeChain) {
  Fixture f;
  ValueId in = f.x({4, 8, 3, 3});
  ValueId shape = f.b.op(OpKind::Shape, {in});
  ValueId batch = f.b.op(OpKind::Gather, {shape, f.init(Tensor::scalar<int64_t>(0))}, {{"axis", int64_t{0}}});
  ValueId batch1 = f.b.op(OpKind::Unsqueeze, {batch, f.init(ints({0}))});
  ValueId target = f.b.op(OpKind::Concat, {batch1, f.init(ints({-1}))}, {{"axis", int64_t{0}}});
  ValueId out = f.b.op(OpKind::Reshape, {in, target});
  EXPECT_OK(f.infer());
  ASSERT_NE(f.v(batch).data, nullptr);
  EXPECT_EQ(f.v(batch).data->to_int64_vector(), (Ints{4}));
  EXPECT_EQ(f.v(target).data->to_int64_vector(), (Ints{4, -1}));
  EXPECT_EQ(f.shape(out), (Shape{4, 72}));
  EXPECT_EQ(f.v(out).data, nullptr);  // the reshaped activations are not known
}

TEST(ShapeInferenceValues, PropagationRespectsTheElementLimit) {
  Fixture f;
  ValueId small = f.b.op(OpKind::Mul, {f.init(ints({1, 2, 3})), f.init(Tensor::scalar<int64_t>(2))});
  ValueId large = f.b.op(OpKind::Mul, {f.init(Tensor(DType::i64, {64})), f.init(Tensor::scalar<int64_t>(2))});
  EXPECT_OK(infer_shapes(f.b.graph(), test_evaluator, {.max_propagated_elements = 16}));
  ASSERT_NE(f.v(small).data, nullptr);
  EXPECT_EQ(f.v(small).data->to_int64_vector(), (Ints{2, 4, 6}));
  EXPECT_EQ(f.v(large).data, nullptr);
  EXPECT_EQ(f.shape(large), (Shape{64}));
}

TEST(ShapeInferenceValues, GeneratorsAndDataDependentShapes) {
  Fixture f;
  ValueId cos = f.b.op(OpKind::ConstantOfShape, {f.init(ints({2, 3}))},
                       {{"value", Tensor::from_vector<int32_t>({1}, {7})}});
  ValueId range = f.b.op(OpKind::Range, {f.init(Tensor::scalar<float>(1)), f.init(Tensor::scalar<float>(2)),
                                         f.init(Tensor::scalar<float>(0.3f))});
  ValueId down = f.b.op(OpKind::Range, {f.init(Tensor::scalar<int64_t>(10)), f.init(Tensor::scalar<int64_t>(4)),
                                        f.init(Tensor::scalar<int64_t>(-3))});
  ValueId nz = f.b.op(OpKind::NonZero, {f.init(Tensor::from_vector<float>({2, 2}, {0.f, 1.f, -0.f, 3.f}))});
  EXPECT_OK(f.infer());
  EXPECT_EQ(f.shape(cos), (Shape{2, 3}));
  EXPECT_EQ(f.v(cos).dtype, DType::i32);
  EXPECT_EQ(f.shape(range), (Shape{4}));
  EXPECT_EQ(f.shape(down), (Shape{2}));
  EXPECT_EQ(f.shape(nz), (Shape{2, 2}));

  Fixture dynamic;
  dynamic.b.op(OpKind::NonZero, {dynamic.x({4})}, {}, "x");
  EXPECT_EQ(error_of(dynamic, StatusCode::unsupported), "node 'x' (NonZero): output shape depends on run-time data");
}

TEST(ShapeInferenceGraph, AbsurdValueDependentSizeIsRefused) {
  Fixture f;
  f.b.op(OpKind::ConstantOfShape, {f.init(ints({int64_t{1} << 31, int64_t{1} << 31}))}, {}, "huge");
  const std::string message = error_of(f, StatusCode::resource);
  EXPECT_EQ(message.rfind("node 'huge' (ConstantOfShape): output 'huge': tensor of shape", 0), 0u) << message;
}

TEST(ShapeInferenceGraph, UnshapedInputIsReported) {
  Fixture f;
  ValueId loose = f.b.graph().add_value_unshaped("loose", DType::f32);
  f.b.op(OpKind::Relu, {loose}, {}, "relu");
  EXPECT_EQ(error_of(f), "node 'relu' (Relu): input 0 ('loose') has no static shape or dtype");
}

TEST(ShapeInferenceGraph, InferNodeOverwritesOutputs) {
  Fixture f;
  ValueId y = f.b.op(OpKind::Relu, {f.x({2, 2})});
  f.b.graph().value(y).shape = {9};
  f.b.graph().value(y).shape_known = true;
  EXPECT_OK(infer_node(f.b.graph(), f.b.graph().value(y).producer));
  EXPECT_EQ(f.shape(y), (Shape{2, 2}));
  EXPECT_EQ(f.v(y).dtype, DType::f32);
}

// A 1,000-node model must infer in milliseconds; the bound leaves room for slow CI machines.
TEST(ShapeInferenceGraph, ThousandNodesInferQuickly) {
  Fixture f;
  ValueId cur = f.x({1, 16, 32, 32});
  ValueId w = f.init(Tensor(DType::f32, {16, 16, 3, 3}));
  for (int i = 0; i < 500; ++i) {
    // Distinct names keep the builder's unique-name search out of the picture.
    cur = f.b.op(OpKind::Conv, {cur, w}, {{"pads", Ints{1, 1, 1, 1}}}, "conv" + std::to_string(i));
    cur = f.b.op(OpKind::Relu, {cur}, {}, "relu" + std::to_string(i));
  }
  const auto start = std::chrono::steady_clock::now();
  EXPECT_OK(f.infer());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(f.shape(cur), (Shape{1, 16, 32, 32}));
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 100);
  RecordProperty("infer_us", static_cast<int>(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
}

}  // namespace
}  // namespace es
