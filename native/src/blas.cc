#include "blas.h"

#include <dlfcn.h>

namespace lrg {

namespace {
using SgemmFn = void (*)(int order, int transA, int transB, int M, int N, int K, float alpha,
                         const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);
using SetThreadsFn = void (*)(int);
using GetThreadsFn = int (*)();
using GetConfigFn = char* (*)();

SgemmFn g_sgemm = nullptr;
SetThreadsFn g_setThreads = nullptr;
GetThreadsFn g_getThreads = nullptr;
GetConfigFn g_getConfig = nullptr;
constexpr int kRowMajor = 101;
}  // namespace

std::string loadBlas(const char* const* candidates, int count, std::string& error) {
  for (int i = 0; i < count; i++) {
    void* handle = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      error = dlerror();
      continue;
    }
    auto sgemm = reinterpret_cast<SgemmFn>(dlsym(handle, "cblas_sgemm"));
    if (sgemm == nullptr) {
      error = std::string(candidates[i]) + " has no cblas_sgemm";
      dlclose(handle);
      continue;
    }
    g_sgemm = sgemm;
    g_setThreads = reinterpret_cast<SetThreadsFn>(dlsym(handle, "openblas_set_num_threads"));
    g_getThreads = reinterpret_cast<GetThreadsFn>(dlsym(handle, "openblas_get_num_threads"));
    g_getConfig = reinterpret_cast<GetConfigFn>(dlsym(handle, "openblas_get_config"));
    return candidates[i];
  }
  return "";
}

bool blasLoaded() { return g_sgemm != nullptr; }

void setBlasThreads(int n) {
  if (g_setThreads != nullptr) g_setThreads(n);
}

int blasThreads() { return g_getThreads != nullptr ? g_getThreads() : 1; }

std::string blasConfig() { return g_getConfig != nullptr ? std::string(g_getConfig()) : std::string("unknown BLAS"); }

void sgemm(bool transA, bool transB, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc) {
  if (M == 0 || N == 0) return;
  g_sgemm(kRowMajor, transA ? DoTrans : NoTrans, transB ? DoTrans : NoTrans, M, N, K, alpha, A, lda, B, ldb,
          beta, C, ldc);
}

}  // namespace lrg
