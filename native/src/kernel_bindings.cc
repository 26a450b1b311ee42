// N-API bindings of the fused kernels (attention, layer norm, GELU, cross-entropy, scatter-add,
// AdamW, elementwise): argument unpacking only, the work is in the kernel files.
#include "kernels.h"
#include "napi_args.h"

namespace lrg {
namespace {

napi_value AttentionForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t lq, ly, lp;
  float* qkv = a.f32(0, &lq);
  float* y = a.f32(1, &ly);
  float* probs = a.f32(2, &lp);
  int B = a.integer(3), T = a.integer(4), H = a.integer(5), hd = a.integer(6);
  if (a.failed) return nullptr;
  const size_t D = static_cast<size_t>(H) * hd;
  a.need(lq >= static_cast<size_t>(B) * T * 3 * D && ly >= static_cast<size_t>(B) * T * D &&
             lp >= static_cast<size_t>(B) * H * T * T,
         "lrgate_native: attention buffers too small");
  if (a.failed) return nullptr;
  lrg::attentionForward(qkv, y, probs, B, T, H, hd);
  return undefinedValue(env);
}

napi_value AttentionBackward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t ldy, lq, lp, ld;
  float* dy = a.f32(0, &ldy);
  float* qkv = a.f32(1, &lq);
  float* probs = a.f32(2, &lp);
  float* dqkv = a.f32(3, &ld);
  int B = a.integer(4), T = a.integer(5), H = a.integer(6), hd = a.integer(7);
  if (a.failed) return nullptr;
  const size_t D = static_cast<size_t>(H) * hd;
  a.need(ldy >= static_cast<size_t>(B) * T * D && lq >= static_cast<size_t>(B) * T * 3 * D &&
             ld >= static_cast<size_t>(B) * T * 3 * D && lp >= static_cast<size_t>(B) * H * T * T,
         "lrgate_native: attention buffers too small");
  if (a.failed) return nullptr;
  lrg::attentionBackward(dy, qkv, probs, dqkv, B, T, H, hd);
  return undefinedValue(env);
}

// cachedAttention(qkv, cacheK, cacheV, y, pads, B, L, H, hd, C, start)
napi_value CachedAttention(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t lq, lk, lv, ly, lp;
  float* qkv = a.f32(0, &lq);
  float* k = a.f32(1, &lk);
  float* v = a.f32(2, &lv);
  float* y = a.f32(3, &ly);
  int32_t* pads = a.i32(4, &lp);
  int B = a.integer(5), L = a.integer(6), H = a.integer(7), hd = a.integer(8), C = a.integer(9), start = a.integer(10);
  if (a.failed) return nullptr;
  const size_t D = static_cast<size_t>(H) * hd;
  a.need(start >= 0 && start + L <= C && lp >= static_cast<size_t>(B), "lrgate_native: cachedAttention slots out of range");
  a.need(lq >= static_cast<size_t>(B) * L * 3 * D && ly >= static_cast<size_t>(B) * L * D &&
             lk >= static_cast<size_t>(B) * H * C * hd && lv >= lk,
         "lrgate_native: cachedAttention buffers too small");
  for (int b = 0; b < B && !a.failed; b++) a.need(pads[b] >= 0 && pads[b] < start + L, "lrgate_native: cachedAttention pad covers every slot");
  if (a.failed) return nullptr;
  lrg::cachedAttention(qkv, k, v, y, pads, B, L, H, static_cast<int>(hd), C, start);
  return undefinedValue(env);
}

napi_value LayerNormForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t lx, lg, lb, ly, lm, lr;
  float* x = a.f32(0, &lx);
  float* g = a.f32(1, &lg);
  float* b = a.f32(2, &lb);
  float* y = a.f32(3, &ly);
  float* mean = a.f32(4, &lm);
  float* rstd = a.f32(5, &lr);
  int N = a.integer(6), D = a.integer(7);
  float eps = static_cast<float>(a.num(8));
  if (a.failed) return nullptr;
  a.need(lx >= static_cast<size_t>(N) * D && ly >= lx && lg >= static_cast<size_t>(D) && lb >= lg &&
             lm >= static_cast<size_t>(N) && lr >= lm,
         "lrgate_native: layerNorm buffers too small");
  if (a.failed) return nullptr;
  lrg::layerNormForward(x, g, b, y, mean, rstd, N, D, eps);
  return undefinedValue(env);
}

napi_value LayerNormBackward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t l[8];
  float* dy = a.f32(0, &l[0]);
  float* x = a.f32(1, &l[1]);
  float* g = a.f32(2, &l[2]);
  float* mean = a.f32(3, &l[3]);
  float* rstd = a.f32(4, &l[4]);
  float* dx = a.f32(5, &l[5]);
  float* dg = a.f32(6, &l[6]);
  float* db = a.f32(7, &l[7]);
  int N = a.integer(8), D = a.integer(9);
  if (a.failed) return nullptr;
  const size_t nd = static_cast<size_t>(N) * D;
  a.need(l[0] >= nd && l[1] >= nd && l[5] >= nd && l[2] >= static_cast<size_t>(D) &&
             l[6] >= static_cast<size_t>(D) && l[7] >= static_cast<size_t>(D) && l[3] >= static_cast<size_t>(N) &&
             l[4] >= static_cast<size_t>(N),
         "lrgate_native: layerNorm grad buffers too small");
  if (a.failed) return nullptr;
  lrg::layerNormBackward(dy, x, g, mean, rstd, dx, dg, db, N, D);
  return undefinedValue(env);
}

napi_value GeluForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t lx, ly;
  float* x = a.f32(0, &lx);
  float* y = a.f32(1, &ly);
  if (a.failed) return nullptr;
  a.need(ly >= lx, "lrgate_native: gelu output too small");
  if (a.failed) return nullptr;
  lrg::geluForward(x, y, static_cast<int64_t>(lx));
  return undefinedValue(env);
}

napi_value GeluBackward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t lx, ldy, ldx;
  float* x = a.f32(0, &lx);
  float* dy = a.f32(1, &ldy);
  float* dx = a.f32(2, &ldx);
  if (a.failed) return nullptr;
  a.need(ldy >= lx && ldx >= lx, "lrgate_native: gelu grad buffers too small");
  if (a.failed) return nullptr;
  lrg::geluBackward(x, dy, dx, static_cast<int64_t>(lx));
  return undefinedValue(env);
}

napi_value ColumnSum(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t ld, lo;
  float* dy = a.f32(0, &ld);
  float* out = a.f32(1, &lo);
  int N = a.integer(2), D = a.integer(3);
  if (a.failed) return nullptr;
  a.need(ld >= static_cast<size_t>(N) * D && lo >= static_cast<size_t>(D), "lrgate_native: columnSum buffers");
  if (a.failed) return nullptr;
  lrg::columnSum(dy, out, N, D);
  return undefinedValue(env);
}

napi_value AddRow(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t lx, lr, ly;
  float* x = a.f32(0, &lx);
  float* row = a.f32(1, &lr);
  float* y = a.f32(2, &ly);
  int N = a.integer(3), D = a.integer(4);
  if (a.failed) return nullptr;
  a.need(lx >= static_cast<size_t>(N) * D && ly >= lx && lr >= static_cast<size_t>(D), "lrgate_native: addRow buffers");
  if (a.failed) return nullptr;
  lrg::addRow(x, row, y, N, D);
  return undefinedValue(env);
}

napi_value CrossEntropyForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t ll, lt, lw, lp;
  float* logits = a.f32(0, &ll);
  int32_t* targets = a.i32(1, &lt);
  float* w = a.f32(2, &lw);
  float* probs = a.f32(3, &lp);
  int N = a.integer(4), V = a.integer(5);
  if (a.failed) return nullptr;
  a.need(ll >= static_cast<size_t>(N) * V && lp >= ll && lt >= static_cast<size_t>(N) && lw >= lt,
         "lrgate_native: crossEntropy buffers");
  for (int i = 0; i < N && !a.failed; i++) a.need(targets[i] >= 0 && targets[i] < V, "lrgate_native: target out of range");
  if (a.failed) return nullptr;
  return numberValue(env, lrg::crossEntropyForward(logits, targets, w, probs, N, V));
}

napi_value TokenNll(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t ll, lt, ln;
  float* logits = a.f32(0, &ll);
  int32_t* targets = a.i32(1, &lt);
  float* nll = a.f32(2, &ln);
  int N = a.integer(3), V = a.integer(4);
  if (a.failed) return nullptr;
  a.need(ll >= static_cast<size_t>(N) * V && lt >= static_cast<size_t>(N) && ln >= lt, "lrgate_native: tokenNll buffers");
  for (int i = 0; i < N && !a.failed; i++) a.need(targets[i] >= 0 && targets[i] < V, "lrgate_native: target out of range");
  if (a.failed) return nullptr;
  lrg::tokenNll(logits, targets, nll, N, V);
  return undefinedValue(env);
}

napi_value CrossEntropyBackward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t lp, lt, lw, ld;
  float* probs = a.f32(0, &lp);
  int32_t* targets = a.i32(1, &lt);
  float* w = a.f32(2, &lw);
  float* dlogits = a.f32(3, &ld);
  int N = a.integer(4), V = a.integer(5);
  float scale = static_cast<float>(a.num(6));
  if (a.failed) return nullptr;
  a.need(lp >= static_cast<size_t>(N) * V && ld >= lp && lt >= static_cast<size_t>(N) && lw >= lt,
         "lrgate_native: crossEntropy grad buffers");
  for (int i = 0; i < N && !a.failed; i++) a.need(targets[i] >= 0 && targets[i] < V, "lrgate_native: target out of range");
  if (a.failed) return nullptr;
  lrg::crossEntropyBackward(probs, targets, w, dlogits, N, V, scale);
  return undefinedValue(env);
}

napi_value ScatterAdd(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t ls, li, lo;
  float* src = a.f32(0, &ls);
  int32_t* idx = a.i32(1, &li);
  float* out = a.f32(2, &lo);
  int N = a.integer(3), D = a.integer(4), S = a.integer(5);
  if (a.failed) return nullptr;
  a.need(ls >= static_cast<size_t>(N) * D && li >= static_cast<size_t>(N) && lo >= static_cast<size_t>(S) * D,
         "lrgate_native: scatterAdd buffers");
  if (a.failed) return nullptr;
  lrg::scatterAdd(src, idx, out, N, D, S);
  return undefinedValue(env);
}

napi_value SumSquares(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t n;
  float* x = a.f32(0, &n);
  if (a.failed) return nullptr;
  return numberValue(env, lrg::sumSquares(x, static_cast<int64_t>(n)));
}

// adamwStep(p, g, m, v, lr, beta1, beta2, eps, weightDecay, bc1, bc2, gradScale)
napi_value AdamwStep(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t lp, lg, lm, lv;
  float* p = a.f32(0, &lp);
  float* g = a.f32(1, &lg);
  float* m = a.f32(2, &lm);
  float* v = a.f32(3, &lv);
  float lr = a.num(4), b1 = a.num(5), b2 = a.num(6), eps = a.num(7), wd = a.num(8), bc1 = a.num(9), bc2 = a.num(10),
        scale = a.num(11);
  if (a.failed) return nullptr;
  a.need(lg >= lp && lm >= lp && lv >= lp, "lrgate_native: adamw buffers");
  if (a.failed) return nullptr;
  lrg::adamwStep(p, g, m, v, static_cast<int64_t>(lp), lr, b1, b2, eps, wd, bc1, bc2, scale);
  return undefinedValue(env);
}

// binaryOp(op, a, b, out, swap): b's length divides a's (same shape, trailing broadcast or scalar).
napi_value BinaryOpFn(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t la, lb, lo;
  int op = a.integer(0);
  float* x = a.f32(1, &la);
  float* y = a.f32(2, &lb);
  float* out = a.f32(3, &lo);
  bool swap = a.flag(4);
  if (a.failed) return nullptr;
  a.need(op >= 0 && op <= 3 && lb > 0 && la % lb == 0 && lo >= la, "lrgate_native: binaryOp shapes");
  if (a.failed) return nullptr;
  lrg::binaryOp(static_cast<lrg::BinaryOp>(op), x, static_cast<int64_t>(la), y, static_cast<int64_t>(lb), out, swap);
  return undefinedValue(env);
}

}  // namespace

void exportKernelBindings(napi_env env, napi_value exports) {
  struct Fn {
    const char* name;
    napi_callback cb;
  } fns[] = {
      {"attentionForward", AttentionForward},
      {"attentionBackward", AttentionBackward},
      {"cachedAttention", CachedAttention},
      {"layerNormForward", LayerNormForward},
      {"layerNormBackward", LayerNormBackward},
      {"geluForward", GeluForward},
      {"geluBackward", GeluBackward},
      {"columnSum", ColumnSum},
      {"addRow", AddRow},
      {"crossEntropyForward", CrossEntropyForward},
      {"crossEntropyBackward", CrossEntropyBackward},
      {"tokenNll", TokenNll},
      {"scatterAdd", ScatterAdd},
      {"sumSquares", SumSquares},
      {"adamwStep", AdamwStep},
      {"binaryOp", BinaryOpFn},
  };
  for (const auto& f : fns) exportFunction(env, exports, f.name, f.cb);
}

}  // namespace lrg
