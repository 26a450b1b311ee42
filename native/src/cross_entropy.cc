#include <cmath>
#include <vector>

#include "fast_math.h"
#include "kernels.h"
#include "parallel.h"

namespace lrg {

// Softmax of each row into probs; returns Σ w·nll over the rows (nll in double).
LRG_SIMD static double softmaxRows(const float* logits, const int32_t* targets, const float* w, float* probs,
                                   int64_t begin, int64_t end, int V, double* weight) {
  double loss = 0.0;
  for (int64_t i = begin; i < end; i++) {
    const float* l = logits + i * V;
    float* p = probs + i * V;
    float mx = l[0];
    for (int j = 1; j < V; j++) mx = l[j] > mx ? l[j] : mx;
    float sum = 0.f;
    for (int j = 0; j < V; j++) {
      const float e = fastExp(l[j] - mx);
      p[j] = e;
      sum += e;
    }
    const float inv = 1.f / sum;
    for (int j = 0; j < V; j++) p[j] *= inv;
    if (w[i] != 0.f) {
      loss += w[i] * (std::log(static_cast<double>(sum)) + mx - l[targets[i]]);
      *weight += w[i];
    }
  }
  return loss;
}

double crossEntropyForward(const float* logits, const int32_t* targets, const float* w, float* probs, int N, int V) {
  const int threads = poolThreads();
  std::vector<double> loss(threads, 0.0), weight(threads, 0.0);
  parallelFor(N, [&](int64_t b, int64_t e, int t) { loss[t] = softmaxRows(logits, targets, w, probs, b, e, V, &weight[t]); }, 64);
  double l = 0.0, wsum = 0.0;
  for (int t = 0; t < threads; t++) {
    l += loss[t];
    wsum += weight[t];
  }
  return wsum > 0.0 ? l / wsum : 0.0;
}

void tokenNll(const float* logits, const int32_t* targets, float* nll, int N, int V) {
  parallelFor(N, [&](int64_t b, int64_t e, int) {
    for (int64_t i = b; i < e; i++) {
      const float* l = logits + i * V;
      float mx = l[0];
      for (int j = 1; j < V; j++) mx = l[j] > mx ? l[j] : mx;
      float sum = 0.f;
      for (int j = 0; j < V; j++) sum += fastExp(l[j] - mx);
      nll[i] = static_cast<float>(std::log(static_cast<double>(sum)) + mx - l[targets[i]]);
    }
  }, 64);
}

void crossEntropyBackward(const float* probs, const int32_t* targets, const float* w, float* dlogits, int N, int V,
                          float scale) {
  parallelFor(N, [&](int64_t b, int64_t e, int) {
    for (int64_t i = b; i < e; i++) {
      const float* p = probs + i * V;
      float* d = dlogits + i * V;
      const float s = w[i] * scale;
      for (int j = 0; j < V; j++) d[j] = p[j] * s;
      d[targets[i]] -= s;
    }
  }, 64);
}

}  // namespace lrg
