#include <algorithm>
#include <cmath>
#include <vector>

#include "blas.h"
#include "fast_math.h"
#include "kernels.h"
#include "parallel.h"

namespace lrg {

LRG_SIMD void causalSoftmax(float* p, int T, int firstRow) {
  for (int i = firstRow; i < T; i++) {
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

// Rows of a causal T x T problem go in blocks of kCausalBlock: block i0 needs keys [0, i0 + m) only,
// so the products skip the masked upper triangle (about 40% of the attention FLOPs at T = 256).
// Entries skipped are exact zeros of P and dS, so every sum is the full one's.
constexpr int kCausalBlock = 64;

void causalAttentionHead(const float* q, const float* k, const float* v, int ld, int T, int hd, float scale, float* p,
                         float* y, int ldy, int firstRow) {
  // whole blocks from the one holding firstRow: the rows computed are computed as without it
  const int start = firstRow / kCausalBlock * kCausalBlock;
  for (int i0 = start; i0 < T; i0 += kCausalBlock) {
    const int m = std::min(kCausalBlock, T - i0);
    sgemm(false, true, m, i0 + m, hd, scale, q + static_cast<int64_t>(i0) * ld, ld, k, ld, 0.f, p + static_cast<int64_t>(i0) * T, T);
  }
  causalSoftmax(p, T, start);
  for (int i0 = start; i0 < T; i0 += kCausalBlock) {
    const int m = std::min(kCausalBlock, T - i0);
    sgemm(false, false, m, hd, i0 + m, 1.f, p + static_cast<int64_t>(i0) * T, T, v, ld, 0.f, y + static_cast<int64_t>(i0) * ldy, ldy);
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
      causalAttentionHead(base + h * hd, base + D + h * hd, base + 2 * D + h * hd, ld, T, hd, scale, probs + bh * T * T,
                          y + static_cast<int64_t>(b) * T * D + h * hd, D);
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
      float* ds = dp.data();
      // Blocks of rows i0 use keys [0, i0 + m); blocks of keys j0 get queries [j0, T) (see kCausalBlock).
      for (int i0 = 0; i0 < T; i0 += kCausalBlock) {
        const int m = std::min(kCausalBlock, T - i0);
        const int64_t at = static_cast<int64_t>(i0);
        // dV = Pᵀ dY ; dP = dY Vᵀ
        sgemm(true, false, m, hd, T - i0, 1.f, p + at * T + i0, T, dyh + at * D, D, 0.f, dbase + 2 * D + h * hd + at * ld, ld);
        sgemm(false, true, m, i0 + m, hd, 1.f, dyh + at * D, D, v, ld, 0.f, ds + at * T, T);
      }
      softmaxBackwardRows(p, ds, T);
      for (int i0 = 0; i0 < T; i0 += kCausalBlock) {
        const int m = std::min(kCausalBlock, T - i0);
        const int64_t at = static_cast<int64_t>(i0);
        // dQ = dS K / √hd ; dK = dSᵀ Q / √hd
        sgemm(false, false, m, hd, i0 + m, scale, ds + at * T, T, k, ld, 0.f, dbase + h * hd + at * ld, ld);
        sgemm(true, false, m, hd, T - i0, scale, ds + at * T + i0, T, q + at * ld, ld, 0.f, dbase + D + h * hd + at * ld, ld);
      }
    }
  });
}

}  // namespace lrg
