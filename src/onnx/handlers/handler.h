// Node handlers: one per (ONNX op, since-version) that turns an imported node into its opset-17 IR form.
// The importer picks the newest entry of handler_table() whose since_version <= the model's opset; an op
// with no such entry is unsupported. Handlers return errors without the node's name: the importer adds
// "node 'x' (Op)". Families live in one file each; the table (handler_table.cpp) lists them all.
#pragma once

#include "base/status.h"
#include "onnx/import_context.h"

#include <span>
#include <string_view>

namespace es::onnx_io {

using NodeHandler = Status (*)(ImportContext& ctx, NodeDraft node);

struct HandlerEntry {
  std::string_view op_type;  // ONNX op_type, default domain
  int64_t since_version;     // first opset this handler applies to
  OpKind op;                 // the IR op the node starts as (Upsample starts as Resize)
  NodeHandler handle;
};

std::span<const HandlerEntry> handler_table();
// Newest entry for `op_type` with since_version <= opset; null when the op is unknown or newer.
const HandlerEntry* find_handler(std::string_view op_type, int64_t opset);
// The first opset that has `op_type` (0 when edgescope does not know the op).
int64_t first_opset_of(std::string_view op_type);

// handlers/common.cpp
Status pass_through(ImportContext& ctx, NodeDraft node);     // same semantics in opset 17
Status constant(ImportContext& ctx, NodeDraft node);         // value_* attributes -> "value" tensor
// handlers/attributes_to_inputs.cpp: attributes that later opsets turned into inputs.
Status squeeze_unsqueeze_v1(ImportContext& ctx, NodeDraft node);  // axes (Squeeze/Unsqueeze < 13)
Status reduce_sum_v1(ImportContext& ctx, NodeDraft node);         // axes (ReduceSum < 13)
Status split_v2(ImportContext& ctx, NodeDraft node);              // split (< 13)
Status clip_v6(ImportContext& ctx, NodeDraft node);               // min, max (< 11)
Status pad_v2(ImportContext& ctx, NodeDraft node);                // pads, value (< 11)
Status slice_v1(ImportContext& ctx, NodeDraft node);              // starts, ends, axes (< 10)
Status topk_v1(ImportContext& ctx, NodeDraft node);               // k (< 10)
Status dropout_v7(ImportContext& ctx, NodeDraft node);            // ratio (< 12)
// handlers/resize.cpp
Status upsample_v7(ImportContext& ctx, NodeDraft node);  // scales attribute
Status resize_v10(ImportContext& ctx, NodeDraft node);   // (X, scales), asymmetric: Resize-10 and Upsample-9
Status resize_v11(ImportContext& ctx, NodeDraft node);   // empty roi/scales initializers -> omitted
// handlers/softmax.cpp: Softmax/LogSoftmax/Hardmax < 13 work on the input flattened to 2-D.
Status softmax_v1(ImportContext& ctx, NodeDraft node);
// handlers/normalization.cpp
Status batch_norm_v7(ImportContext& ctx, NodeDraft node);  // spatial attribute (< 9)

}  // namespace es::onnx_io
