// Layouts: plain-equivalent descriptors compare equal, and layouts that put every element at the same
// byte are recognised so that no reorder is needed between them.
#include "backends/cpu/layout.h"
#include "ir/tensor.h"

#include <gtest/gtest.h>

namespace es::cpu {
namespace {

using tag = memory::format_tag;

Layout layout(const Shape& shape, tag t) {
  return Layout::of(memory::desc(to_dims(shape), memory::data_type::f32, t), DType::f32, shape);
}

TEST(CpuLayout, PlainDescriptorsArePlain) {
  EXPECT_TRUE(layout({1, 8, 4, 4}, tag::nchw).is_plain());
  EXPECT_FALSE(layout({1, 8, 4, 4}, tag::nhwc).is_plain());
  EXPECT_EQ(layout({1, 8, 4, 4}, tag::nChw16c).str(), "abcd:16b");
  EXPECT_EQ(layout({1, 32, 4, 4}, tag::nChw16c).bytes(DType::f32, Shape{1, 32, 4, 4}), 32u * 16u * 4u);
  EXPECT_EQ(layout({1, 24, 4, 4}, tag::nChw16c).bytes(DType::f32, Shape{1, 24, 4, 4}), 32u * 16u * 4u);  // padded
}

TEST(CpuLayout, SameBytesSeesThroughUnitDimensions) {
  const Shape pooled{1, 24, 1, 1}, map{1, 24, 2, 2};
  for (tag t : {tag::nhwc, tag::nChw8c, tag::nChw16c})
    EXPECT_TRUE(layout(pooled, t).same_bytes(Layout::plain(), DType::f32, pooled)) << static_cast<int>(t);
  for (tag t : {tag::nhwc, tag::nChw8c, tag::nChw16c})
    EXPECT_FALSE(layout(map, t).same_bytes(Layout::plain(), DType::f32, map)) << static_cast<int>(t);
  EXPECT_TRUE(layout(map, tag::nhwc).same_bytes(layout(map, tag::nhwc), DType::f32, map));
}

}  // namespace
}  // namespace es::cpu
