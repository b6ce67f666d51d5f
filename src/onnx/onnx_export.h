// ONNX export: writes an IR graph as a valid .onnx file (checker-clean, loadable by ONNX Runtime).
// Used by `zoo` and `optimize`. Internal ops (FusedConv) cannot be exported: passes that create them
// are not run before export.
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <string>

namespace es::onnx_io {

struct ExportOptions {
  int64_t opset = 0;  // 0: the graph's own opset
  std::string producer_name = "edgescope";
  // Graph inputs whose leading dimension is written symbolically (e.g. "batch_size"), as exporters do.
  std::string symbolic_batch_name;
};

Status export_file(const Graph& graph, const std::string& path, const ExportOptions& options = {});
Result<std::string> export_bytes(const Graph& graph, const ExportOptions& options = {});

}  // namespace es::onnx_io
