#include <algorithm>
#include <cmath>
#include <vector>

#include "blas.h"
#include "fast_math.h"
#include "kernels.h"
#include "parallel.h"

namespace lrg {

LRG_SIMD void causalSoftmax(float* p, int T) {
  for (int i = 0; i < T; i++) {
    float* row = p + static_cast<int64_t>(i) * T;
    float mx = row[0];
    for (int j = 1; j <= i; j++) mx = std::max(mx, row[j]);
    float sum = 0.f;
    for (int j = 0; j <= i; j++) {
      const float e = fastExp(row[j] - mx);
      row[j] = e;
      sum += e;
    }
    const float inv = 1.f / sum;
    for (int j = 0; j <= i; j++) row[j] *= inv;
    for (int j = i + 1; j < T; j++) row[j] = 0.f;
  }
}

// dS = P * (dP - rowsum(P * dP)): the softmax Jacobian applied to dP, causal entries only.
LRG_SIMD static void softmaxBackwardRows(const float* p, float* dp, int T) {
  for (int i = 0; i < T; i++) {
    const float* prow = p + static_cast<int64_t>(i) * T;
    float* drow = dp + static_cast<int64_t>(i) * T;
    float dot = 0.f;
    for (int j = 0; j <= i; j++) dot += prow[j] * drow[j];
    for (int j = 0; j <= i; j++) drow[j] = prow[j] * (drow[j] - dot);
    for (int j = i + 1; j < T; j++) drow[j] = 0.f;
  }
}

// One (batch, head) pair per task: S = QKᵀ/√hd → causal softmax → Y_h = P V.
void attentionForward(const float* qkv, float* y, float* probs, int B, int T, int H, int hd) {
  const int D = H * hd;
  const int ld = 3 * D;
  const float scale = 1.f / std::sqrt(static_cast<float>(hd));
  parallelFor(static_cast<int64_t>(B) * H, [&](int64_t begin, int64_t end, int) {
    for (int64_t bh = begin; bh < end; bh++) {
      const int b = static_cast<int>(bh / H), h = static_cast<int>(bh % H);
      const float* base = qkv + static_cast<int64_t>(b) * T * ld;
      const float* q = base + h * hd;
      const float* k = base + D + h * hd;
      const float* v = base + 2 * D + h * hd;
      float* p = probs + bh * T * T;
      sgemm(false, true, T, T, hd, scale, q, ld, k, ld, 0.f, p, T);
      causalSoftmax(p, T);
      sgemm(false, false, T, hd, T, 1.f, p, T, v, ld, 0.f, y + static_cast<int64_t>(b) * T * D + h * hd, D);
    }
  });
}

void attentionBackward(const float* dy, const float* qkv, const float* probs, float* dqkv, int B, int T, int H,
                       int hd) {
  const int D = H * hd;
  const int ld = 3 * D;
  const float scale = 1.f / std::sqrt(static_cast<float>(hd));
  parallelFor(static_cast<int64_t>(B) * H, [&](int64_t begin, int64_t end, int) {
    std::vector<float> dp(static_cast<size_t>(T) * T);
    for (int64_t bh = begin; bh < end; bh++) {
      const int b = static_cast<int>(bh / H), h = static_cast<int>(bh % H);
      const float* base = qkv + static_cast<int64_t>(b) * T * ld;
      float* dbase = dqkv + static_cast<int64_t>(b) * T * ld;
      const float* q = base + h * hd;
      const float* k = base + D + h * hd;
      const float* v = base + 2 * D + h * hd;
      const float* p = probs + bh * T * T;
      const float* dyh = dy + static_cast<int64_t>(b) * T * D + h * hd;
      // dV = Pᵀ dY ; dP = dY Vᵀ
      sgemm(true, false, T, hd, T, 1.f, p, T, dyh, D, 0.f, dbase + 2 * D + h * hd, ld);
      sgemm(false, true, T, T, hd, 1.f, dyh, D, v, ld, 0.f, dp.data(), T);
      softmaxBackwardRows(p, dp.data(), T);
      // dQ = dS K / √hd ; dK = dSᵀ Q / √hd
      sgemm(false, false, T, hd, T, scale, dp.data(), T, k, ld, 0.f, dbase + h * hd, ld);
      sgemm(true, false, T, hd, T, scale, dp.data(), T, q, ld, 0.f, dbase + D + h * hd, ld);
    }
  });
}

}  // namespace lrg
