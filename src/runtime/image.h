// Decoding and resampling images for `run --input NAME=photo.jpg`, matching what Python pipelines do
// (Pillow), so a model sees the same pixels as in its reference: JPEG through libjpeg (Pillow's decoder,
// default ISLOW DCT and fancy upsampling), other formats through stb_image; resizing with Pillow's
// BILINEAR resampling (a triangle filter widened when downscaling, i.e. antialiased), including its
// 8-bit fixed-point arithmetic and the rounding to 8 bits between the horizontal and vertical passes.
#pragma once

#include "base/status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace es {

// 8-bit RGB, rows top to bottom, pixels interleaved (R, G, B).
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;

  uint8_t at(int x, int y, int channel) const {
    return pixels[(static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * 3 +
                  static_cast<size_t>(channel)];
  }
};

// Decodes a JPEG, PNG, BMP, GIF (first frame), TGA or PNM file to RGB (grey is replicated, alpha dropped).
Result<Image> read_image(const std::string& path);
// Whether the file starts like an image format read_image knows.
bool looks_like_image(const std::string& path);

// Pillow's Image.resize((width, height), Image.BILINEAR) for an RGB image.
Image resize_bilinear(const Image& image, int width, int height);
// The rectangle [left, left+width) x [top, top+height); it must lie inside the image.
Image crop(const Image& image, int left, int top, int width, int height);

}  // namespace es
