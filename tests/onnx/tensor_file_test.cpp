#include "onnx/tensor_file.h"
#include "scratch_dir.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>

namespace es::onnx_io {
namespace {

template <typename T>
void expect_round_trip(const std::string& dir, const std::vector<T>& values, Shape shape) {
  Tensor t = Tensor::from_vector<T>(shape, values);
  const std::string path = dir + "/t_" + std::string(dtype_name(t.dtype())) + ".pb";
  ASSERT_TRUE(write_tensor_file(path, "input_0", t).ok());
  auto back = read_tensor_file(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->name, "input_0");
  EXPECT_EQ(back->tensor.dtype(), t.dtype());
  EXPECT_EQ(back->tensor.shape(), shape);
  EXPECT_EQ(std::vector<T>(back->tensor.values<T>().begin(), back->tensor.values<T>().end()), values);
}

TEST(TensorFile, RoundTripsEveryDtype) {
  const std::string dir = onnx_test::scratch_dir("tensors");
  expect_round_trip<float>(dir, {1.5f, -2, 3, 0}, {2, 2});
  expect_round_trip<int64_t>(dir, {int64_t{1} << 40, -1}, {2});
  expect_round_trip<int8_t>(dir, {-128, 127, 0}, {3, 1});
  expect_round_trip<uint8_t>(dir, {255, 1}, {1, 2});
  expect_round_trip<bool>(dir, {true, false, true}, {3});
  expect_round_trip<double>(dir, {0.25}, {});
  expect_round_trip<int32_t>(dir, {}, {0, 4});
}

TEST(TensorFile, ReadsTypedFieldsAsOnnxTestDataDoes) {
  const std::string dir = onnx_test::scratch_dir("typed");
  onnx::TensorProto p;
  p.set_name("h");
  p.set_data_type(onnx::TensorProto::FLOAT16);
  p.add_dims(2);
  p.add_int32_data(float_to_half(1.0f));
  p.add_int32_data(float_to_half(-0.5f));
  std::ofstream(dir + "/h.pb", std::ios::binary) << p.SerializeAsString();
  auto t = read_tensor_file(dir + "/h.pb");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->tensor.dtype(), DType::f16);
  EXPECT_EQ(t->tensor.to_float_vector(), (std::vector<float>{1.0f, -0.5f}));
}

TEST(TensorFile, ReadsOnnxTestData) {
  const std::string base = "/usr/share/libonnx-testdata/data/node/test_relu/test_data_set_0/";
  if (!std::filesystem::exists(base + "input_0.pb")) GTEST_SKIP() << "libonnx-testdata is not installed";
  auto x = read_tensor_file(base + "input_0.pb");
  auto y = read_tensor_file(base + "output_0.pb");
  ASSERT_TRUE(x.ok()) << x.status().message();
  ASSERT_TRUE(y.ok()) << y.status().message();
  EXPECT_EQ(x->name, "x");
  EXPECT_EQ(x->tensor.dtype(), DType::f32);
  EXPECT_EQ(x->tensor.shape(), (Shape{3, 4, 5}));
  auto xs = x->tensor.values<float>();
  auto ys = y->tensor.values<float>();
  for (size_t i = 0; i < xs.size(); ++i) EXPECT_EQ(ys[i], std::max(xs[i], 0.0f));
}

TEST(TensorFile, ErrorsNameTheFile) {
  const std::string dir = onnx_test::scratch_dir("errors");
  auto missing = read_tensor_file(dir + "/missing.pb");
  EXPECT_EQ(missing.status().code(), StatusCode::not_found);
  EXPECT_NE(missing.status().message().find("missing.pb"), std::string::npos);

  onnx::TensorProto p;
  p.set_name("bad");
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(4);
  p.set_raw_data(std::string(6, '\0'));
  std::ofstream(dir + "/bad.pb", std::ios::binary) << p.SerializeAsString();
  auto bad = read_tensor_file(dir + "/bad.pb");
  EXPECT_EQ(bad.status().code(), StatusCode::invalid_model);
  EXPECT_NE(bad.status().message().find("bad.pb: tensor 'bad': raw_data has 6 bytes"), std::string::npos)
      << bad.status().message();

  std::ofstream(dir + "/junk.pb", std::ios::binary) << std::string("\xff\xff\xff\xff garbage", 12);
  auto junk = read_tensor_file(dir + "/junk.pb");
  EXPECT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("junk.pb"), std::string::npos);

  EXPECT_NE(write_tensor_file("/nonexistent-dir/t.pb", "t", Tensor::scalar(1.0f)).message().find("/nonexistent-dir/t.pb"),
            std::string::npos);
}

}  // namespace
}  // namespace es::onnx_io
