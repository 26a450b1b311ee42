#include <cmath>
#include <vector>

#include "fast_math.h"
#include "kernels.h"
#include "parallel.h"

namespace lrg {

LRG_SIMD static void normRows(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                              float* rstd, int64_t begin, int64_t end, int D, float eps) {
  for (int64_t i = begin; i < end; i++) {
    const float* xr = x + i * D;
    float* yr = y + i * D;
    float m = 0.f;
    for (int j = 0; j < D; j++) m += xr[j];
    m /= D;
    float var = 0.f;
    for (int j = 0; j < D; j++) {
      const float d = xr[j] - m;
      var += d * d;
    }
    var /= D;
    const float r = 1.f / std::sqrt(var + eps);
    for (int j = 0; j < D; j++) yr[j] = (xr[j] - m) * r * gamma[j] + beta[j];
    mean[i] = m;
    rstd[i] = r;
  }
}

void layerNormForward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                      int N, int D, float eps) {
  parallelFor(N, [&](int64_t b, int64_t e, int) { normRows(x, gamma, beta, y, mean, rstd, b, e, D, eps); }, 32);
}

// dx = r·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)), dxhat = dy·γ; dγ, dβ summed per thread.
LRG_SIMD static void normGradRows(const float* dy, const float* x, const float* gamma, const float* mean,
                                  const float* rstd, float* dx, float* dgamma, float* dbeta, int64_t begin,
                                  int64_t end, int D) {
  for (int64_t i = begin; i < end; i++) {
    const float* xr = x + i * D;
    const float* dyr = dy + i * D;
    float* dxr = dx + i * D;
    const float m = mean[i], r = rstd[i];
    float sumD = 0.f, sumDX = 0.f;
    for (int j = 0; j < D; j++) {
      const float xhat = (xr[j] - m) * r;
      const float dxhat = dyr[j] * gamma[j];
      sumD += dxhat;
      sumDX += dxhat * xhat;
      dgamma[j] += dyr[j] * xhat;
      dbeta[j] += dyr[j];
    }
    sumD /= D;
    sumDX /= D;
    for (int j = 0; j < D; j++) {
      const float xhat = (xr[j] - m) * r;
      dxr[j] = r * (dyr[j] * gamma[j] - sumD - xhat * sumDX);
    }
  }
}

void layerNormBackward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                       float* dx, float* dgamma, float* dbeta, int N, int D) {
  const int threads = poolThreads();
  std::vector<float> partial(static_cast<size_t>(threads) * 2 * D, 0.f);
  parallelFor(N, [&](int64_t b, int64_t e, int t) {
    float* pg = partial.data() + static_cast<size_t>(t) * 2 * D;
    normGradRows(dy, x, gamma, mean, rstd, dx, pg, pg + D, b, e, D);
  }, 32);
  for (int j = 0; j < D; j++) dgamma[j] = dbeta[j] = 0.f;
  for (int t = 0; t < threads; t++) {
    const float* pg = partial.data() + static_cast<size_t>(t) * 2 * D;
    for (int j = 0; j < D; j++) {
      dgamma[j] += pg[j];
      dbeta[j] += pg[D + j];
    }
  }
}

}  // namespace lrg
