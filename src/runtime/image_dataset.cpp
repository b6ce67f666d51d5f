#include "runtime/image_dataset.h"

#include "runtime/image.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>

namespace es {
namespace fs = std::filesystem;

namespace {

// A file with an image's extension is listed even when its content is not an image, so that a broken photo
// is an error naming it rather than silently missing from the accuracy.
bool has_image_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* known : {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tga", ".ppm", ".pgm", ".pnm"})
    if (ext == known) return true;
  return false;
}

}  // namespace

Result<std::vector<DatasetImage>> list_images(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return error(StatusCode::not_found, "--images {}: not a folder", dir);
  std::vector<DatasetImage> images;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && (has_image_extension(entry.path()) || looks_like_image(entry.path().string())))
      images.push_back({entry.path().string()});
  if (ec) return error(StatusCode::not_found, "--images {}: {}", dir, ec.message());
  if (images.empty())
    return error(StatusCode::invalid_argument, "--images {}: no image files (JPEG, PNG, BMP, GIF, PNM) in the folder", dir);
  std::sort(images.begin(), images.end(), [](const DatasetImage& a, const DatasetImage& b) { return a.path < b.path; });
  return images;
}

namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  for (char c : line) {
    if (c == '\t' || c == ',' || c == ' ' || c == '\r') {
      if (!field.empty()) fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  if (!field.empty()) fields.push_back(std::move(field));
  return fields;
}

bool parse_index(const std::string& text, int64_t& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && value >= 0;
}

}  // namespace

Status attach_labels(const std::string& labels_path, std::vector<DatasetImage>& images) {
  std::ifstream in(labels_path);
  if (!in) return error(StatusCode::not_found, "--labels {}: cannot read the file", labels_path);
  std::unordered_map<std::string, size_t> by_name;
  for (size_t i = 0; i < images.size(); ++i) by_name[fs::path(images[i].path).filename().string()] = i;

  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    std::vector<std::string> fields = split_fields(line);
    if (fields.empty()) continue;
    int64_t label = -1;
    size_t image = images.size();
    for (const std::string& field : fields) {
      if (label < 0 && parse_index(field, label)) continue;
      if (auto it = by_name.find(field); it != by_name.end()) image = it->second;
    }
    if (image == images.size()) continue;  // a line for an image not in the folder
    if (label < 0)
      return error(StatusCode::invalid_argument, "--labels {}:{}: no class index on the line of '{}'", labels_path,
                   line_number, fs::path(images[image].path).filename().string());
    images[image].label = label;
  }
  for (const DatasetImage& image : images)
    if (image.label < 0)
      return error(StatusCode::invalid_argument, "--labels {}: no label for image '{}'", labels_path,
                   fs::path(image.path).filename().string());
  return {};
}

Result<std::vector<Tensor>> image_batches(const std::vector<DatasetImage>& images, const ImagePreprocessing& p,
                                          const Shape& input_shape,
                                          const std::function<void(int64_t, int64_t)>& progress) {
  ES_ASSERT(!images.empty());
  if (input_shape.empty() || input_shape[0] < 1)
    return error(StatusCode::invalid_argument, "--images: the model's input has shape [{}], not a batch of images",
                 shape_str(input_shape));
  const int64_t batch = input_shape[0];
  const int64_t count = static_cast<int64_t>(images.size());
  const int64_t batches = (count + batch - 1) / batch;
  Shape per_image = input_shape;
  per_image[0] = 1;

  std::vector<Tensor> tensors;
  for (int64_t b = 0; b < batches; ++b) {
    Tensor tensor(DType::f32, input_shape);
    const size_t image_bytes = tensor.nbytes() / static_cast<size_t>(batch);
    for (int64_t row = 0; row < batch; ++row) {
      const DatasetImage& source = images[static_cast<size_t>((b * batch + row) % count)];
      ES_ASSIGN_OR_RETURN(Image image, read_image(source.path));
      ES_ASSIGN_OR_RETURN(Tensor one, image_to_tensor(image, p, source.path));
      if (one.shape() != per_image)
        return error(StatusCode::invalid_argument,
                     "--images: '{}' preprocesses to [{}], the model's input wants [{}] per image (see --resize, --crop, --layout)",
                     source.path, shape_str(one.shape()), shape_str(per_image));
      std::memcpy(static_cast<char*>(tensor.raw()) + static_cast<size_t>(row) * image_bytes, one.raw(), image_bytes);
      if (progress && b * batch + row < count) progress(b * batch + row + 1, count);
    }
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

}  // namespace es
