// The learner's per-parameter loops, compiled: Adam's update over the flat
// parameter vector (3.3M floats for the Atari net) costs about 10 ms in
// JavaScript and a fraction of that vectorised.
#pragma once

#include <cstdint>

// torch.optim.Adam's step on flat arrays, in place:
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
//   p -= stepSize m / (sqrt(v) invBiasCorrection2Sqrt + eps)
// with stepSize = lr / (1 - beta1^t), invBiasCorrection2Sqrt = 1 / sqrt(1 - beta2^t).
void adamStep(float* params, const float* grads, float* expAvg, float* expAvgSq,
              int64_t n, double beta1, double beta2, double stepSize,
              double invBiasCorrection2Sqrt, double eps);

// The global L2 norm of x (accumulated in double), then x *= maxNorm / (norm + eps)
// when that factor is below 1, as torch.nn.utils.clip_grad_norm_. A non-finite
// norm leaves x untouched. Returns the norm before clipping.
double clipByGlobalNorm(float* x, int64_t n, double maxNorm, double eps);
