#include <cmath>
#include <cstring>
#include <vector>

#include "fast_math.h"
#include "kernels.h"
#include "parallel.h"

namespace lrg {

namespace {
constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kGeluCoef = 0.044715f;
constexpr int64_t kGrain = 16384;  // elements below which a loop stays on one thread
}  // namespace

LRG_SIMD static void geluRange(const float* x, float* y, int64_t b, int64_t e) {
  for (int64_t i = b; i < e; i++) {
    const float v = x[i];
    y[i] = 0.5f * v * (1.f + fastTanh(kSqrt2OverPi * (v + kGeluCoef * v * v * v)));
  }
}

void geluForward(const float* x, float* y, int64_t n) {
  parallelFor(n, [&](int64_t b, int64_t e, int) { geluRange(x, y, b, e); }, kGrain);
}

LRG_SIMD static void geluGradRange(const float* x, const float* dy, float* dx, int64_t b, int64_t e) {
  for (int64_t i = b; i < e; i++) {
    const float v = x[i];
    const float t = fastTanh(kSqrt2OverPi * (v + kGeluCoef * v * v * v));
    const float du = kSqrt2OverPi * (1.f + 3.f * kGeluCoef * v * v);
    dx[i] = dy[i] * (0.5f * (1.f + t) + 0.5f * v * (1.f - t * t) * du);
  }
}

void geluBackward(const float* x, const float* dy, float* dx, int64_t n) {
  parallelFor(n, [&](int64_t b, int64_t e, int) { geluGradRange(x, dy, dx, b, e); }, kGrain);
}

LRG_SIMD static void sumRows(const float* dy, float* out, int64_t b, int64_t e, int D) {
  for (int64_t i = b; i < e; i++) {
    const float* r = dy + i * D;
    for (int j = 0; j < D; j++) out[j] += r[j];
  }
}

void columnSum(const float* dy, float* out, int N, int D) {
  const int threads = poolThreads();
  std::vector<float> partial(static_cast<size_t>(threads) * D, 0.f);
  parallelFor(N, [&](int64_t b, int64_t e, int t) { sumRows(dy, partial.data() + static_cast<size_t>(t) * D, b, e, D); }, 64);
  std::memset(out, 0, sizeof(float) * D);
  for (int t = 0; t < threads; t++)
    for (int j = 0; j < D; j++) out[j] += partial[static_cast<size_t>(t) * D + j];
}

LRG_SIMD static void addRowRange(const float* x, const float* row, float* y, int64_t b, int64_t e, int D) {
  for (int64_t i = b; i < e; i++)
    for (int j = 0; j < D; j++) y[i * D + j] = x[i * D + j] + row[j];
}

void addRow(const float* x, const float* row, float* y, int N, int D) {
  parallelFor(N, [&](int64_t b, int64_t e, int) { addRowRange(x, row, y, b, e, D); }, 64);
}

// Threads split the columns, so two rows with the same segment never race.
void scatterAdd(const float* src, const int32_t* idx, float* out, int N, int D, int numSegments) {
  parallelFor(D, [&](int64_t d0, int64_t d1, int) {
    for (int i = 0; i < N; i++) {
      const int s = idx[i];
      if (s < 0 || s >= numSegments) continue;  // tf drops out-of-range segment ids
      float* o = out + static_cast<int64_t>(s) * D;
      const float* r = src + static_cast<int64_t>(i) * D;
      for (int64_t j = d0; j < d1; j++) o[j] += r[j];
    }
  }, 16);
}

double sumSquares(const float* x, int64_t n) {
  const int threads = poolThreads();
  std::vector<double> partial(threads, 0.0);
  parallelFor(n, [&](int64_t b, int64_t e, int t) {
    double acc = 0.0;
    for (int64_t i0 = b; i0 < e; i0 += 1024) {
      float part = 0.f;
      const int64_t i1 = i0 + 1024 < e ? i0 + 1024 : e;
      for (int64_t i = i0; i < i1; i++) part += x[i] * x[i];
      acc += part;
    }
    partial[t] = acc;
  }, kGrain);
  double sum = 0.0;
  for (double p : partial) sum += p;
  return sum;
}

template <typename F>
static void broadcastRange(const float* a, const float* b, int64_t nb, float* out, int64_t begin, int64_t end, F f) {
  if (nb == 1) {
    const float s = b[0];
    for (int64_t i = begin; i < end; i++) out[i] = f(a[i], s);
  } else {
    for (int64_t i = begin; i < end; i++) out[i] = f(a[i], b[i % nb]);
  }
}

template <typename F>
static void binaryLoop(const float* a, int64_t na, const float* b, int64_t nb, float* out, F f) {
  parallelFor(na, [&](int64_t begin, int64_t end, int) {
    if (nb == na) {
      for (int64_t i = begin; i < end; i++) out[i] = f(a[i], b[i]);
    } else {
      broadcastRange(a, b, nb, out, begin, end, f);
    }
  }, kGrain);
}

void binaryOp(BinaryOp op, const float* a, int64_t na, const float* b, int64_t nb, float* out, bool swap) {
  // `swap` means the broadcast operand was the left one: compute f(b, a).
  switch (op) {
    case OpAdd:
      binaryLoop(a, na, b, nb, out, [](float x, float y) { return x + y; });
      break;
    case OpMul:
      binaryLoop(a, na, b, nb, out, [](float x, float y) { return x * y; });
      break;
    case OpSub:
      if (swap) binaryLoop(a, na, b, nb, out, [](float x, float y) { return y - x; });
      else binaryLoop(a, na, b, nb, out, [](float x, float y) { return x - y; });
      break;
    case OpDiv:
      if (swap) binaryLoop(a, na, b, nb, out, [](float x, float y) { return y / x; });
      else binaryLoop(a, na, b, nb, out, [](float x, float y) { return x / y; });
      break;
  }
}

}  // namespace lrg
