#include "runtime/image.h"

#include "base/assert.h"

#include <fmt/format.h>
#include <jpeglib.h>
#include <stb/stb_image.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

namespace es {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

std::string read_header(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string header(bytes, '\0');
  in.read(header.data(), static_cast<std::streamsize>(bytes));
  header.resize(static_cast<size_t>(in.gcount()));
  return header;
}

bool is_jpeg(const std::string& header) { return header.rfind("\xFF\xD8\xFF", 0) == 0; }

// libjpeg reports fatal errors through a callback that must not return; it jumps back to the decoder.
struct JpegError {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_jpeg_error(j_common_ptr info) {
  auto* error = reinterpret_cast<JpegError*>(info->err);
  (*info->err->format_message)(info, error->message);
  std::longjmp(error->jump, 1);
}

// Kept free of C++ objects with destructors between setjmp and longjmp.
Status decode_jpeg(FILE* file, Image& image, const std::string& path) {
  jpeg_decompress_struct info;
  JpegError jpeg_error;
  info.err = jpeg_std_error(&jpeg_error.manager);
  jpeg_error.manager.error_exit = on_jpeg_error;
  if (setjmp(jpeg_error.jump)) {
    jpeg_destroy_decompress(&info);
    return error(StatusCode::invalid_argument, "cannot decode JPEG '{}': {}", path, jpeg_error.message);
  }
  jpeg_create_decompress(&info);
  jpeg_stdio_src(&info, file);
  jpeg_read_header(&info, TRUE);
  if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&info);
    return error(StatusCode::unsupported, "JPEG '{}' is CMYK; convert it to RGB first", path);
  }
  info.out_color_space = JCS_RGB;  // greyscale is replicated to RGB by libjpeg, as Pillow's convert('RGB')
  jpeg_start_decompress(&info);
  image.width = static_cast<int>(info.output_width);
  image.height = static_cast<int>(info.output_height);
  image.pixels.resize(static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = image.pixels.data() + static_cast<size_t>(info.output_scanline) * static_cast<size_t>(image.width) * 3;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return {};
}

// Pillow's Resample.c: coefficients of a 1-D resampling, in 22-bit fixed point.
constexpr int kPrecisionBits = 32 - 8 - 2;

struct Coefficients {
  int taps = 0;                 // coefficients per output sample
  std::vector<int> first;       // first input sample of each output sample
  std::vector<int> count;       // input samples it reads
  std::vector<int32_t> weight;  // taps per output sample
};

double triangle(double x) {
  x = std::fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

Coefficients bilinear_coefficients(int in_size, int out_size) {
  double scale = static_cast<double>(in_size) / out_size;
  double filter_scale = std::max(scale, 1.0);  // widen the filter when downscaling: antialiasing
  double support = 1.0 * filter_scale;
  Coefficients c;
  c.taps = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.first.resize(static_cast<size_t>(out_size));
  c.count.resize(static_cast<size_t>(out_size));
  c.weight.assign(static_cast<size_t>(out_size) * static_cast<size_t>(c.taps), 0);
  std::vector<double> k(static_cast<size_t>(c.taps));
  for (int out = 0; out < out_size; ++out) {
    double center = (out + 0.5) * scale;
    int lo = std::max(static_cast<int>(center - support + 0.5), 0);
    int hi = std::min(static_cast<int>(center + support + 0.5), in_size);
    double total = 0;
    for (int x = 0; x < hi - lo; ++x) {
      k[static_cast<size_t>(x)] = triangle((x + lo - center + 0.5) / filter_scale);
      total += k[static_cast<size_t>(x)];
    }
    for (int x = 0; x < hi - lo; ++x) {
      double w = total != 0.0 ? k[static_cast<size_t>(x)] / total : k[static_cast<size_t>(x)];
      double fixed = w * (1 << kPrecisionBits);
      c.weight[static_cast<size_t>(out * c.taps + x)] = static_cast<int32_t>(w < 0 ? fixed - 0.5 : fixed + 0.5);
    }
    c.first[static_cast<size_t>(out)] = lo;
    c.count[static_cast<size_t>(out)] = hi - lo;
  }
  return c;
}

uint8_t clip8(int32_t v) {
  if (v >= (1 << kPrecisionBits << 8)) return 255;
  if (v <= 0) return 0;
  return static_cast<uint8_t>(v >> kPrecisionBits);
}

// One pass along x (horizontal) or y; the other axis keeps its size.
Image resample_axis(const Image& in, int out_size, bool horizontal) {
  Image out;
  out.width = horizontal ? out_size : in.width;
  out.height = horizontal ? in.height : out_size;
  out.pixels.resize(static_cast<size_t>(out.width) * static_cast<size_t>(out.height) * 3);
  Coefficients c = bilinear_coefficients(horizontal ? in.width : in.height, out_size);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      int o = horizontal ? x : y;
      const int32_t* k = &c.weight[static_cast<size_t>(o * c.taps)];
      int lo = c.first[static_cast<size_t>(o)];
      std::array<int32_t, 3> sum;
      sum.fill(1 << (kPrecisionBits - 1));
      for (int i = 0; i < c.count[static_cast<size_t>(o)]; ++i)
        for (int ch = 0; ch < 3; ++ch)
          sum[static_cast<size_t>(ch)] += (horizontal ? in.at(lo + i, y, ch) : in.at(x, lo + i, ch)) * k[i];
      uint8_t* dst = &out.pixels[(static_cast<size_t>(y) * static_cast<size_t>(out.width) + static_cast<size_t>(x)) * 3];
      for (int ch = 0; ch < 3; ++ch) dst[ch] = clip8(sum[static_cast<size_t>(ch)]);
    }
  }
  return out;
}

}  // namespace

bool looks_like_image(const std::string& path) {
  std::string h = read_header(path, 8);
  return is_jpeg(h) || h.rfind("\x89PNG", 0) == 0 || h.rfind("BM", 0) == 0 || h.rfind("GIF8", 0) == 0 ||
         (h.size() >= 2 && h[0] == 'P' && h[1] >= '1' && h[1] <= '6');
}

Result<Image> read_image(const std::string& path) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) return error(StatusCode::not_found, "cannot open image '{}': {}", path, std::strerror(errno));
  Image image;
  if (is_jpeg(read_header(path, 3))) {
    ES_TRY(decode_jpeg(file.get(), image, path));
    return image;
  }
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> data(stbi_load_from_file(file.get(), &width, &height, &channels, 3),
                                                 stbi_image_free);
  if (!data) return error(StatusCode::invalid_argument, "cannot decode image '{}': {}", path, stbi_failure_reason());
  image.width = width;
  image.height = height;
  image.pixels.assign(data.get(), data.get() + static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  return image;
}

Image resize_bilinear(const Image& image, int width, int height) {
  ES_ASSERT(width > 0 && height > 0);
  // Pillow resamples horizontally first and rounds to 8 bits before the vertical pass.
  Image result = image;
  if (width != image.width) result = resample_axis(result, width, true);
  if (height != image.height) result = resample_axis(result, height, false);
  return result;
}

Image crop(const Image& image, int left, int top, int width, int height) {
  ES_ASSERT(left >= 0 && top >= 0 && left + width <= image.width && top + height <= image.height);
  Image out;
  out.width = width;
  out.height = height;
  out.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  for (int y = 0; y < height; ++y)
    std::memcpy(&out.pixels[static_cast<size_t>(y) * static_cast<size_t>(width) * 3],
                &image.pixels[(static_cast<size_t>(top + y) * static_cast<size_t>(image.width) + static_cast<size_t>(left)) * 3],
                static_cast<size_t>(width) * 3);
  return out;
}

}  // namespace es
