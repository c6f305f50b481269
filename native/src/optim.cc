#include "optim.h"

#include <cmath>

// Each element is updated in double precision and stored as float, as the
// JavaScript loop does, so that both paths agree to the last float32 bit or so.
void adamStep(float* params, const float* grads, float* expAvg, float* expAvgSq,
              int64_t n, double beta1, double beta2, double stepSize,
              double invBiasCorrection2Sqrt, double eps) {
  const double oneMinusBeta1 = 1.0 - beta1;
  const double oneMinusBeta2 = 1.0 - beta2;
  for (int64_t i = 0; i < n; ++i) {
    const double g = grads[i];
    const double m = beta1 * expAvg[i] + oneMinusBeta1 * g;
    const double v = beta2 * expAvgSq[i] + oneMinusBeta2 * g * g;
    expAvg[i] = static_cast<float>(m);
    expAvgSq[i] = static_cast<float>(v);
    params[i] = static_cast<float>(
        params[i] - stepSize * m / (std::sqrt(v) * invBiasCorrection2Sqrt + eps));
  }
}

double clipByGlobalNorm(float* x, int64_t n, double maxNorm, double eps) {
  double sumOfSquares = 0.0;
  for (int64_t i = 0; i < n; ++i) sumOfSquares += static_cast<double>(x[i]) * x[i];
  const double norm = std::sqrt(sumOfSquares);
  if (!std::isfinite(norm)) return norm;
  const double coef = maxNorm / (norm + eps);
  if (coef < 1.0) {
    for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(x[i] * coef);
  }
  return norm;
}
