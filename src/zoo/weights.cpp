#include "zoo/weights.h"

#include <cmath>

namespace es::zoo {

double WeightGenerator::unit() {
  // The top 53 bits of one draw, scaled into [0, 1): exact in a double, identical on every platform.
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

Tensor WeightGenerator::uniform(Shape shape, double low, double high) {
  Tensor t(DType::f32, std::move(shape));
  for (float& v : t.values<float>()) v = static_cast<float>(low + (high - low) * unit());
  return t;
}

Tensor WeightGenerator::kaiming(Shape shape, double gain) {
  ES_ASSERT(shape.size() >= 2 && shape[0] > 0);
  int64_t fan_in = shape_numel(shape) / shape[0];
  double bound = gain * std::sqrt(3.0 / static_cast<double>(fan_in));  // U(-b,b) has std b/sqrt(3)
  return uniform(std::move(shape), -bound, bound);
}

}  // namespace es::zoo
