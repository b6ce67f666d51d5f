#include "onnx/file_bytes.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

namespace es::onnx_io {

Result<std::string> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return error(StatusCode::not_found, "{}: no such file", path);
  if (!std::filesystem::is_regular_file(path, ec)) return error(StatusCode::invalid_argument, "{}: not a regular file", path);
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return error(StatusCode::not_found, "{}: cannot open: {}", path, std::strerror(errno));
  std::string bytes;
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) bytes.append(buffer, n);
  if (std::ferror(file.get())) return error(StatusCode::not_found, "{}: read error", path);
  return bytes;
}

Status write_file_bytes(const std::string& path, std::string_view bytes) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) return error(StatusCode::invalid_argument, "{}: cannot create: {}", path, std::strerror(errno));
  if (std::fwrite(bytes.data(), 1, bytes.size(), file.get()) != bytes.size())
    return error(StatusCode::resource, "{}: write failed: {}", path, std::strerror(errno));
  if (std::fclose(file.release()) != 0)
    return error(StatusCode::resource, "{}: write failed: {}", path, std::strerror(errno));
  return {};
}

std::string folder_of(const std::string& path) {
  std::string folder = std::filesystem::path(path).parent_path().string();
  return folder.empty() ? "." : folder;
}

}  // namespace es::onnx_io
