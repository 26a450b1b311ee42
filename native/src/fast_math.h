// exp without a libm call, so loops over it vectorise: exp(x) = 2^n · p(r), x = n·ln2 + r,
// |r| ≤ ln2/2, p a degree-6 polynomial (relative error < 2e-7 on the clamped range).
#pragma once
#include <cstdint>
#include <cstring>

namespace lrg {

static inline float fastExp(float x) {
  x = x < -87.f ? -87.f : (x > 88.f ? 88.f : x);
  const float n = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return p * scale;
}

// tanh through exp: 1 - 2 / (e^{2u} + 1), exact at the saturated ends.
static inline float fastTanh(float u) { return 1.f - 2.f / (fastExp(2.f * u) + 1.f); }

}  // namespace lrg

// Hot loops get an AVX2/FMA clone chosen at load time; the default clone runs anywhere.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LRG_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define LRG_SIMD
#endif
