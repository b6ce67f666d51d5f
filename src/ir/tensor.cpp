#include "ir/tensor.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <limits>

namespace es {

int64_t shape_numel(std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    ES_ASSERT_MSG(d >= 0, "unbound dimension");
    n *= d;
  }
  return n;
}

Result<int64_t> checked_numel(std::span<const int64_t> shape, int64_t limit) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return error(StatusCode::invalid_model, "negative or unbound dimension in shape {}", shape_str(shape));
    if (d != 0 && n > limit / d)
      return error(StatusCode::resource, "tensor of shape {} has more than {} elements", shape_str(shape), limit);
    n *= d;
  }
  return n;
}

std::string shape_str(std::span<const int64_t> shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += 'x';
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s;
}

Result<Shape> parse_shape(std::string_view text, std::string_view what) {
  Shape shape;
  if (text == "scalar") return shape;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of("x,", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(pos, end - pos);
    int64_t dim = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), dim);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || dim < 0)
      return error(StatusCode::invalid_argument, "{}: '{}' is not a shape like 1x3x224x224", what, text);
    shape.push_back(dim);
    pos = end + 1;
  }
  return shape;
}

std::vector<int64_t> shape_strides(std::span<const int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  numel_ = shape_numel(shape_);
  size_t bytes = std::max<size_t>(nbytes(), 1);
  constexpr size_t alignment = 64;  // cache line and AVX-512 vector
  bytes = (bytes + alignment - 1) / alignment * alignment;
  auto* p = static_cast<std::byte*>(std::aligned_alloc(alignment, bytes));
  ES_ASSERT_MSG(p != nullptr, "out of memory");
  std::memset(p, 0, bytes);
  buffer_ = std::shared_ptr<std::byte[]>(p, [](std::byte* q) { std::free(q); });
}

Tensor::Tensor(DType dtype, Shape shape, std::shared_ptr<std::byte[]> storage)
    : dtype_(dtype), shape_(std::move(shape)), numel_(shape_numel(shape_)), buffer_(std::move(storage)) {
  ES_ASSERT(buffer_ != nullptr);
}

std::vector<int64_t> Tensor::to_int64_vector() const {
  std::vector<int64_t> out(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) {
    switch (dtype_) {
      case DType::i64: out[i] = data<int64_t>()[i]; break;
      case DType::i32: out[i] = data<int32_t>()[i]; break;
      case DType::i16: out[i] = data<int16_t>()[i]; break;
      case DType::i8: out[i] = data<int8_t>()[i]; break;
      case DType::u8: out[i] = data<uint8_t>()[i]; break;
      case DType::u16: out[i] = data<uint16_t>()[i]; break;
      case DType::u32: out[i] = data<uint32_t>()[i]; break;
      case DType::u64: out[i] = static_cast<int64_t>(data<uint64_t>()[i]); break;
      case DType::boolean: out[i] = data<bool>()[i]; break;
      default: ES_ASSERT_MSG(false, "to_int64_vector on a non-integer tensor");
    }
  }
  return out;
}

std::vector<float> Tensor::to_float_vector() const {
  std::vector<float> out(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) {
    switch (dtype_) {
      case DType::f32: out[i] = data<float>()[i]; break;
      case DType::f64: out[i] = static_cast<float>(data<double>()[i]); break;
      case DType::f16: out[i] = half_to_float(static_cast<const uint16_t*>(raw())[i]); break;
      default: ES_ASSERT_MSG(false, "to_float_vector on a non-float tensor");
    }
  }
  return out;
}

Tensor Tensor::clone() const {
  Tensor t(dtype_, shape_);
  if (nbytes()) std::memcpy(t.raw(), raw(), nbytes());
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  ES_ASSERT(shape_numel(shape) == numel_);
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

float half_to_float(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exponent = 127 - 15 + 1;
      while (!(mantissa & 0x400)) { mantissa <<= 1; --exponent; }
      mantissa &= 0x3ff;
      bits = sign | (exponent << 23) | (mantissa << 13);
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0));
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow to inf
  if (abs < 0x38800000u) {  // subnormal or zero in half: round to nearest even
    float af;
    std::memcpy(&af, &abs, 4);
    uint32_t m = static_cast<uint32_t>(std::nearbyint(af * 16777216.0f));  // af / 2^-24
    return static_cast<uint16_t>(sign | m);
  }
  uint32_t rounded = abs + 0xfffu + ((abs >> 13) & 1u);  // round to nearest even at bit 13
  return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
}

}  // namespace es
