#include "ir/tensor.h"

#include <gtest/gtest.h>

namespace es {

TEST(Tensor, ParseShapeAcceptsDimsAndRejectsJunk) {
  EXPECT_EQ(parse_shape("1x3x224x224", "--shape").value(), (Shape{1, 3, 224, 224}));
  EXPECT_EQ(parse_shape("scalar", "--shape").value(), Shape{});
  EXPECT_FALSE(parse_shape("1x-3", "--shape").ok());
  EXPECT_FALSE(parse_shape("", "--shape").ok());
  EXPECT_FALSE(parse_shape("1xx2", "--shape").ok());
  EXPECT_NE(parse_shape("abc", "--shape x").status().message().find("--shape x"), std::string::npos);
}

TEST(Tensor, CheckedNumelRejectsOverflow) {
  EXPECT_EQ(checked_numel(Shape{2, 3, 4}).value(), 24);
  EXPECT_FALSE(checked_numel(Shape{int64_t{1} << 40, int64_t{1} << 40}).ok());
  EXPECT_FALSE(checked_numel(Shape{-1, 3}).ok());
}

TEST(Tensor, HalfRoundTripsRepresentableValues) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 6.103515625e-05f, 5.960464477539063e-08f})
    EXPECT_EQ(half_to_float(float_to_half(f)), f) << f;
  EXPECT_EQ(half_to_float(float_to_half(1.0f + 1.0f / 4096)), 1.0f);  // rounds to nearest even
}

TEST(Tensor, ReshapeSharesStorage) {
  Tensor t = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4});
  Tensor r = t.reshaped({4});
  EXPECT_EQ(r.raw(), t.raw());
  EXPECT_EQ(r.values<float>()[3], 4.0f);
}

}  // namespace es
