// OpenBLAS reached through dlopen, so the addon builds without BLAS headers and a machine
// without libopenblas still loads it (and reports that BLAS is missing).
#pragma once
#include <string>

namespace lrg {

enum Trans { NoTrans = 111, DoTrans = 112 };

// Row-major C = alpha * op(A) * op(B) + beta * C.
void sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc);

// Loads the first library that exports cblas_sgemm; returns its path or "" with `error` set.
std::string loadBlas(const char* const* candidates, int count, std::string& error);
bool blasLoaded();
void setBlasThreads(int n);
int blasThreads();
std::string blasConfig();

}  // namespace lrg
