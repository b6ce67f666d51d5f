#include "backends/ref/spatial.h"

namespace es::ref {
namespace {

// Reads an ints attribute of `rank` values, or `fallback` repeated when absent.
Result<std::vector<int64_t>> per_axis(const Node& node, const char* name, size_t rank, int64_t fallback) {
  std::vector<int64_t> v = node.attrs.get_ints(name, std::vector<int64_t>(rank, fallback));
  if (v.size() != rank)
    return node_error(node, StatusCode::invalid_model, "attribute '{}' has {} values, expected {}", name, v.size(),
                      rank);
  return v;
}

Result<Window> common_window(const Node& node, size_t rank, std::vector<int64_t> kernel) {
  Window w;
  if (kernel.size() != rank)
    return node_error(node, StatusCode::invalid_model, "kernel has {} spatial dims, input has {}", kernel.size(),
                      rank);
  w.kernel = std::move(kernel);
  ES_ASSIGN_OR_RETURN(w.strides, per_axis(node, "strides", rank, 1));
  ES_ASSIGN_OR_RETURN(w.dilations, per_axis(node, "dilations", rank, 1));
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> pads, per_axis(node, "pads", 2 * rank, 0));
  for (size_t i = 0; i < rank; ++i) {
    if (w.strides[i] < 1 || w.dilations[i] < 1 || w.kernel[i] < 1)
      return node_error(node, StatusCode::invalid_model, "strides, dilations and kernel must be positive");
  }
  w.pad_begin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(rank));
  w.pad_end.assign(pads.begin() + static_cast<std::ptrdiff_t>(rank), pads.end());
  return w;
}

}  // namespace

Result<Window> forward_window(const Node& node, std::span<const int64_t> in_spatial,
                              std::span<const int64_t> out_spatial, std::vector<int64_t> kernel) {
  const size_t rank = in_spatial.size();
  ES_ASSIGN_OR_RETURN(Window w, common_window(node, rank, std::move(kernel)));
  const std::string auto_pad = node.attrs.get_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") return w;
  for (size_t i = 0; i < rank; ++i) {
    int64_t total = 0;
    if (auto_pad != "VALID") {
      const int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
      total = std::max<int64_t>(0, (out_spatial[i] - 1) * w.strides[i] + extent - in_spatial[i]);
    }
    if (auto_pad == "SAME_UPPER" || auto_pad == "VALID") w.pad_begin[i] = total / 2;
    else if (auto_pad == "SAME_LOWER") w.pad_begin[i] = total - total / 2;
    else return node_error(node, StatusCode::unsupported, "auto_pad '{}' is not supported", auto_pad);
    w.pad_end[i] = total - w.pad_begin[i];
  }
  return w;
}

Result<Window> transposed_window(const Node& node, std::span<const int64_t> in_spatial,
                                 std::span<const int64_t> out_spatial, std::vector<int64_t> kernel) {
  const size_t rank = in_spatial.size();
  ES_ASSIGN_OR_RETURN(Window w, common_window(node, rank, std::move(kernel)));
  const std::string auto_pad = node.attrs.get_string("auto_pad", "NOTSET");
  const bool from_output = node.attrs.has("output_shape") || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" && auto_pad != "VALID")
    return node_error(node, StatusCode::unsupported, "auto_pad '{}' is not supported", auto_pad);
  if (auto_pad == "VALID") std::fill(w.pad_begin.begin(), w.pad_begin.end(), 0);
  if (!from_output) return w;
  ES_ASSIGN_OR_RETURN(std::vector<int64_t> output_padding, per_axis(node, "output_padding", rank, 0));
  for (size_t i = 0; i < rank; ++i) {
    const int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
    const int64_t total = w.strides[i] * (in_spatial[i] - 1) + output_padding[i] + extent - out_spatial[i];
    // A negative total means the requested output is larger than the full result: the extra rows are
    // appended at the end (like output_padding), so nothing shifts at the start.
    if (total <= 0) w.pad_begin[i] = 0;
    else w.pad_begin[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    w.pad_end[i] = total - w.pad_begin[i];
  }
  return w;
}

}  // namespace es::ref
