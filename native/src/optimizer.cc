#include <cmath>

#include "fast_math.h"
#include "kernels.h"
#include "parallel.h"

namespace lrg {

LRG_SIMD static void adamwRange(float* p, const float* g, float* m, float* v, int64_t b, int64_t e, float beta1,
                                float beta2, float eps, float decay, float stepSize, float rootBc2, float gradScale) {
  for (int64_t i = b; i < e; i++) {
    const float gi = g[i] * gradScale;
    m[i] = beta1 * m[i] + (1.f - beta1) * gi;
    v[i] = beta2 * v[i] + (1.f - beta2) * gi * gi;
    p[i] = p[i] * decay - stepSize * m[i] / (std::sqrt(v[i]) / rootBc2 + eps);
  }
}

// PyTorch AdamW: p ← p·(1 − lr·λ) − lr/bc1 · m / (√v/√bc2 + ε), moments from the scaled gradient.
void adamwStep(float* p, const float* g, float* m, float* v, int64_t n, float lr, float beta1, float beta2,
               float eps, float weightDecay, float biasCorrection1, float biasCorrection2, float gradScale) {
  const float decay = 1.f - lr * weightDecay;
  const float stepSize = lr / biasCorrection1;
  const float rootBc2 = std::sqrt(biasCorrection2);
  parallelFor(n, [&](int64_t b, int64_t e, int) {
    adamwRange(p, g, m, v, b, e, beta1, beta2, eps, decay, stepSize, rootBc2, gradScale);
  }, 16384);
}

}  // namespace lrg
