// ONNX import: the only place that sees ONNX protobufs (libonnx + libprotobuf stay behind this header).
// Loads a .onnx file (with external-data files beside it), runs onnx::checker, converts every node with
// the newest handler whose since-version <= the model's opset, normalises the node to opset-17
// semantics, and binds dynamic input dimensions. Intermediate shapes are left to infer_shapes().
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <map>
#include <string>
#include <string_view>

namespace es::onnx_io {

struct ImportOptions {
  // Concrete shapes for graph inputs ("--shape NAME:1x3x224x224"). A symbolic leading dimension with no
  // entry here is bound to 1 with an info message; any other unbound dimension is an error naming it.
  std::map<std::string, Shape> input_shapes;
  // When > 0, the leading dimension of every graph input not named in input_shapes is bound to this
  // batch size (symbolic or not), as `--batch` asks.
  int64_t batch = 0;
  bool run_checker = true;
};

// Errors (one line, naming the file/node/op): unsupported op (op, opset, node), not an ONNX file,
// truncated or corrupt protobuf, missing external data, sizes that overflow, bad --shape.
Result<Graph> import_file(const std::string& path, const ImportOptions& options);
// Same from bytes in memory; external data is looked up relative to `base_dir` (fuzzer and tests).
Result<Graph> import_bytes(std::string_view bytes, const std::string& base_dir, const ImportOptions& options,
                           const std::string& display_name = "<memory>");

}  // namespace es::onnx_io
