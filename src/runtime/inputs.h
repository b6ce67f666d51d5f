// Input tensors for `run`: files given as --input NAME=FILE (an ONNX TensorProto .pb, raw float32 .bin,
// or an image turned into a tensor by a configurable preprocessing).
#pragma once

#include "base/status.h"
#include "ir/tensor.h"
#include "runtime/image.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace es {

enum class TensorLayout { nchw, nhwc };

// How an image becomes a tensor. The defaults are torchvision's ImageNet evaluation transform:
// Resize(256) (short side, Pillow BILINEAR), CenterCrop(224), ToTensor (/255), Normalize(mean, std).
struct ImagePreprocessing {
  enum class Resize { short_side, exact, none };
  Resize resize = Resize::short_side;
  int short_side = 256;
  int resize_width = 0;  // Resize::exact
  int resize_height = 0;
  bool center_crop = true;
  int crop_height = 224;
  int crop_width = 224;
  double scale = 1.0 / 255.0;  // applied to the 0..255 pixel before mean/std
  // Per channel of the OUTPUT order: with bgr, mean[0] applies to blue (as PaddleOCR's NormalizeImage).
  std::array<double, 3> mean = {0.485, 0.456, 0.406};
  std::array<double, 3> std = {0.229, 0.224, 0.225};
  bool bgr = false;
  TensorLayout layout = TensorLayout::nchw;
};

// The CLI's spellings; errors are one line naming the option.
Status parse_resize(std::string_view text, ImagePreprocessing& p);  // "256" | "320x240" (WxH) | "none"
Status parse_crop(std::string_view text, ImagePreprocessing& p);    // "224x224" (HxW) | "224" | "none"
Status parse_scale(std::string_view text, ImagePreprocessing& p);   // "1/255" | "raw" (= 1) | "0.0078125"
// "0.485,0.456,0.406" or one value for all three channels.
Result<std::array<double, 3>> parse_channel_values(std::string_view text, std::string_view option);
Result<TensorLayout> parse_layout(std::string_view text);  // "nchw" | "nhwc"

// Resize, centre crop (torchvision's rounding), scale, normalise, channel order and layout; batch 1.
Result<Tensor> image_to_tensor(const Image& image, const ImagePreprocessing& p, const std::string& path);

enum class InputFileKind { tensor_proto, raw_f32, image };
// By extension: .pb is a TensorProto, .bin/.raw raw float32, anything else must be an image.
InputFileKind input_file_kind(const std::string& path);
// Raw little-endian float32 of exactly `shape`; a size mismatch names the file and both sizes.
Result<Tensor> read_raw_f32(const std::string& path, const Shape& shape);

}  // namespace es
