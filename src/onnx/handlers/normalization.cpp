// BatchNormalization before opset 9 had `spatial` (1: statistics per channel, the only form later
// opsets keep). spatial=0 (per-activation statistics) has no opset-17 equivalent.
#include "onnx/handlers/handler.h"

namespace es::onnx_io {

Status batch_norm_v7(ImportContext& ctx, NodeDraft node) {
  if (node.attrs.get_int("spatial", 1) != 1)
    return error(StatusCode::unsupported, "BatchNormalization with spatial=0 is not supported");
  node.attrs.erase("spatial");
  return pass_through(ctx, std::move(node));
}

}  // namespace es::onnx_io
