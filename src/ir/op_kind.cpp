#include "ir/op_kind.h"

#include <array>

namespace es {
namespace {
struct OpInfo {
  std::string_view name;
  bool internal;
};
constexpr std::array<OpInfo, op_kind_count> op_table{{
#define ES_OP(name) {#name, false},
#define ES_INTERNAL_OP(name) {#name, true},
#include "ir/ops.def"
#undef ES_OP
#undef ES_INTERNAL_OP
}};
}  // namespace

std::string_view op_name(OpKind op) { return op_table[static_cast<size_t>(op)].name; }

bool op_is_internal(OpKind op) { return op_table[static_cast<size_t>(op)].internal; }

std::optional<OpKind> op_from_onnx_name(std::string_view op_type) {
  for (size_t i = 0; i < op_table.size(); ++i)
    if (!op_table[i].internal && op_table[i].name == op_type) return static_cast<OpKind>(i);
  return std::nullopt;
}

}  // namespace es
