// Reductions the learner needs that oneDNN 2.6 serves poorly: its reduction
// primitive picks a reference kernel for a column sum of a [51200, 32]
// gradient, about 60 times slower than the loop here.
#pragma once

#include <cstdint>

// y[c] = sum over r of x[r * cols + c]: the bias gradient of a layer whose
// outputs are [rows, cols]. Accumulates in double, so the result does not
// depend on how many rows there are.
void sumOverRows(const float* x, int64_t rows, int64_t cols, float* y);
