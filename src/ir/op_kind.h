// OpKind: the enum generated from ops.def, with name lookup both ways.
#pragma once

#include <optional>
#include <string_view>

namespace es {

enum class OpKind {
#define ES_OP(name) name,
#define ES_INTERNAL_OP(name) name,
#include "ir/ops.def"
#undef ES_OP
#undef ES_INTERNAL_OP
};

inline constexpr int op_kind_count = 0
#define ES_OP(name) +1
#define ES_INTERNAL_OP(name) +1
#include "ir/ops.def"
#undef ES_OP
#undef ES_INTERNAL_OP
    ;

std::string_view op_name(OpKind op);
// Looks up an ONNX op_type of the default domain; internal ops are not found.
std::optional<OpKind> op_from_onnx_name(std::string_view op_type);
bool op_is_internal(OpKind op);

}  // namespace es
