// One new token's attention over a key/value cache (decode): scores, softmax and the weighted sum
// of values for one query and head. Decode reads the whole cache once per token, so these loops are
// bound by memory; they keep their sums in registers and the caller prefetches the next head.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "fast_math.h"
#include "kernels.h"

namespace lrg {

namespace {

// Keys of one query's scores held in registers across the head dimension.
constexpr int kKeyBlock = 16;

// Eight floats as one value (GCC vector extension: one AVX register in the avx2 clone, two SSE
// registers in the default one); element-wise, so sums keep the scalar loop's order and rounding.
typedef float F8 __attribute__((vector_size(32)));
inline F8 load8(const float* p) {
  F8 x;
  std::memcpy(&x, p, sizeof(x));
  return x;
}
inline void store8(float* p, F8 x) { std::memcpy(p, &x, sizeof(x)); }

// One query against ctx cached keys (transposed, [hd][C]) and values ([C][hd]); scores s [ctx].
// The order of every sum is the one of the per-element loop (no reassociation): each score adds
// q[d]·k[d][j] for d = 0, 1, … and each output w_j·v_j[d] for j = 0, 1, …. Scores go in blocks of
// kKeyBlock keys and the output in one accumulator of HD floats, both in registers, so the loops
// load the cache once instead of re-reading and re-writing their partial sums (decode is bound by
// reading the cache). HD is the head dimension when known at compile time, else 0 (runtime hd).
template <int HD>
LRG_SIMD void attendOne(const float* q, const float* kt, const float* v, int ctx, int C, int hd, float scale, float* s,
                        float* out) {
  static_assert(HD % 8 == 0, "HD is 0 (runtime hd) or a multiple of 8");
  if (HD > 0) hd = HD;
  int j0 = 0;
  for (; j0 + kKeyBlock <= ctx; j0 += kKeyBlock) {
    F8 a0 = {}, a1 = {};
    for (int d = 0; d < hd; d++) {
      const float qd = q[d];
      const float* kd = kt + static_cast<int64_t>(d) * C + j0;
      a0 += qd * load8(kd);
      a1 += qd * load8(kd + 8);
    }
    store8(s + j0, a0);
    store8(s + j0 + 8, a1);
  }
  for (; j0 < ctx; j0++) {
    float acc = 0.f;
    for (int d = 0; d < hd; d++) acc += q[d] * kt[static_cast<int64_t>(d) * C + j0];
    s[j0] = acc;
  }
  float mx = -INFINITY;
  for (int j = 0; j < ctx; j++) {
    s[j] *= scale;
    mx = std::max(mx, s[j]);
  }
  float sum = 0.f;
  for (int j = 0; j < ctx; j++) {
    s[j] = fastExp(s[j] - mx);
    sum += s[j];
  }
  const float inv = 1.f / sum;
  if (HD > 0) {
    constexpr int kVectors = HD > 0 ? HD / 8 : 1;
    F8 acc[kVectors] = {};
    for (int j = 0; j < ctx; j++) {
      const float w = s[j] * inv;
      const float* vj = v + static_cast<int64_t>(j) * HD;
      for (int k = 0; k < kVectors; k++) acc[k] += w * load8(vj + 8 * k);
    }
    for (int k = 0; k < kVectors; k++) store8(out + 8 * k, acc[k]);
    return;
  }
  for (int d = 0; d < hd; d++) out[d] = 0.f;
  for (int j = 0; j < ctx; j++) {
    const float w = s[j] * inv;
    const float* vj = v + static_cast<int64_t>(j) * hd;
    for (int d = 0; d < hd; d++) out[d] += w * vj[d];
  }
}

}  // namespace

void attendCached(const float* q, const float* kt, const float* v, int ctx, int C, int hd, float scale, float* s,
                  float* out) {
  if (hd == 32) attendOne<32>(q, kt, v, ctx, C, hd, scale, s, out);
  else if (hd == 64) attendOne<64>(q, kt, v, ctx, C, hd, scale, s, out);
  else attendOne<0>(q, kt, v, ctx, C, hd, scale, s, out);
}

// Asks for the keys and values attendOne is about to read (ctx positions of one slot and head):
// decode reads the whole cache once per token, and its 2·hd short rows per head are too short
// for the hardware prefetcher to follow.
void prefetchKv(const float* kt, const float* v, int ctx, int C, int hd) {
  constexpr int kLine = 16;  // floats per 64-byte cache line
  // each span's last element too: rows need not start on a line
  for (int d = 0; d < hd; d++) {
    const float* row = kt + static_cast<int64_t>(d) * C;
    for (int j = 0; j < ctx; j += kLine) __builtin_prefetch(row + j);
    __builtin_prefetch(row + ctx - 1);
  }
  const int64_t n = static_cast<int64_t>(ctx) * hd;
  for (int64_t i = 0; i < n; i += kLine) __builtin_prefetch(v + i);
  __builtin_prefetch(v + n - 1);
}

}  // namespace lrg
