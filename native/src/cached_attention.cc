#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "fast_math.h"
#include "kernels.h"
#include "parallel.h"

namespace lrg {

// Generation's attention over a key/value cache updated in place. Slots [start, start+L) of each
// sequence receive the new keys and values; query i (slot start+i) of sequence b attends to
// slots pads[b] … start+i (left padding is never attended).
void cachedAttention(const float* qkv, float* cacheK, float* cacheV, float* y, const int32_t* pads, int B, int L,
                     int H, int hd, int C, int start) {
  const int D = H * hd;
  const int ld = 3 * D;
  const float scale = 1.f / std::sqrt(static_cast<float>(hd));
  for (int b = 0; b < B; b++)
    for (int i = 0; i < L; i++) {
      const float* row = qkv + (static_cast<int64_t>(b) * L + i) * ld;
      for (int h = 0; h < H; h++) {
        const int64_t slot = ((static_cast<int64_t>(b) * H + h) * C + start + i) * hd;
        std::memcpy(cacheK + slot, row + D + h * hd, sizeof(float) * hd);
        std::memcpy(cacheV + slot, row + 2 * D + h * hd, sizeof(float) * hd);
      }
    }
  parallelFor(static_cast<int64_t>(B) * H, [&](int64_t begin, int64_t end, int) {
    std::vector<float> p(static_cast<size_t>(C));
    for (int64_t bh = begin; bh < end; bh++) {
      const int b = static_cast<int>(bh / H), h = static_cast<int>(bh % H);
      const float* K = cacheK + bh * C * hd;
      const float* V = cacheV + bh * C * hd;
      for (int i = 0; i < L; i++) {
        const float* q = qkv + (static_cast<int64_t>(b) * L + i) * ld + h * hd;
        float* out = y + (static_cast<int64_t>(b) * L + i) * D + h * hd;
        const int first = pads[b], last = start + i;
        for (int d = 0; d < hd; d++) out[d] = 0.f;
        if (first > last) continue;  // a padding slot's own query: nothing to attend, output unused
        float mx = -INFINITY;
        for (int j = first; j <= last; j++) {
          float s = 0.f;
          for (int d = 0; d < hd; d++) s += q[d] * K[static_cast<int64_t>(j) * hd + d];
          p[j] = s * scale;
          mx = std::max(mx, p[j]);
        }
        float sum = 0.f;
        for (int j = first; j <= last; j++) {
          p[j] = fastExp(p[j] - mx);
          sum += p[j];
        }
        const float inv = 1.f / sum;
        for (int j = first; j <= last; j++) {
          const float w = p[j] * inv;
          const float* v = V + static_cast<int64_t>(j) * hd;
          for (int d = 0; d < hd; d++) out[d] += w * v[d];
        }
      }
    }
  });
}

}  // namespace lrg
