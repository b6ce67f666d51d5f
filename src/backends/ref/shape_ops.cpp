// Shape and data-movement ops. Every kernel here is dtype-generic: it moves elements as bytes of
// dtype_size(), so one implementation serves all types (string tensors are refused).
#include "backends/ref/kernel_support.h"

#include <algorithm>
#include <limits>

namespace es::ref {
namespace {

using Inputs = std::span<const TensorView>;
using Outputs = std::span<const TensorView>;

Result<size_t> element_size(const Node& node, const TensorView& view) {
  const size_t size = dtype_size(view.dtype);
  if (size == 0) return node_error(node, StatusCode::unsupported, "dtype {} is not supported", dtype_name(view.dtype));
  return size;
}

Status require_inputs(const Node& node, Inputs in, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (i >= in.size() || !in[i].present())
      return node_error(node, StatusCode::invalid_model, "required input {} is missing", i);
  return {};
}

// Reshape, Flatten, Squeeze, Unsqueeze: the bytes are unchanged, only the (already inferred) shape.
Status copy_bytes(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 1));
  ES_TRY(element_size(node, in[0]));
  if (in[0].numel() != out[0].numel() || in[0].dtype != out[0].dtype)
    return node_error(node, StatusCode::invalid_model, "output {} does not hold the input {}", shape_str(out[0].shape),
                      shape_str(in[0].shape));
  std::memcpy(out[0].data, in[0].data, in[0].nbytes());
  return {};
}

Status write_int64s(const Node& node, const TensorView& out, std::span<const int64_t> values) {
  if (out.dtype != DType::i64 || out.numel() != static_cast<int64_t>(values.size()))
    return node_error(node, StatusCode::invalid_model, "output must be i64 with {} elements", values.size());
  std::copy(values.begin(), values.end(), out.as<int64_t>());
  return {};
}

Status shape_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 1));
  const int64_t rank = in[0].rank();
  auto clamp_dim = [&](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  const int64_t start = clamp_dim(node.attrs.get_int("start", 0));
  const int64_t end = std::max(start, clamp_dim(node.attrs.get_int("end", rank)));
  return write_int64s(node, out[0], in[0].shape.subspan(static_cast<size_t>(start), static_cast<size_t>(end - start)));
}

Status size_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 1));
  const int64_t n = in[0].numel();
  return write_int64s(node, out[0], std::span<const int64_t>(&n, 1));
}

Status transpose_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 1));
  ES_TRY(element_size(node, in[0]));
  const int64_t rank = in[0].rank();
  std::vector<int64_t> perm = node.attrs.get_ints("perm");
  if (perm.empty())
    for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t& p : perm) {
    ES_ASSIGN_OR_RETURN(p, resolve_axis(node, p, rank));
    if (seen[static_cast<size_t>(p)]) return node_error(node, StatusCode::invalid_model, "perm repeats axis {}", p);
    seen[static_cast<size_t>(p)] = true;
  }
  if (static_cast<int64_t>(perm.size()) != rank || out[0].rank() != rank)
    return node_error(node, StatusCode::invalid_model, "perm has {} axes, input rank is {}", perm.size(), rank);
  const std::vector<int64_t> in_strides = shape_strides(in[0].shape);
  std::vector<int64_t> strides;
  for (int64_t p : perm) strides.push_back(in_strides[static_cast<size_t>(p)]);
  strided_copy(out[0], bytes_of(in[0]), std::move(strides));
  return {};
}

// Concat and Split walk the same [outer, axis, inner] layout in opposite directions.
Status concat_kernel(const Node& node, Inputs in, Outputs out) {
  const TensorView& y = out[0];
  ES_ASSIGN_OR_RETURN(const size_t es, element_size(node, y));
  ES_ASSIGN_OR_RETURN(const int64_t axis, resolve_axis(node, node.attrs.get_int("axis", 0), y.rank()));
  const AxisSplit ys = split_at_axis(y.shape, axis);
  int64_t total = 0;
  for (const TensorView& x : in) {
    if (!x.present() || x.rank() != y.rank() || x.dtype != y.dtype)
      return node_error(node, StatusCode::invalid_model, "inputs must be present with rank {} and dtype {}",
                        y.rank(), dtype_name(y.dtype));
    total += x.shape[static_cast<size_t>(axis)];
  }
  if (total != ys.axis) return node_error(node, StatusCode::invalid_model, "inputs do not add up to the output");
  std::byte* dst = bytes_of(y);
  for (int64_t o = 0; o < ys.outer; ++o) {
    for (const TensorView& x : in) {
      const size_t chunk = static_cast<size_t>(x.shape[static_cast<size_t>(axis)] * ys.inner) * es;
      std::memcpy(dst, bytes_of(x) + static_cast<size_t>(o) * chunk, chunk);
      dst += chunk;
    }
  }
  return {};
}

// The split sizes are the (already inferred) output shapes, so the optional `split` input is not needed.
Status split_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 1));
  const TensorView& x = in[0];
  ES_ASSIGN_OR_RETURN(const size_t es, element_size(node, x));
  ES_ASSIGN_OR_RETURN(const int64_t axis, resolve_axis(node, node.attrs.get_int("axis", 0), x.rank()));
  const AxisSplit xs = split_at_axis(x.shape, axis);
  int64_t total = 0;
  for (const TensorView& y : out) {
    if (!y.present() || y.rank() != x.rank())
      return node_error(node, StatusCode::invalid_model, "every output must be present with rank {}", x.rank());
    total += y.shape[static_cast<size_t>(axis)];
  }
  if (total != xs.axis) return node_error(node, StatusCode::invalid_model, "outputs do not add up to the input");
  const std::byte* src = bytes_of(x);
  for (int64_t o = 0; o < xs.outer; ++o) {
    for (const TensorView& y : out) {
      const size_t chunk = static_cast<size_t>(y.shape[static_cast<size_t>(axis)] * xs.inner) * es;
      std::memcpy(bytes_of(y) + static_cast<size_t>(o) * chunk, src, chunk);
      src += chunk;
    }
  }
  return {};
}

// Resolves `axes` (default 0..n-1) against rank; fails on out-of-range or repeated axes.
Result<std::vector<int64_t>> resolve_axes(const Node& node, std::vector<int64_t> axes, size_t count, int64_t rank) {
  if (axes.empty())
    for (size_t i = 0; i < count; ++i) axes.push_back(static_cast<int64_t>(i));
  if (axes.size() != count)
    return node_error(node, StatusCode::invalid_model, "axes has {} entries, expected {}", axes.size(), count);
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t& a : axes) {
    ES_ASSIGN_OR_RETURN(a, resolve_axis(node, a, rank));
    if (seen[static_cast<size_t>(a)]) return node_error(node, StatusCode::invalid_model, "axis {} repeats", a);
    seen[static_cast<size_t>(a)] = true;
  }
  return axes;
}

Status slice_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 3));
  const TensorView& x = in[0];
  ES_TRY(element_size(node, x));
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> starts, read_ints(node, in[1], "starts"));
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> ends, read_ints(node, in[2], "ends"));
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> axes_in, read_optional_ints(node, in.size() > 3 ? in[3] : TensorView{}, "axes"));
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> steps, read_optional_ints(node, in.size() > 4 ? in[4] : TensorView{}, "steps"));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || steps.size() != starts.size())
    return node_error(node, StatusCode::invalid_model, "starts, ends and steps differ in length");
  ES_ASSIGN_OR_RETURN(const std::vector<int64_t> axes, resolve_axes(node, axes_in, starts.size(), x.rank()));

  const std::vector<int64_t> x_strides = shape_strides(x.shape);
  std::vector<int64_t> strides = x_strides;
  int64_t base = 0;
  for (size_t i = 0; i < axes.size(); ++i) {
    const size_t a = static_cast<size_t>(axes[i]);
    const int64_t n = x.shape[a], step = steps[i];
    if (step == 0) return node_error(node, StatusCode::invalid_model, "step of axis {} is 0", axes[i]);
    if (n == 0) continue;  // nothing to read along this axis
    int64_t start = starts[i] < 0 ? starts[i] + n : starts[i];
    start = step > 0 ? std::clamp<int64_t>(start, 0, n) : std::clamp<int64_t>(start, 0, n - 1);
    if (out[0].shape[a] > 0) base += start * x_strides[a];
    strides[a] = x_strides[a] * step;
  }
  strided_copy(out[0], bytes_of(x) + base * static_cast<int64_t>(dtype_size(x.dtype)), std::move(strides));
  return {};
}

Result<int64_t> checked_index(const Node& node, int64_t index, int64_t size) {
  if (index < -size || index >= size)
    return node_error(node, StatusCode::invalid_argument, "index {} is out of range for a dimension of {}", index,
                      size);
  return index < 0 ? index + size : index;
}

Status gather_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 2));
  const TensorView& x = in[0];
  ES_ASSIGN_OR_RETURN(const size_t es, element_size(node, x));
  ES_ASSIGN_OR_RETURN(const int64_t axis, resolve_axis(node, node.attrs.get_int("axis", 0), x.rank()));
  ES_ASSIGN_OR_RETURN(const std::vector<int64_t> indices, read_ints(node, in[1], "indices"));
  const AxisSplit xs = split_at_axis(x.shape, axis);
  if (out[0].numel() != xs.outer * static_cast<int64_t>(indices.size()) * xs.inner)
    return node_error(node, StatusCode::invalid_model, "output {} does not match the gather", shape_str(out[0].shape));
  const size_t chunk = static_cast<size_t>(xs.inner) * es;
  std::byte* dst = bytes_of(out[0]);
  for (int64_t o = 0; o < xs.outer; ++o) {
    for (int64_t index : indices) {
      ES_ASSIGN_OR_RETURN(const int64_t i, checked_index(node, index, xs.axis));
      std::memcpy(dst, bytes_of(x) + static_cast<size_t>(o * xs.axis + i) * chunk, chunk);
      dst += chunk;
    }
  }
  return {};
}

// Normalises negative indices in place and checks them against `size`.
Status check_indices(const Node& node, std::vector<int64_t>& indices, int64_t size) {
  for (int64_t& index : indices) {
    ES_ASSIGN_OR_RETURN(index, checked_index(node, index, size));
  }
  return {};
}

Status gather_elements_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 2));
  const TensorView& x = in[0];
  ES_TRY(element_size(node, x));
  ES_ASSIGN_OR_RETURN(const int64_t axis, resolve_axis(node, node.attrs.get_int("axis", 0), x.rank()));
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> indices, read_ints(node, in[1], "indices"));
  if (in[1].rank() != x.rank() || out[0].numel() != static_cast<int64_t>(indices.size()))
    return node_error(node, StatusCode::invalid_model, "indices must have the rank of the data");
  ES_TRY(check_indices(node, indices, x.shape[static_cast<size_t>(axis)]));
  const std::vector<int64_t> x_strides = shape_strides(x.shape);
  int64_t position = 0;
  mapped_copy(out[0], x, [&](const std::vector<int64_t>& index) {
    int64_t offset = 0;
    for (size_t d = 0; d < index.size(); ++d)
      offset += (static_cast<int64_t>(d) == axis ? indices[static_cast<size_t>(position)] : index[d]) * x_strides[d];
    ++position;
    return offset;
  });
  return {};
}

Status gather_nd_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 2));
  const TensorView& x = in[0];
  const TensorView& idx = in[1];
  ES_ASSIGN_OR_RETURN(const size_t es, element_size(node, x));
  ES_ASSIGN_OR_RETURN(const std::vector<int64_t> indices, read_ints(node, idx, "indices"));
  const int64_t batch_dims = node.attrs.get_int("batch_dims", 0);
  const int64_t depth = idx.rank() > 0 ? idx.shape.back() : 0;  // how many leading data dims an index tuple names
  if (idx.rank() < 1 || batch_dims < 0 || batch_dims >= idx.rank() || batch_dims + depth > x.rank())
    return node_error(node, StatusCode::invalid_model, "indices {} do not fit data {} with batch_dims {}",
                      shape_str(idx.shape), shape_str(x.shape), batch_dims);
  const size_t b = static_cast<size_t>(batch_dims);
  const int64_t batches = shape_numel(x.shape.first(b));
  const int64_t tuples = shape_numel(idx.shape.subspan(b, idx.shape.size() - 1 - b));
  const int64_t slice = shape_numel(x.shape.subspan(b + static_cast<size_t>(depth)));
  const int64_t batch_size = shape_numel(x.shape.subspan(b));
  const std::vector<int64_t> x_strides = shape_strides(x.shape);
  if (out[0].numel() != batches * tuples * slice)
    return node_error(node, StatusCode::invalid_model, "output {} does not match the gather", shape_str(out[0].shape));
  std::byte* dst = bytes_of(out[0]);
  const size_t chunk = static_cast<size_t>(slice) * es;
  for (int64_t bi = 0; bi < batches; ++bi) {
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t offset = bi * batch_size;
      for (int64_t j = 0; j < depth; ++j) {
        const size_t d = b + static_cast<size_t>(j);
        ES_ASSIGN_OR_RETURN(const int64_t i, checked_index(node, indices[static_cast<size_t>((bi * tuples + t) * depth + j)], x.shape[d]));
        offset += i * x_strides[d];
      }
      std::memcpy(dst, bytes_of(x) + static_cast<size_t>(offset) * es, chunk);
      dst += chunk;
    }
  }
  return {};
}

// Maps a coordinate outside [0, n) into it for the non-constant Pad modes; -1 means "use the constant".
int64_t pad_source(const std::string& mode, int64_t i, int64_t n) {
  if (i >= 0 && i < n) return i;
  if (mode == "edge") return std::clamp<int64_t>(i, 0, n - 1);
  if (mode == "wrap") return ((i % n) + n) % n;
  if (mode == "reflect") {
    if (n == 1) return 0;
    const int64_t period = 2 * (n - 1);
    i = ((i % period) + period) % period;
    return i < n ? i : period - i;
  }
  return -1;
}

Status pad_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 2));
  const TensorView& x = in[0];
  const TensorView& y = out[0];
  ES_ASSIGN_OR_RETURN(const size_t es, element_size(node, x));
  const std::string mode = node.attrs.get_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    return node_error(node, StatusCode::unsupported, "mode '{}' is not supported", mode);
  ES_ASSIGN_OR_RETURN(const std::vector<int64_t> pads, read_ints(node, in[1], "pads"));
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> axes_in, read_optional_ints(node, in.size() > 3 ? in[3] : TensorView{}, "axes"));
  ES_ASSIGN_OR_RETURN(const std::vector<int64_t> axes, resolve_axes(node, axes_in, pads.size() / 2, x.rank()));
  if (pads.size() != 2 * axes.size() || y.rank() != x.rank())
    return node_error(node, StatusCode::invalid_model, "pads has {} values for {} axes", pads.size(), axes.size());
  std::vector<int64_t> begin(static_cast<size_t>(x.rank()), 0);
  for (size_t i = 0; i < axes.size(); ++i) begin[static_cast<size_t>(axes[i])] = pads[i];
  if (mode != "constant" && x.numel() == 0 && y.numel() > 0)
    return node_error(node, StatusCode::invalid_model, "mode '{}' cannot pad an empty tensor", mode);

  // The fill value's bytes: constant_value (same dtype as the data) or zero.
  std::vector<std::byte> fill(es, std::byte{0});
  if (in.size() > 2 && in[2].present()) {
    if (in[2].dtype != x.dtype || in[2].numel() != 1)
      return node_error(node, StatusCode::invalid_model, "constant_value must be one {} value", dtype_name(x.dtype));
    std::memcpy(fill.data(), in[2].data, es);
  }
  const std::vector<int64_t> x_strides = shape_strides(x.shape);
  if (y.numel() == 0) return {};
  std::vector<int64_t> o(static_cast<size_t>(y.rank()), 0);
  std::byte* dst = bytes_of(y);
  do {
    int64_t offset = 0;
    for (size_t d = 0; d < o.size() && offset >= 0; ++d) {
      const int64_t i = pad_source(mode, o[d] - begin[d], x.shape[d]);
      offset = i < 0 ? -1 : offset + i * x_strides[d];
    }
    copy_element(dst, offset < 0 ? fill.data() : bytes_of(x) + offset * static_cast<int64_t>(es), es);
    dst += es;
  } while (next_index(o, y.shape));
  return {};
}

Status expand_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 1));
  ES_TRY(element_size(node, in[0]));
  if (!broadcastable(in[0].shape, out[0].shape))
    return node_error(node, StatusCode::invalid_model, "{} does not broadcast to {}", shape_str(in[0].shape),
                      shape_str(out[0].shape));
  strided_copy(out[0], bytes_of(in[0]), broadcast_strides(in[0].shape, out[0].shape));
  return {};
}

Status tile_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 1));
  const TensorView& x = in[0];
  ES_TRY(element_size(node, x));
  if (out[0].rank() != x.rank()) return node_error(node, StatusCode::invalid_model, "output rank differs from input");
  const std::vector<int64_t> x_strides = shape_strides(x.shape);
  mapped_copy(out[0], x, [&](const std::vector<int64_t>& index) {
    int64_t offset = 0;
    for (size_t d = 0; d < index.size(); ++d) offset += (index[d] % x.shape[d]) * x_strides[d];
    return offset;
  });
  return {};
}

// Fills `out` with copies of the single element at `value`.
void fill_with(const TensorView& out, const void* value) {
  const size_t es = dtype_size(out.dtype);
  for (int64_t i = 0; i < out.numel(); ++i) std::memcpy(bytes_of(out) + static_cast<size_t>(i) * es, value, es);
}

Status constant_of_shape_kernel(const Node& node, Inputs, Outputs out) {
  const Tensor* value = node.attrs.get_tensor("value");
  if (!value) {  // default: f32 zero, which the zeroed output already holds
    if (out[0].dtype != DType::f32) return node_error(node, StatusCode::invalid_model, "output must be f32");
    std::fill_n(out[0].as<float>(), out[0].numel(), 0.0f);
    return {};
  }
  if (value->numel() != 1 || value->dtype() != out[0].dtype)
    return node_error(node, StatusCode::invalid_model, "value must be one {} element", dtype_name(out[0].dtype));
  ES_TRY(element_size(node, out[0]));
  fill_with(out[0], value->raw());
  return {};
}

Status constant_kernel(const Node& node, Inputs, Outputs out) {
  const TensorView& y = out[0];
  ES_TRY(element_size(node, y));
  Tensor value;
  if (const Tensor* t = node.attrs.get_tensor("value")) value = *t;
  else if (node.attrs.has("value_float")) value = Tensor::scalar(node.attrs.get_float("value_float", 0));
  else if (node.attrs.has("value_int")) value = Tensor::scalar(node.attrs.get_int("value_int", 0));
  else if (node.attrs.has("value_floats")) {
    const std::vector<float> v = node.attrs.get_floats("value_floats");
    value = Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v);
  } else if (node.attrs.has("value_ints")) {
    const std::vector<int64_t> v = node.attrs.get_ints("value_ints");
    value = Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
  } else {
    return node_error(node, StatusCode::unsupported, "only numeric value attributes are supported");
  }
  if (value.dtype() != y.dtype || value.numel() != y.numel())
    return node_error(node, StatusCode::invalid_model, "value {} {} does not match output {} {}",
                      dtype_name(value.dtype()), shape_str(value.shape()), dtype_name(y.dtype), shape_str(y.shape));
  std::memcpy(y.data, value.raw(), y.nbytes());
  return {};
}

Status range_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 3));
  return dispatch<kF32 | kF64 | kI16 | kI32 | kI64>(out[0].dtype, node, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    for (const TensorView& v : in.first(3))
      if (v.dtype != out[0].dtype || v.numel() != 1)
        return node_error(node, StatusCode::invalid_model, "start, limit and delta must be {} scalars",
                          dtype_name(out[0].dtype));
    const T start = *in[0].as<T>(), delta = *in[2].as<T>();
    T* y = out[0].as<T>();
    for (int64_t i = 0; i < out[0].numel(); ++i) y[i] = static_cast<T>(start + static_cast<T>(i) * delta);
    return {};
  });
}

Status one_hot_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 3));
  const TensorView& indices = in[0];
  const TensorView& values = in[2];
  const TensorView& y = out[0];
  ES_ASSIGN_OR_RETURN(const size_t es, element_size(node, y));
  if (values.numel() != 2 || values.dtype != y.dtype || in[1].numel() != 1 || indices.dtype == DType::string)
    return node_error(node, StatusCode::invalid_model, "values must hold [off, on] and depth one value");
  const int64_t depth = load_int(in[1].dtype, in[1].data, 0);
  ES_ASSIGN_OR_RETURN(const int64_t axis, resolve_axis(node, node.attrs.get_int("axis", -1), y.rank()));
  const AxisSplit ys = split_at_axis(y.shape, axis);
  if (ys.axis != depth || ys.outer * ys.inner != indices.numel())
    return node_error(node, StatusCode::invalid_model, "output {} does not match depth {}", shape_str(y.shape), depth);
  const std::byte* off = bytes_of(values);
  const std::byte* on = off + es;
  for (int64_t o = 0; o < ys.outer; ++o) {
    for (int64_t i = 0; i < ys.inner; ++i) {
      int64_t hot = load_int(indices.dtype, indices.data, o * ys.inner + i);
      if (hot < 0) hot += depth;
      for (int64_t d = 0; d < depth; ++d)
        copy_element(bytes_of(y) + ((o * depth + d) * ys.inner + i) * static_cast<int64_t>(es), d == hot ? on : off, es);
    }
  }
  return {};
}

Status eye_like_kernel(const Node& node, Inputs in, Outputs out) {
  const TensorView& y = out[0];
  ES_TRY(element_size(node, y));
  if (y.rank() != 2) return node_error(node, StatusCode::invalid_model, "input must be 2-D");
  const int64_t k = node.attrs.get_int("k", 0);
  std::memset(y.data, 0, y.nbytes());
  for (int64_t r = 0; r < y.shape[0]; ++r)
    if (r + k >= 0 && r + k < y.shape[1]) store_double(y.dtype, y.data, r * y.shape[1] + r + k, 1.0);
  return {};
}

Status trilu_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 1));
  const TensorView& x = in[0];
  ES_ASSIGN_OR_RETURN(const size_t es, element_size(node, x));
  if (x.rank() < 2) return node_error(node, StatusCode::invalid_model, "input must have rank >= 2");
  ES_ASSIGN_OR_RETURN(const std::vector<int64_t> k_values, read_optional_ints(node, in.size() > 1 ? in[1] : TensorView{}, "k"));
  const int64_t k = k_values.empty() ? 0 : k_values[0];
  const bool upper = node.attrs.get_int("upper", 1) != 0;
  const int64_t rows = x.shape[x.shape.size() - 2], cols = x.shape.back();
  std::memcpy(out[0].data, x.data, x.nbytes());
  for (int64_t m = 0; m < x.numel() / std::max<int64_t>(rows * cols, 1); ++m)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        if (upper ? c - r < k : c - r > k)
          std::memset(bytes_of(out[0]) + ((m * rows + r) * cols + c) * static_cast<int64_t>(es), 0, es);
  return {};
}

// NonZero's output size depends on the data, so shape inference only knows it when the input is known;
// the kernel fills the preallocated [rank, count] output and checks the count.
Status non_zero_kernel(const Node& node, Inputs in, Outputs out) {
  ES_TRY(require_inputs(node, in, 1));
  const TensorView& x = in[0];
  ES_TRY(element_size(node, x));
  std::vector<std::vector<int64_t>> coords(static_cast<size_t>(x.rank()));
  int64_t count = 0;
  if (x.numel() > 0) {
    std::vector<int64_t> index(static_cast<size_t>(x.rank()), 0);
    int64_t pos = 0;
    do {
      if (load_double(x.dtype, x.data, pos++) == 0) continue;
      ++count;
      for (size_t d = 0; d < index.size(); ++d) coords[d].push_back(index[d]);
    } while (next_index(index, x.shape));
  }
  if (out[0].dtype != DType::i64 || out[0].rank() != 2 || out[0].shape[0] != x.rank() || out[0].shape[1] != count)
    return node_error(node, StatusCode::invalid_model, "output {} does not hold {} non-zero coordinates",
                      shape_str(out[0].shape), count);
  int64_t* y = out[0].as<int64_t>();
  for (const std::vector<int64_t>& c : coords) y = std::copy(c.begin(), c.end(), y);
  return {};
}

}  // namespace

void register_shape_ops(KernelTable& table) {
  auto set = [&](OpKind op, Kernel k) { table[static_cast<size_t>(op)] = k; };
  set(OpKind::Shape, shape_kernel);
  set(OpKind::Size, size_kernel);
  set(OpKind::Reshape, copy_bytes);
  set(OpKind::Flatten, copy_bytes);
  set(OpKind::Squeeze, copy_bytes);
  set(OpKind::Unsqueeze, copy_bytes);
  set(OpKind::Transpose, transpose_kernel);
  set(OpKind::Concat, concat_kernel);
  set(OpKind::Split, split_kernel);
  set(OpKind::Slice, slice_kernel);
  set(OpKind::Gather, gather_kernel);
  set(OpKind::GatherElements, gather_elements_kernel);
  set(OpKind::GatherND, gather_nd_kernel);
  set(OpKind::Pad, pad_kernel);
  set(OpKind::Expand, expand_kernel);
  set(OpKind::Tile, tile_kernel);
  set(OpKind::ConstantOfShape, constant_of_shape_kernel);
  set(OpKind::Constant, constant_kernel);
  set(OpKind::Range, range_kernel);
  set(OpKind::OneHot, one_hot_kernel);
  set(OpKind::EyeLike, eye_like_kernel);
  set(OpKind::Trilu, trilu_kernel);
  set(OpKind::NonZero, non_zero_kernel);
}

}  // namespace es::ref
