#include "runtime/classify.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>

namespace es {
namespace {

// A row that is already a distribution (the model ends in Softmax) is shown as is, not softmaxed twice.
bool is_distribution(const std::vector<float>& row) {
  double sum = 0;
  for (float v : row) {
    if (v < 0 || v > 1) return false;
    sum += v;
  }
  return std::fabs(sum - 1.0) < 1e-3;
}

std::vector<float> softmax(const std::vector<float>& row) {
  float max = *std::max_element(row.begin(), row.end());
  std::vector<float> p(row.size());
  double sum = 0;
  for (size_t i = 0; i < row.size(); ++i) sum += p[i] = std::exp(row[i] - max);
  for (float& v : p) v = static_cast<float>(v / sum);
  return p;
}

}  // namespace

Result<std::vector<std::vector<ClassScore>>> top_k_classes(const Tensor& output, int64_t k) {
  if (!dtype_is_float(output.dtype()))
    return error(StatusCode::invalid_argument, "--top needs a float output, not {}", dtype_name(output.dtype()));
  if (output.rank() == 0 || output.numel() == 0)
    return error(StatusCode::invalid_argument, "--top needs an output with a batch dimension and classes");
  std::vector<float> values = output.to_float_vector();
  int64_t rows = output.dim(0);
  int64_t classes = output.numel() / rows;
  std::vector<std::vector<ClassScore>> result;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<float> row(values.begin() + r * classes, values.begin() + (r + 1) * classes);
    std::vector<float> probability = is_distribution(row) ? row : softmax(row);
    std::vector<int64_t> order(static_cast<size_t>(classes));
    std::iota(order.begin(), order.end(), 0);
    int64_t keep = std::min(k, classes);
    std::partial_sort(order.begin(), order.begin() + keep, order.end(),
                      [&](int64_t a, int64_t b) { return row[static_cast<size_t>(a)] > row[static_cast<size_t>(b)]; });
    std::vector<ClassScore>& top = result.emplace_back();
    for (int64_t i = 0; i < keep; ++i) {
      auto c = static_cast<size_t>(order[static_cast<size_t>(i)]);
      top.push_back({order[static_cast<size_t>(i)], row[c], probability[c]});
    }
  }
  return result;
}

Result<std::vector<std::string>> read_labels(const std::string& path) {
  std::ifstream in(path);
  if (!in) return error(StatusCode::not_found, "cannot open labels file '{}'", path);
  std::vector<std::string> labels;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    labels.push_back(line);
  }
  return labels;
}

}  // namespace es
