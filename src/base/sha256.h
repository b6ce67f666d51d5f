// SHA-256 of a file, for result provenance (which model exactly was measured).
#pragma once

#include "base/status.h"

#include <string>
#include <string_view>

namespace es {

std::string sha256_hex(std::string_view bytes);
Result<std::string> sha256_file(const std::string& path);

}  // namespace es
