// Whole-file reads and writes with Status errors naming the file (no exceptions, no partial files
// reported as success).
#pragma once

#include "base/status.h"

#include <string>
#include <string_view>

namespace es::onnx_io {

Result<std::string> read_file_bytes(const std::string& path);
Status write_file_bytes(const std::string& path, std::string_view bytes);
// The folder external data of `path` is relative to ("." for a bare file name).
std::string folder_of(const std::string& path);

}  // namespace es::onnx_io
