// The TensorRT releases whose ONNX parser and DLA rules edgescope models. 8.5 is the study's (JetPack 5.1.x);
// 8.6 is JetPack 6.0; 10 stands for 10.x (JetPack 6.1/6.2). DLA does not exist in TensorRT 11.0/11.1.
#pragma once

#include "base/status.h"

#include <string>
#include <string_view>

namespace es::placement {

enum class TrtVersion { v8_5, v8_6, v10 };

std::string_view trt_version_name(TrtVersion v);  // "8.5", "8.6", "10"
// Accepts "8.5", "8.5.2", "8.6", "8.6.2", "10", "10.x", "10.3" ...; the error names `option`.
Result<TrtVersion> parse_trt_version(std::string_view text, std::string_view option = "--trt");

}  // namespace es::placement
