// Gemm, MatMul (numpy batching and 1-D rules) and a general Einsum.
#include "backends/ref/gemm.h"
#include "backends/ref/kernel_support.h"

#include <algorithm>
#include <map>

namespace es::ref {
namespace {

constexpr uint32_t kMatTypes = kF32 | kF64 | kI32 | kI64 | kU32 | kU64;

// Row-major copy of a [rows, cols] matrix, transposed when asked, so gemm always reads plain rows.
template <typename T>
std::vector<T> as_rows(const T* m, int64_t rows, int64_t cols, bool transpose) {
  std::vector<T> out(m, m + rows * cols);
  if (!transpose) return out;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[c * rows + r] = m[r * cols + c];
  return out;
}

template <typename T>
Status gemm(const Node& node, std::span<const TensorView> in, const TensorView& y) {
  const TensorView& a = in[0];
  const TensorView& b = in[1];
  if (a.rank() != 2 || b.rank() != 2 || y.rank() != 2)
    return node_error(node, StatusCode::invalid_model, "A, B and Y must be matrices");
  const bool trans_a = node.attrs.get_int("transA", 0) != 0, trans_b = node.attrs.get_int("transB", 0) != 0;
  const int64_t M = trans_a ? a.shape[1] : a.shape[0], K = trans_a ? a.shape[0] : a.shape[1];
  const int64_t N = trans_b ? b.shape[0] : b.shape[1];
  if ((trans_b ? b.shape[1] : b.shape[0]) != K || y.shape[0] != M || y.shape[1] != N)
    return node_error(node, StatusCode::invalid_model, "shapes A {} B {} Y {} do not multiply", shape_str(a.shape),
                      shape_str(b.shape), shape_str(y.shape));
  const std::vector<T> lhs = as_rows(a.as<T>(), a.shape[0], a.shape[1], trans_a);
  const std::vector<T> rhs = as_rows(b.as<T>(), b.shape[0], b.shape[1], trans_b);
  std::vector<T> product(static_cast<size_t>(M * N), T(0));
  gemm_accumulate<T>(M, N, K, lhs.data(), K, rhs.data(), N, product.data(), N);

  const T alpha = static_cast<T>(node.attrs.get_float("alpha", 1.0f));
  const T beta = static_cast<T>(node.attrs.get_float("beta", 1.0f));
  const TensorView c = in.size() > 2 ? in[2] : TensorView{};
  const std::array<int64_t, 2> mn{M, N};
  if (c.present() && !broadcastable(c.shape, mn))
    return node_error(node, StatusCode::invalid_model, "C {} does not broadcast to {}", shape_str(c.shape),
                      shape_str(mn));
  const std::vector<int64_t> cs = c.present() ? broadcast_strides(c.shape, mn) : std::vector<int64_t>{0, 0};
  T* out = y.as<T>();
  for (int64_t m = 0; m < M; ++m) {
    for (int64_t n = 0; n < N; ++n) {
      T v = alpha * product[m * N + n];
      if (c.present()) v += beta * c.as<T>()[m * cs[0] + n * cs[1]];
      out[m * N + n] = v;
    }
  }
  return {};
}

template <typename T>
Status matmul(const Node& node, const TensorView& a, const TensorView& b, const TensorView& y) {
  if (a.rank() < 1 || b.rank() < 1) return node_error(node, StatusCode::invalid_model, "inputs must not be scalars");
  // numpy: a 1-D left operand is a row vector, a 1-D right operand a column vector.
  const Shape as = a.rank() == 1 ? Shape{1, a.shape[0]} : Shape(a.shape.begin(), a.shape.end());
  const Shape bs = b.rank() == 1 ? Shape{b.shape[0], 1} : Shape(b.shape.begin(), b.shape.end());
  const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  if (bs[bs.size() - 2] != K)
    return node_error(node, StatusCode::invalid_model, "shapes {} and {} do not multiply", shape_str(a.shape),
                      shape_str(b.shape));
  // Batch dims: broadcast of both operands' leading dims, as element strides of whole matrices.
  const std::span<const int64_t> a_batch(as.data(), as.size() - 2), b_batch(bs.data(), bs.size() - 2);
  std::vector<int64_t> batch(std::max(a_batch.size(), b_batch.size()), 1);
  for (size_t k = 0; k < batch.size(); ++k) {
    const int64_t da = k < a_batch.size() ? a_batch[a_batch.size() - 1 - k] : 1;
    const int64_t db = k < b_batch.size() ? b_batch[b_batch.size() - 1 - k] : 1;
    if (da != db && da != 1 && db != 1)
      return node_error(node, StatusCode::invalid_model, "batch dims of {} and {} do not broadcast",
                        shape_str(a.shape), shape_str(b.shape));
    batch[batch.size() - 1 - k] = std::max(da, db);
  }
  if (y.numel() != shape_numel(batch) * M * N)
    return node_error(node, StatusCode::invalid_model, "output {} does not match {} x {}", shape_str(y.shape),
                      shape_str(a.shape), shape_str(b.shape));
  const std::vector<int64_t> sa = broadcast_strides(a_batch, batch), sb = broadcast_strides(b_batch, batch);
  T* out = y.as<T>();
  std::fill_n(out, y.numel(), T(0));
  std::vector<int64_t> index(batch.size(), 0);
  int64_t matrix = 0;
  do {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < batch.size(); ++d) {
      ia += index[d] * sa[d];
      ib += index[d] * sb[d];
    }
    gemm_accumulate<T>(M, N, K, a.as<T>() + ia * M * K, K, b.as<T>() + ib * K * N, N, out + matrix * M * N, N);
    ++matrix;
  } while (next_index(index, batch));
  return {};
}

// ---- Einsum ---------------------------------------------------------------------------------------

// Labels are letters; the dims an ellipsis stands for get labels 256 + (position from the right), so
// they line up across operands like numpy broadcasting.
using Labels = std::vector<int>;
constexpr int kEllipsisLabel = 256;

Result<Labels> parse_term(const Node& node, std::string_view term, int64_t rank) {
  Labels labels;
  const size_t ellipsis = term.find("...");
  const int64_t letters = static_cast<int64_t>(term.size()) - (ellipsis == std::string_view::npos ? 0 : 3);
  if (ellipsis == std::string_view::npos ? letters != rank : letters > rank)
    return node_error(node, StatusCode::invalid_model, "term '{}' does not match an operand of rank {}", term, rank);
  for (size_t i = 0; i < term.size(); ++i) {
    if (i == ellipsis) {
      for (int64_t e = rank - letters; e > 0; --e) labels.push_back(kEllipsisLabel + static_cast<int>(e) - 1);
      i += 2;
    } else if (std::isalpha(static_cast<unsigned char>(term[i]))) {
      labels.push_back(term[i]);
    } else {
      return node_error(node, StatusCode::invalid_model, "bad character '{}' in equation", term[i]);
    }
  }
  return labels;
}

std::string strip_spaces(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

template <typename T>
Status einsum(const Node& node, std::span<const TensorView> in, const TensorView& y) {
  using C = compute_t<T>;
  const std::string equation = strip_spaces(node.attrs.get_string("equation"));
  const size_t arrow = equation.find("->");
  const std::string lhs = equation.substr(0, arrow);
  std::vector<Labels> terms;
  std::map<int, int64_t> sizes;
  size_t start = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    const size_t comma = lhs.find(',', start);
    if ((comma == std::string::npos) != (k + 1 == in.size()))
      return node_error(node, StatusCode::invalid_model, "equation '{}' does not have {} operands", equation,
                        in.size());
    ES_ASSIGN_OR_RETURN(Labels t, parse_term(node, std::string_view(lhs).substr(start, comma - start), in[k].rank()));
    for (size_t d = 0; d < t.size(); ++d) {
      int64_t& size = sizes.try_emplace(t[d], in[k].shape[d]).first->second;
      if (size == 1) size = in[k].shape[d];  // ellipsis dims broadcast
      else if (in[k].shape[d] != 1 && in[k].shape[d] != size)
        return node_error(node, StatusCode::invalid_model, "label sizes disagree in '{}'", equation);
    }
    terms.push_back(std::move(t));
    start = comma + 1;
  }
  Labels output;
  if (arrow != std::string::npos) {
    ES_ASSIGN_OR_RETURN(output, parse_term(node, std::string_view(equation).substr(arrow + 2), y.rank()));
  } else {  // implicit: ellipsis dims, then letters that occur once, alphabetically
    std::map<int, int> count;
    for (const Labels& t : terms)
      for (int l : t) ++count[l];
    for (auto it = count.rbegin(); it != count.rend(); ++it)
      if (it->first >= kEllipsisLabel) output.push_back(it->first);
    for (const auto& [label, n] : count)
      if (label < kEllipsisLabel && n == 1) output.push_back(label);
  }
  Labels summed;
  for (const auto& [label, size] : sizes)
    if (std::find(output.begin(), output.end(), label) == output.end()) summed.push_back(label);

  // Element stride of every operand along every label (repeated labels in one term add up: diagonals).
  auto strides_for = [&](const Labels& labels) {
    std::vector<std::vector<int64_t>> per_operand;
    for (size_t k = 0; k < in.size(); ++k) {
      const std::vector<int64_t> st = shape_strides(in[k].shape);
      std::vector<int64_t> s(labels.size(), 0);
      for (size_t d = 0; d < terms[k].size(); ++d) {
        auto it = std::find(labels.begin(), labels.end(), terms[k][d]);
        if (it != labels.end() && in[k].shape[d] != 1) s[static_cast<size_t>(it - labels.begin())] += st[d];
      }
      per_operand.push_back(std::move(s));
    }
    return per_operand;
  };
  const auto out_strides = strides_for(output), sum_strides = strides_for(summed);
  std::vector<int64_t> out_dims, sum_dims;
  for (int l : output) out_dims.push_back(sizes.at(l));
  for (int l : summed) sum_dims.push_back(sizes.at(l));
  if (shape_numel(out_dims) != y.numel())
    return node_error(node, StatusCode::invalid_model, "output {} does not match equation '{}'", shape_str(y.shape),
                      equation);

  T* out = mdata<T>(y);
  std::vector<int64_t> o(out_dims.size(), 0);
  int64_t pos = 0;
  if (y.numel() == 0) return {};
  do {
    C acc = 0;
    if (shape_numel(sum_dims) > 0) {
      std::vector<int64_t> s(sum_dims.size(), 0);
      do {
        C prod = 1;
        for (size_t k = 0; k < in.size(); ++k) {
          int64_t offset = 0;
          for (size_t d = 0; d < o.size(); ++d) offset += o[d] * out_strides[k][d];
          for (size_t d = 0; d < s.size(); ++d) offset += s[d] * sum_strides[k][d];
          prod *= load(cdata<T>(in[k])[offset]);
        }
        acc += prod;
      } while (next_index(s, sum_dims));
    }
    out[pos++] = store<T>(acc);
  } while (next_index(o, out_dims));
  return {};
}

Status gemm_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  if (in.size() < 2) return node_error(node, StatusCode::invalid_model, "needs inputs A and B");
  return dispatch<kMatTypes>(in[0].dtype, node,
                             [&](auto tag) { return gemm<typename decltype(tag)::type>(node, in, out[0]); });
}

Status matmul_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  if (in.size() != 2) return node_error(node, StatusCode::invalid_model, "needs inputs A and B");
  return dispatch<kMatTypes>(in[0].dtype, node, [&](auto tag) {
    return matmul<typename decltype(tag)::type>(node, in[0], in[1], out[0]);
  });
}

Status einsum_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  if (in.empty()) return node_error(node, StatusCode::invalid_model, "needs at least one input");
  return dispatch<kNumeric>(in[0].dtype, node,
                            [&](auto tag) { return einsum<typename decltype(tag)::type>(node, in, out[0]); });
}

}  // namespace

void register_linalg(KernelTable& table) {
  table[static_cast<size_t>(OpKind::Gemm)] = gemm_kernel;
  table[static_cast<size_t>(OpKind::MatMul)] = matmul_kernel;
  table[static_cast<size_t>(OpKind::Einsum)] = einsum_kernel;
}

}  // namespace es::ref
