#include "runtime/inputs.h"

#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace es {
namespace {

Result<double> parse_number(std::string_view text, std::string_view option) {
  std::string s(text);
  char* end = nullptr;
  double value = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(value))
    return error(StatusCode::invalid_argument, "{} '{}': expected a number", option, text);
  return value;
}

Result<int> parse_positive_int(std::string_view text, std::string_view option) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0)
    return error(StatusCode::invalid_argument, "{} '{}': expected a positive integer", option, text);
  return value;
}

// "AxB" -> {A, B}
Result<std::pair<int, int>> parse_pair(std::string_view text, std::string_view option, std::string_view form) {
  size_t x = text.find('x');
  if (x == std::string_view::npos)
    return error(StatusCode::invalid_argument, "{} '{}': expected {}", option, text, form);
  ES_ASSIGN_OR_RETURN(int a, parse_positive_int(text.substr(0, x), option));
  ES_ASSIGN_OR_RETURN(int b, parse_positive_int(text.substr(x + 1), option));
  return std::pair{a, b};
}

}  // namespace

Status parse_resize(std::string_view text, ImagePreprocessing& p) {
  if (text == "none") {
    p.resize = ImagePreprocessing::Resize::none;
  } else if (text.find('x') != std::string_view::npos) {
    ES_ASSIGN_OR_RETURN(auto wh, parse_pair(text, "--resize", "N (short side), WxH or none"));
    p.resize = ImagePreprocessing::Resize::exact;
    p.resize_width = wh.first;
    p.resize_height = wh.second;
  } else {
    ES_ASSIGN_OR_RETURN(p.short_side, parse_positive_int(text, "--resize"));
    p.resize = ImagePreprocessing::Resize::short_side;
  }
  return {};
}

Status parse_crop(std::string_view text, ImagePreprocessing& p) {
  if (text == "none") {
    p.center_crop = false;
    return {};
  }
  p.center_crop = true;
  if (text.find('x') == std::string_view::npos) {
    ES_ASSIGN_OR_RETURN(p.crop_height, parse_positive_int(text, "--crop"));
    p.crop_width = p.crop_height;
    return {};
  }
  ES_ASSIGN_OR_RETURN(auto hw, parse_pair(text, "--crop", "HxW, N or none"));
  p.crop_height = hw.first;
  p.crop_width = hw.second;
  return {};
}

Status parse_scale(std::string_view text, ImagePreprocessing& p) {
  if (text == "raw") {
    p.scale = 1.0;
    return {};
  }
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    ES_ASSIGN_OR_RETURN(p.scale, parse_number(text, "--scale"));
    return {};
  }
  ES_ASSIGN_OR_RETURN(double numerator, parse_number(text.substr(0, slash), "--scale"));
  ES_ASSIGN_OR_RETURN(double denominator, parse_number(text.substr(slash + 1), "--scale"));
  if (denominator == 0) return error(StatusCode::invalid_argument, "--scale '{}': division by zero", text);
  p.scale = numerator / denominator;
  return {};
}

Result<std::array<double, 3>> parse_channel_values(std::string_view text, std::string_view option) {
  std::vector<double> values;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    ES_ASSIGN_OR_RETURN(double v, parse_number(text.substr(start, comma - start), option));
    values.push_back(v);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (values.size() == 1) return std::array<double, 3>{values[0], values[0], values[0]};
  if (values.size() != 3)
    return error(StatusCode::invalid_argument, "{} '{}': expected 3 comma-separated values (or one)", option, text);
  return std::array<double, 3>{values[0], values[1], values[2]};
}

Result<TensorLayout> parse_layout(std::string_view text) {
  if (text == "nchw") return TensorLayout::nchw;
  if (text == "nhwc") return TensorLayout::nhwc;
  return error(StatusCode::invalid_argument, "--layout '{}': expected nchw or nhwc", text);
}

Result<Tensor> image_to_tensor(const Image& image, const ImagePreprocessing& p, const std::string& path) {
  Image resized = image;
  if (p.resize == ImagePreprocessing::Resize::short_side) {
    // torchvision.transforms.Resize(int): the short side becomes N, the long side int(N * long / short).
    bool wide = image.width > image.height;
    int shorter = wide ? image.height : image.width;
    int longer = wide ? image.width : image.height;
    int new_long = static_cast<int>(static_cast<double>(int64_t{p.short_side} * longer) / shorter);
    resized = wide ? resize_bilinear(image, new_long, p.short_side) : resize_bilinear(image, p.short_side, new_long);
  } else if (p.resize == ImagePreprocessing::Resize::exact) {
    resized = resize_bilinear(image, p.resize_width, p.resize_height);
  }
  Image cropped = resized;
  if (p.center_crop) {
    if (p.crop_width > resized.width || p.crop_height > resized.height)
      return error(StatusCode::invalid_argument, "image '{}' is {}x{} after resizing, smaller than the {}x{} crop", path,
                   resized.width, resized.height, p.crop_width, p.crop_height);
    // torchvision's center_crop: int(round((size - crop) / 2.0)), Python rounding half to even.
    int top = static_cast<int>(std::nearbyint((resized.height - p.crop_height) / 2.0));
    int left = static_cast<int>(std::nearbyint((resized.width - p.crop_width) / 2.0));
    cropped = crop(resized, left, top, p.crop_width, p.crop_height);
  }
  const int64_t h = cropped.height, w = cropped.width;
  Shape shape = p.layout == TensorLayout::nchw ? Shape{1, 3, h, w} : Shape{1, h, w, 3};
  Tensor tensor(DType::f32, shape);
  float* out = tensor.data<float>();
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      for (int64_t c = 0; c < 3; ++c) {
        int source_channel = static_cast<int>(p.bgr ? 2 - c : c);
        double v = cropped.at(static_cast<int>(x), static_cast<int>(y), source_channel) * p.scale;
        v = (v - p.mean[static_cast<size_t>(c)]) / p.std[static_cast<size_t>(c)];
        int64_t index = p.layout == TensorLayout::nchw ? (c * h + y) * w + x : (y * w + x) * 3 + c;
        out[index] = static_cast<float>(v);
      }
    }
  }
  return tensor;
}

InputFileKind input_file_kind(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == ".pb") return InputFileKind::tensor_proto;
  if (ext == ".bin" || ext == ".raw") return InputFileKind::raw_f32;
  return InputFileKind::image;
}

Result<Tensor> read_raw_f32(const std::string& path, const Shape& shape) {
  std::error_code ec;
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return error(StatusCode::not_found, "cannot read '{}': {}", path, ec.message());
  ES_ASSIGN_OR_RETURN(int64_t numel, checked_numel(shape));
  uintmax_t expected = static_cast<uintmax_t>(numel) * sizeof(float);
  if (size != expected)
    return error(StatusCode::invalid_argument, "'{}' has {} bytes, but float32 {} needs {} bytes", path, size,
                 shape_str(shape), expected);
  Tensor tensor(DType::f32, shape);
  std::ifstream in(path, std::ios::binary);
  in.read(static_cast<char*>(tensor.raw()), static_cast<std::streamsize>(expected));
  if (!in) return error(StatusCode::invalid_argument, "cannot read '{}'", path);
  static_assert(std::endian::native == std::endian::little, "raw inputs are little-endian");
  return tensor;
}

}  // namespace es
