#include "bench/random_inputs.h"

#include <random>

namespace es::bench {
namespace {

template <typename T, typename Distribution>
void fill(Tensor& t, std::mt19937_64& rng, Distribution distribution) {
  for (T& x : t.values<T>()) x = static_cast<T>(distribution(rng));
}

}  // namespace

std::vector<Tensor> random_inputs(const Graph& graph, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Tensor> inputs;
  for (ValueId id : graph.inputs) {
    const Value& v = graph.value(id);
    Tensor t(v.dtype, v.shape);
    std::uniform_real_distribution<double> real(-1.0, 1.0);
    std::uniform_int_distribution<int> small(0, 9);
    switch (v.dtype) {
      case DType::f32: fill<float>(t, rng, real); break;
      case DType::f64: fill<double>(t, rng, real); break;
      case DType::f16:
        for (int64_t i = 0; i < t.numel(); ++i)
          static_cast<uint16_t*>(t.raw())[i] = float_to_half(static_cast<float>(real(rng)));
        break;
      case DType::i64: fill<int64_t>(t, rng, small); break;
      case DType::i32: fill<int32_t>(t, rng, small); break;
      case DType::i8: fill<int8_t>(t, rng, small); break;
      case DType::u8: fill<uint8_t>(t, rng, small); break;
      case DType::boolean: fill<bool>(t, rng, std::bernoulli_distribution(0.5)); break;
      default: break;  // other dtypes stay zero
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

}  // namespace es::bench
