// The addon's entry: BLAS loading, the thread pool and matrix products here; the fused kernels'
// bindings in kernel_bindings.cc. Argument unpacking is in napi_args.h.
#include <node_api.h>

#include <string>
#include <vector>

#include "blas.h"
#include "napi_args.h"
#include "parallel.h"

namespace {

using lrg::Args;
using lrg::numberValue;
using lrg::stringValue;
using lrg::undefinedValue;

// loadBlas(paths: string[]) -> {path: string, error: string}
napi_value LoadBlas(napi_env env, napi_callback_info info) {
  Args a(env, info);
  uint32_t n = 0;
  napi_get_array_length(env, a.argv[0], &n);
  std::vector<std::string> paths(n);
  std::vector<const char*> ptrs(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    napi_get_element(env, a.argv[0], i, &item);
    char buf[1024];
    size_t len = 0;
    napi_get_value_string_utf8(env, item, buf, sizeof(buf), &len);
    paths[i] = std::string(buf, len);
    ptrs[i] = paths[i].c_str();
  }
  std::string error;
  std::string path = lrg::loadBlas(ptrs.data(), static_cast<int>(n), error);
  napi_value out;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "path", stringValue(env, path));
  napi_set_named_property(env, out, "error", stringValue(env, path.empty() ? error : ""));
  napi_set_named_property(env, out, "config", stringValue(env, path.empty() ? "" : lrg::blasConfig()));
  return out;
}

// setThreads(n): our pool runs every parallel loop; OpenBLAS stays single-threaded inside it.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int n = a.integer(0);
  if (a.failed) return nullptr;
  lrg::setBlasThreads(1);
  lrg::setPoolThreads(n);
  return undefinedValue(env);
}

napi_value GetThreads(napi_env env, napi_callback_info info) { return numberValue(env, lrg::poolThreads()); }

// sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc)
napi_value Sgemm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t la, lb, lc;
  bool ta = a.flag(0), tb = a.flag(1);
  int M = a.integer(2), N = a.integer(3), K = a.integer(4);
  float alpha = static_cast<float>(a.num(5));
  float* A = a.f32(6, &la);
  int aOff = a.integer(7), lda = a.integer(8);
  float* B = a.f32(9, &lb);
  int bOff = a.integer(10), ldb = a.integer(11);
  float beta = static_cast<float>(a.num(12));
  float* C = a.f32(13, &lc);
  int cOff = a.integer(14), ldc = a.integer(15);
  if (a.failed) return nullptr;
  a.need(lrg::blasLoaded(), "lrgate_native: no BLAS loaded");
  a.need(static_cast<size_t>(cOff) + static_cast<size_t>(M - 1) * ldc + N <= lc, "lrgate_native: sgemm C too small");
  a.need(static_cast<size_t>(aOff) + static_cast<size_t>((ta ? K : M) - 1) * lda + (ta ? M : K) <= la,
         "lrgate_native: sgemm A too small");
  a.need(static_cast<size_t>(bOff) + static_cast<size_t>((tb ? N : K) - 1) * ldb + (tb ? K : N) <= lb,
         "lrgate_native: sgemm B too small");
  if (a.failed) return nullptr;
  lrg::parallelSgemm(ta, tb, M, N, K, alpha, A + aOff, lda, B + bOff, ldb, beta, C + cOff, ldc);
  return undefinedValue(env);
}

// batchedSgemm(batch, transA, transB, M, N, K, A, aStride, B, bStride, C): contiguous
// row-major matrices; a stride of 0 broadcasts that operand over the batch.
napi_value BatchedSgemm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t la, lb, lc;
  int batch = a.integer(0);
  bool ta = a.flag(1), tb = a.flag(2);
  int M = a.integer(3), N = a.integer(4), K = a.integer(5);
  float* A = a.f32(6, &la);
  int64_t aStride = static_cast<int64_t>(a.num(7));
  float* B = a.f32(8, &lb);
  int64_t bStride = static_cast<int64_t>(a.num(9));
  float* C = a.f32(10, &lc);
  if (a.failed) return nullptr;
  a.need(lrg::blasLoaded(), "lrgate_native: no BLAS loaded");
  a.need(static_cast<size_t>(batch) * M * N <= lc, "lrgate_native: batchedSgemm C too small");
  a.need(static_cast<size_t>((batch - 1) * aStride + static_cast<int64_t>(M) * K) <= la, "lrgate_native: A too small");
  a.need(static_cast<size_t>((batch - 1) * bStride + static_cast<int64_t>(K) * N) <= lb, "lrgate_native: B too small");
  if (a.failed) return nullptr;
  const int lda = ta ? M : K, ldb = tb ? K : N;
  if (batch == 1) {
    lrg::parallelSgemm(ta, tb, M, N, K, 1.f, A, lda, B, ldb, 0.f, C, N);
  } else {
    lrg::parallelFor(batch, [&](int64_t b0, int64_t b1, int) {
      for (int64_t i = b0; i < b1; i++)
        lrg::sgemm(ta, tb, M, N, K, 1.f, A + i * aStride, lda, B + i * bStride, ldb, 0.f, C + i * M * N, N);
    });
  }
  return undefinedValue(env);
}

napi_value Init(napi_env env, napi_value exports) {
  lrg::exportFunction(env, exports, "loadBlas", LoadBlas);
  lrg::exportFunction(env, exports, "setThreads", SetThreads);
  lrg::exportFunction(env, exports, "getThreads", GetThreads);
  lrg::exportFunction(env, exports, "sgemm", Sgemm);
  lrg::exportFunction(env, exports, "batchedSgemm", BatchedSgemm);
  lrg::exportKernelBindings(env, exports);
  lrg::exportDecoderBindings(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
