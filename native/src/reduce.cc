#include "reduce.h"

#include <vector>

void sumOverRows(const float* x, int64_t rows, int64_t cols, float* y) {
  std::vector<double> sums(cols, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    for (int64_t c = 0; c < cols; ++c) sums[c] += row[c];
  }
  for (int64_t c = 0; c < cols; ++c) y[c] = static_cast<float>(sums[c]);
}
