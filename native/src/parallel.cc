#include "parallel.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "blas.h"

namespace lrg {

namespace {

// Pause instructions a thread spins before it blocks (~0.1–0.5 ms).
constexpr int kSpin = 4000;

struct Pool {
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<uint64_t> generation{0};
  std::atomic<int> pending{0};
  const std::function<void(int)>* job = nullptr;
  bool stopping = false;
  int size = 1;

  std::condition_variable finished;

  void workerLoop(int index) {
    uint64_t seen = 0;
    for (;;) {
      // Spin briefly (loops come back to back within a step), then sleep: on a machine shared
      // with other processes a long spin only takes time from them (and from our own caller).
      for (int spin = 0; spin < kSpin && generation.load(std::memory_order_acquire) == seen; spin++) {
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
      }
      if (generation.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return stopping || generation.load(std::memory_order_acquire) != seen; });
      }
      if (stopping) return;
      seen = generation.load(std::memory_order_acquire);
      (*job)(index);
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // the last one out wakes a caller that stopped spinning
        std::lock_guard<std::mutex> lock(mutex);
        finished.notify_one();
      }
    }
  }

  void resize(int n) {
    stop();
    size = n < 1 ? 1 : n;
    stopping = false;
    for (int i = 1; i < size; i++) workers.emplace_back([this, i] { workerLoop(i); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
  }

  void run(const std::function<void(int)>& fn) {
    if (size == 1) {
      fn(0);
      return;
    }
    job = &fn;
    pending.store(size - 1, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(mutex);
      generation.fetch_add(1, std::memory_order_acq_rel);
    }
    wake.notify_all();
    fn(0);
    for (int spin = 0; spin < kSpin && pending.load(std::memory_order_acquire) != 0; spin++) {
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
    }
    if (pending.load(std::memory_order_acquire) != 0) {
      std::unique_lock<std::mutex> lock(mutex);
      finished.wait(lock, [&] { return pending.load(std::memory_order_acquire) == 0; });
    }
  }

  ~Pool() { stop(); }
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void setPoolThreads(int n) { pool().resize(n); }

int poolThreads() { return pool().size; }

void parallelFor(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn, int64_t minPerThread) {
  const int threads = pool().size;
  if (threads == 1 || n < 2 * minPerThread) {
    fn(0, n, 0);
    return;
  }
  pool().run([&](int t) {
    const int64_t begin = n * t / threads, end = n * (t + 1) / threads;
    if (begin < end) fn(begin, end, t);
  });
}

void parallelForDynamic(int64_t n, const std::function<void(int64_t, int)>& fn) {
  const int threads = pool().size;
  if (threads == 1 || n < 2) {
    for (int64_t i = 0; i < n; i++) fn(i, 0);
    return;
  }
  std::atomic<int64_t> next{0};
  pool().run([&](int t) {
    for (int64_t i = next.fetch_add(1, std::memory_order_relaxed); i < n; i = next.fetch_add(1, std::memory_order_relaxed)) fn(i, t);
  });
}

void parallelSgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
                   const float* B, int ldb, float beta, float* C, int ldc) {
  const int threads = pool().size;
  // Below ~2 MFLOP a split costs more than it saves.
  if (threads == 1 || static_cast<int64_t>(M) * N * K < (1 << 20)) {
    sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  if (M >= N) {
    parallelFor(M, [&](int64_t m0, int64_t m1, int) {
      const float* a = transA ? A + m0 : A + m0 * lda;
      sgemm(transA, transB, static_cast<int>(m1 - m0), N, K, alpha, a, lda, B, ldb, beta, C + m0 * ldc, ldc);
    }, 16);
  } else {
    parallelFor(N, [&](int64_t n0, int64_t n1, int) {
      const float* b = transB ? B + n0 * ldb : B + n0;
      sgemm(transA, transB, M, static_cast<int>(n1 - n0), K, alpha, A, lda, b, ldb, beta, C + n0, ldc);
    }, 16);
  }
}

}  // namespace lrg
