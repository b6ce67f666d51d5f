#include "runtime/classify.h"

#include <gtest/gtest.h>

#include <cmath>

namespace es {
namespace {

TEST(Classify, TopKSortsAndSoftmaxesEachRow) {
  Tensor logits = Tensor::from_vector<float>({2, 3}, {1, 3, 2, 0, 0, 5});
  auto rows = top_k_classes(logits, 2);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0][0].index, 1);
  EXPECT_EQ((*rows)[0][1].index, 2);
  double denominator = std::exp(1.0) + std::exp(3.0) + std::exp(2.0);
  EXPECT_NEAR((*rows)[0][0].probability, std::exp(3.0) / denominator, 1e-6);
  EXPECT_EQ((*rows)[1][0].index, 2);
}

TEST(Classify, ProbabilitiesAreNotSoftmaxedTwice) {
  Tensor p = Tensor::from_vector<float>({1, 4}, {0.1f, 0.6f, 0.2f, 0.1f});
  auto rows = top_k_classes(p, 1);
  ASSERT_TRUE(rows.ok());
  EXPECT_FLOAT_EQ((*rows)[0][0].probability, 0.6f);
}

TEST(Classify, IntegerOutputsAreRejected) {
  EXPECT_FALSE(top_k_classes(Tensor::from_vector<int64_t>({1, 2}, {1, 2}), 1).ok());
}

}  // namespace
}  // namespace es
