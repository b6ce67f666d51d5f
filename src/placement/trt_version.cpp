#include "placement/trt_version.h"

#include "base/assert.h"

namespace es::placement {

std::string_view trt_version_name(TrtVersion v) {
  switch (v) {
    case TrtVersion::v8_5: return "8.5";
    case TrtVersion::v8_6: return "8.6";
    case TrtVersion::v10: return "10";
  }
  ES_UNREACHABLE();
}

Result<TrtVersion> parse_trt_version(std::string_view text, std::string_view option) {
  auto starts = [&](std::string_view prefix) {
    return text == prefix || (text.size() > prefix.size() && text.substr(0, prefix.size()) == prefix &&
                              text[prefix.size()] == '.');
  };
  if (starts("8.5")) return TrtVersion::v8_5;
  if (starts("8.6")) return TrtVersion::v8_6;
  if (starts("10")) return TrtVersion::v10;
  return error(StatusCode::invalid_argument,
               "{} '{}': expected a TensorRT release with DLA support: 8.5, 8.6 or 10 (DLA is absent in 11.0/11.1)",
               option, text);
}

}  // namespace es::placement
