// AttributeProto <-> AttrValue (ints, floats, strings, tensors). Graph, sparse-tensor and type attributes
// have no IR form and are reported as unsupported.
#pragma once

#include "base/status.h"
#include "ir/attribute.h"

#include <onnx/onnx_pb.h>

#include <string>
#include <string_view>

namespace es::onnx_io {

// `where` names the node in messages ("node 'conv1' (Conv)"); tensors with external data are read
// relative to `base_dir`.
Result<AttrValue> attribute_from_proto(const onnx::AttributeProto& proto, const std::string& base_dir,
                                       std::string_view where);
void attribute_to_proto(const std::string& name, const AttrValue& value, onnx::AttributeProto& proto);

}  // namespace es::onnx_io
