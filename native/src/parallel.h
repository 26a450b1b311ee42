// A small persistent thread pool. OpenBLAS is kept at one thread and every parallel loop,
// big sgemms included, is split here, so exactly one set of threads shares the cores.
#pragma once
#include <cstdint>
#include <functional>

namespace lrg {

// Threads that run parallel loops, the caller included (1 = everything on the caller).
void setPoolThreads(int n);
int poolThreads();

// Runs fn(begin, end) over [0, n) split into one contiguous block per thread (static, so a
// reduction that combines per-thread partials in thread order is deterministic).
void parallelFor(int64_t n, const std::function<void(int64_t begin, int64_t end, int thread)>& fn,
                 int64_t minPerThread = 1);

// Runs fn(i, thread) for every i in [0, n), threads taking the next index as they finish one:
// for tasks of uneven cost (attention over sequences of different lengths). Each i runs exactly
// once, so results do not depend on the schedule when tasks write disjoint outputs.
void parallelForDynamic(int64_t n, const std::function<void(int64_t i, int thread)>& fn);

// sgemm split over threads by rows of C (or by columns when C is wide and short).
void parallelSgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
                   const float* B, int ldb, float beta, float* C, int ldc);

}  // namespace lrg
