// Linear algebra: Gemm, MatMul (numpy matmul broadcasting) and Einsum.
#include "ir/shape_rules/rules.h"
#include "ir/shape_rules/shape_math.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace es::shape_rules {

Status gemm_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_rank(0, 2));
  ES_TRY(ctx.expect_rank(1, 2));
  ES_TRY(ctx.expect_same_dtype(0, 1));
  const bool trans_a = ctx.attrs().get_int("transA", 0) != 0;
  const bool trans_b = ctx.attrs().get_int("transB", 0) != 0;
  const Shape& a = ctx.shape(0);
  const Shape& b = ctx.shape(1);
  const int64_t m = trans_a ? a[1] : a[0], k = trans_a ? a[0] : a[1];
  const int64_t kb = trans_b ? b[1] : b[0], n = trans_b ? b[0] : b[1];
  if (k != kb) return ctx.invalid("inner dimensions differ: A gives {} and B gives {}", k, kb);
  Shape out{m, n};
  if (ctx.has_input(2)) {
    ES_TRY(ctx.expect_same_dtype(0, 2));
    if (!broadcasts_to(ctx.shape(2), out))
      return ctx.invalid("C of shape {} does not broadcast to {}", shape_str(ctx.shape(2)), shape_str(out));
  }
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

Status matmul_rule(RuleContext& ctx) {
  ES_TRY(ctx.expect_min_rank(0, 1));
  ES_TRY(ctx.expect_min_rank(1, 1));
  ES_TRY(ctx.expect_same_dtype(0, 1));
  Shape a = ctx.shape(0), b = ctx.shape(1);
  // 1-D operands are promoted to matrices and the added dimension is dropped from the result.
  const bool a_vector = a.size() == 1, b_vector = b.size() == 1;
  if (a_vector) a.insert(a.begin(), 1);
  if (b_vector) b.push_back(1);
  if (a.back() != b[b.size() - 2])
    return ctx.invalid("inner dimensions differ: {} (input 0 of shape {}) and {} (input 1 of shape {})", a.back(),
                       shape_str(ctx.shape(0)), b[b.size() - 2], shape_str(ctx.shape(1)));
  std::optional<Shape> batch = broadcast_shapes(std::span(a).first(a.size() - 2), std::span(b).first(b.size() - 2));
  if (!batch)
    return ctx.invalid("batch dimensions of shapes {} and {} do not broadcast", shape_str(ctx.shape(0)),
                       shape_str(ctx.shape(1)));
  Shape out = std::move(*batch);
  if (!a_vector) out.push_back(a[a.size() - 2]);
  if (!b_vector) out.push_back(b.back());
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

namespace {
// One side of an einsum equation: letters, with kEllipsis standing for "...".
constexpr char kEllipsis = '.';
Result<std::string> parse_einsum_term(const RuleContext& ctx, std::string_view text) {
  std::string term;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ') continue;
    if (c == '.') {
      if (text.substr(i, 3) != "..." || term.find(kEllipsis) != std::string::npos)
        return ctx.invalid("equation term '{}' has a malformed ellipsis", text);
      term += kEllipsis;
      i += 2;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      term += c;
    } else {
      return ctx.invalid("equation term '{}' has the character '{}'", text, c);
    }
  }
  return term;
}
}  // namespace

Status einsum_rule(RuleContext& ctx) {
  const std::string equation = ctx.attrs().get_string("equation");
  const size_t arrow = equation.find("->");
  std::vector<std::string> terms;
  std::string_view lhs = std::string_view(equation).substr(0, arrow);
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    ES_ASSIGN_OR_RETURN(std::string term, parse_einsum_term(ctx, lhs.substr(start, comma - start)));
    terms.push_back(std::move(term));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (terms.size() != ctx.input_count())
    return ctx.invalid("equation '{}' has {} operands but the node has {} inputs", equation, terms.size(),
                       ctx.input_count());
  std::map<char, int64_t> dims;
  std::map<char, int> occurrences;
  Shape ellipsis;
  for (size_t i = 0; i < terms.size(); ++i) {
    const std::string& term = terms[i];
    const bool has_ellipsis = term.find(kEllipsis) != std::string::npos;
    const int64_t letters = static_cast<int64_t>(term.size()) - (has_ellipsis ? 1 : 0);
    const Shape& shape = ctx.shape(i);
    if (has_ellipsis ? ctx.rank(i) < letters : ctx.rank(i) != letters)
      return ctx.invalid("input {} has rank {} but equation term '{}' names {} dimensions", i, ctx.rank(i), term,
                         letters);
    const int64_t ellipsis_rank = ctx.rank(i) - letters;
    size_t axis = 0;
    for (char c : term) {
      if (c == kEllipsis) {
        std::span<const int64_t> part(shape.begin() + axis, shape.begin() + axis + ellipsis_rank);
        std::optional<Shape> merged = broadcast_shapes(ellipsis, part);
        if (!merged) return ctx.invalid("the '...' dimensions of input {} do not broadcast", i);
        ellipsis = std::move(*merged);
        axis += ellipsis_rank;
        continue;
      }
      const int64_t d = shape[axis++];
      auto [it, inserted] = dims.emplace(c, d);
      if (!inserted && it->second != d) {
        if (it->second != 1 && d != 1)
          return ctx.invalid("label '{}' has size {} in input {} but {} elsewhere", c, d, i, it->second);
        it->second = std::max(it->second, d);
      }
      ++occurrences[c];
    }
  }
  std::string output_term;
  if (arrow != std::string::npos) {
    ES_ASSIGN_OR_RETURN(output_term, parse_einsum_term(ctx, std::string_view(equation).substr(arrow + 2)));
  } else {
    // Implicit output: the ellipsis, then the labels used once, in alphabetical order.
    output_term = std::string(1, kEllipsis);
    for (const auto& [c, count] : occurrences)
      if (count == 1) output_term += c;
  }
  Shape out;
  for (char c : output_term) {
    if (c == kEllipsis) {
      out.insert(out.end(), ellipsis.begin(), ellipsis.end());
      continue;
    }
    auto it = dims.find(c);
    if (it == dims.end()) return ctx.invalid("output label '{}' appears in no input", c);
    out.push_back(it->second);
  }
  for (size_t i = 1; i < ctx.input_count(); ++i) ES_TRY(ctx.expect_same_dtype(0, i));
  ctx.set_output(0, ctx.dtype(0), std::move(out));
  return {};
}

}  // namespace es::shape_rules
