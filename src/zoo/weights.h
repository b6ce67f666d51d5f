// Seeded random weights for zoo models. Only std::mt19937_64's raw output is used (the standard fixes
// it bit for bit), never std::*_distribution (whose results differ between standard libraries), so a
// seed gives the same file everywhere.
#pragma once

#include "ir/tensor.h"

#include <cstdint>
#include <random>

namespace es::zoo {

class WeightGenerator {
 public:
  explicit WeightGenerator(uint64_t seed) : engine_(seed) {}

  // Kaiming-uniform weights for a Conv [O, I/g, kh, kw] or a transposed Gemm weight [O, I]:
  // U(-b, b) with standard deviation gain / sqrt(fan_in), fan_in = elements per output channel.
  // gain sqrt(2) keeps the mean square of activations steady through ReLU; smaller gains shrink a branch.
  Tensor kaiming(Shape shape, double gain);
  Tensor uniform(Shape shape, double low, double high);

 private:
  double unit();  // uniform in [0, 1)

  std::mt19937_64 engine_;
};

}  // namespace es::zoo
