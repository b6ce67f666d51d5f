// Reading a classifier's output: the top-K classes of each batch row with softmax probabilities.
#pragma once

#include "base/status.h"
#include "ir/tensor.h"

#include <string>
#include <vector>

namespace es {

struct ClassScore {
  int64_t index = 0;
  float score = 0;        // the raw output value
  float probability = 0;  // softmax over the row, or the value itself when the row already sums to 1
};

// Rows are the leading dimension; each row's remaining elements are the classes ([N,C], [N,C,1,1]).
// Fails for non-float outputs.
Result<std::vector<std::vector<ClassScore>>> top_k_classes(const Tensor& output, int64_t k);
// One label per line (trailing whitespace trimmed).
Result<std::vector<std::string>> read_labels(const std::string& path);

}  // namespace es
