// Loading a model for any command: import, shape inference, the pass pipeline, verification.
#pragma once

#include "base/status.h"
#include "ir/graph.h"
#include "onnx/onnx_import.h"
#include "passes/pass.h"

#include <string>

namespace es {

struct LoadOptions {
  onnx_io::ImportOptions import;
  PipelineOptions pipeline;
};

Result<Graph> load_model(const std::string& path, const LoadOptions& options);

}  // namespace es
