#include "backends/ref/kernel_support.h"

namespace es::ref {
namespace {

// Calls f(TypeTag<T>{}) for the storage type of `dtype`; callers only pass numeric/bool dtypes.
template <typename F>
void visit_storage(DType dtype, F&& f) {
  static const Node no_node;
  Status s = dispatch<kAllTypes>(dtype, no_node, [&](auto tag) -> Status {
    f(tag);
    return {};
  });
  ES_ASSERT_MSG(s.ok(), "element access on a dtype without numeric storage");
}

}  // namespace

double load_double(DType dtype, const void* data, int64_t index) {
  double out = 0;
  visit_storage(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    out = static_cast<double>(load(static_cast<const T*>(data)[index]));
  });
  return out;
}

void store_double(DType dtype, void* data, int64_t index, double value) {
  visit_storage(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    static_cast<T*>(data)[index] = store<T>(value);
  });
}

int64_t load_int(DType dtype, const void* data, int64_t index) {
  int64_t out = 0;
  visit_storage(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (is_float_storage_v<T>) out = store<int64_t>(static_cast<double>(load(static_cast<const T*>(data)[index])));
    else out = static_cast<int64_t>(static_cast<const T*>(data)[index]);
  });
  return out;
}

Result<std::vector<int64_t>> read_optional_ints(const Node& node, const TensorView& view, const char* what) {
  if (!view.present()) return std::vector<int64_t>{};
  return read_ints(node, view, what);
}

void strided_copy(const TensorView& out, const std::byte* in_base, std::vector<int64_t> in_strides) {
  const size_t es = dtype_size(out.dtype);
  std::byte* dst = bytes_of(out);
  const std::array<std::vector<int64_t>, 2> strides{shape_strides(out.shape), std::move(in_strides)};
  for_each_offset<2>(out.shape, strides, [&](const std::array<int64_t, 2>& off) {
    copy_element(dst + off[0] * static_cast<int64_t>(es), in_base + off[1] * static_cast<int64_t>(es), es);
  });
}

Result<std::vector<double>> read_floats(const Node& node, const TensorView& view, const char* what) {
  std::vector<double> out;
  if (!view.present()) return out;
  if (!dtype_is_float(view.dtype))
    return node_error(node, StatusCode::invalid_model, "{} must be a float tensor, got {}", what,
                      dtype_name(view.dtype));
  out.resize(static_cast<size_t>(view.numel()));
  for (int64_t i = 0; i < view.numel(); ++i) out[static_cast<size_t>(i)] = load_double(view.dtype, view.data, i);
  return out;
}

}  // namespace es::ref
