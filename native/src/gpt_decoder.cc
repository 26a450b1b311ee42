#include "gpt_decoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>

#include "blas.h"
#include "fast_math.h"
#include "kernels.h"
#include "parallel.h"

namespace lrg {

namespace {

constexpr float kLayerNormEps = 1e-5f;  // LAYER_NORM_EPS of src/model/ops/layer-norm.ts

template <typename T>
T* grow(std::vector<T>& v, int64_t n) {
  if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
  return v.data();
}

// y [rows, dout] = x [rows, din] · w [din, dout] + b: the training kernel's order (sgemm, then bias).
void linear(const float* x, const float* w, const float* b, float* y, int rows, int din, int dout) {
  parallelSgemm(false, false, rows, dout, din, 1.f, x, din, w, dout, 0.f, y, dout);
  addRow(y, b, y, rows, dout);
}

LRG_SIMD void addInPlace(float* x, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) x[i] = x[i] + y[i];
}

}  // namespace

int64_t GptShape::parameterCount() const {
  const int64_t D = dModel;
  int64_t n = static_cast<int64_t>(vocab) * D + static_cast<int64_t>(context) * D;
  n += layers * (2 * D + D * 3 * D + 3 * D + D * D + D + 2 * D + D * 4 * D + 4 * D + 4 * D * D + D);
  n += 2 * D;
  if (!tiedHead) n += D * vocab;
  return n;
}

GptDecoder::GptDecoder(const GptShape& shape, const float* weights)
    : shape_(shape), weights_(weights, weights + shape.parameterCount()) {
  const int64_t D = shape.dModel;
  const float* p = weights_.data();
  auto take = [&p](int64_t n) {
    const float* at = p;
    p += n;
    return at;
  };
  wte_ = take(static_cast<int64_t>(shape.vocab) * D);
  wpe_ = take(static_cast<int64_t>(shape.context) * D);
  for (int l = 0; l < shape.layers; l++) {
    Layer L;
    L.ln1g = take(D);
    L.ln1b = take(D);
    L.wqkv = take(D * 3 * D);
    L.bqkv = take(3 * D);
    L.wo = take(D * D);
    L.bo = take(D);
    L.ln2g = take(D);
    L.ln2b = take(D);
    L.w1 = take(D * 4 * D);
    L.b1 = take(4 * D);
    L.w2 = take(4 * D * D);
    L.b2 = take(D);
    layers_.push_back(L);
  }
  lnfg_ = take(D);
  lnfb_ = take(D);
  headW_ = shape.tiedHead ? nullptr : take(D * shape.vocab);
}

KvCache* GptDecoder::newCache(int slots) const {
  auto* cache = new KvCache();
  cache->slots = slots;
  cache->perLayer = static_cast<int64_t>(slots) * shape_.context * shape_.dModel;
  cache->k.assign(static_cast<size_t>(cache->perLayer * shape_.layers), 0.f);
  cache->v.assign(static_cast<size_t>(cache->perLayer * shape_.layers), 0.f);
  return cache;
}

void GptDecoder::attention(int layer, const Sequence* seqs, int nseq, KvCache* cache, const int32_t* need) {
  const int D = shape_.dModel, H = shape_.heads, hd = D / H, C = shape_.context, ld = 3 * D;
  const float scale = 1.f / std::sqrt(static_cast<float>(hd));
  const float* qkv = qkv_.data();
  float* y = att_.data();
  float* kBase = cache ? cache->k.data() + layer * cache->perLayer : nullptr;
  float* vBase = cache ? cache->v.data() + layer * cache->perLayer : nullptr;
  // slot s, head h: keys [hd][C] at kBase + (s*H + h)*hd*C, values [C][hd] at vBase + (s*H + h)*C*hd.
  // Sequence i's new keys and values go into its slot by the thread that then attends for it.
  auto store = [&](int i) {
    if (!cache) return;
    const Sequence& s = seqs[i];
    for (int r = 0; r < s.length; r++) {
      const float* row = qkv + static_cast<int64_t>(s.row + r) * ld;
      const int pos = s.position + r;
      for (int h = 0; h < H; h++) {
        float* kt = kBase + (static_cast<int64_t>(s.slot) * H + h) * hd * C;
        float* v = vBase + (static_cast<int64_t>(s.slot) * H + h) * C * hd + static_cast<int64_t>(pos) * hd;
        for (int d = 0; d < hd; d++) kt[static_cast<int64_t>(d) * C + pos] = row[D + h * hd + d];
        std::memcpy(v, row + 2 * D + h * hd, sizeof(float) * hd);
      }
    }
  };
  // Work of the whole call, to keep small steps (batch 1 decode) on one thread.
  int64_t work = 0;
  for (int i = 0; i < nseq; i++) work += static_cast<int64_t>(seqs[i].length) * (seqs[i].position + seqs[i].length);
  work *= static_cast<int64_t>(H) * hd * 4;
  const int64_t tasks = static_cast<int64_t>(nseq) * H;
  const int threads = poolThreads();
  // A sequence read in whole from position 0 attends to its own rows only: blocked matrix products
  // (causalAttentionHead, as for scoring) instead of one query at a time; it needs a T x T scratch.
  auto readsWhole = [cache](const Sequence& sq) { return !cache || (sq.position == 0 && sq.length > 1); };
  bool whole = false;
  for (int i = 0; i < nseq && !whole; i++) whole = readsWhole(seqs[i]);
  const int64_t perThread = whole ? static_cast<int64_t>(C) * C : static_cast<int64_t>(C);
  float* scratch = grow(scores_, perThread * threads);
  // Task = one head of one sequence; a cached one prefetches the next head's keys and values.
  auto runTask = [&](int64_t task, float* s, bool prefetchNext) {
    const Sequence& sq = seqs[task / H];
    const int h = static_cast<int>(task % H);
    if (!readsWhole(sq)) {
      const float* kt = kBase + (static_cast<int64_t>(sq.slot) * H + h) * hd * C;
      const float* v = vBase + (static_cast<int64_t>(sq.slot) * H + h) * C * hd;
      if (prefetchNext) {
        const Sequence& nx = seqs[(task + 1) / H];
        const int nh = static_cast<int>((task + 1) % H);
        if (!readsWhole(nx))
          prefetchKv(kBase + (static_cast<int64_t>(nx.slot) * H + nh) * hd * C,
                     vBase + (static_cast<int64_t>(nx.slot) * H + nh) * C * hd, nx.position + nx.length, C, hd);
      }
      for (int r = need ? need[task / H] : 0; r < sq.length; r++) {
        const int64_t row = sq.row + r;
        const float* qr = qkv + row * ld + h * hd;
        float* yr = y + row * D + h * hd;
        const int ctx = sq.position + r + 1;
        attendCached(qr, kt, v, ctx, C, hd, scale, s, yr);
      }
    } else {
      // S = QKᵀ/√hd → causal softmax → Y_h = P V, as attentionForward does for training.
      const int T = sq.length;
      const float* base = qkv + static_cast<int64_t>(sq.row) * ld;
      causalAttentionHead(base + h * hd, base + D + h * hd, base + 2 * D + h * hd, ld, T, hd, scale, s,
                          y + static_cast<int64_t>(sq.row) * D + h * hd, D, need ? need[task / H] : 0);
    }
  };
  if (work < (1 << 20)) {
    for (int i = 0; i < nseq; i++) store(i);
    for (int64_t task = 0; task < tasks; task++) runTask(task, scratch, task + 1 < tasks);
    return;
  }
  if (nseq < threads) {
    // fewer sequences than threads (one long prompt or window): split by heads
    for (int i = 0; i < nseq; i++) store(i);
    parallelForDynamic(tasks, [&](int64_t task, int t) { runTask(task, scratch + perThread * t, false); });
    return;
  }
  // Sequences differ in length (a prompt read in beside single tokens, contexts of every size), so
  // threads take the next sequence as they finish one instead of a fixed half each.
  parallelForDynamic(nseq, [&](int64_t i, int t) {
    float* s = scratch + perThread * t;
    store(static_cast<int>(i));
    for (int h = 0; h < H; h++) runTask(i * H + h, s, h + 1 < H);
  });
}

int GptDecoder::blocks(const int32_t* tokens, int rows, const Sequence* seqs, int nseq, KvCache* cache,
                       const int32_t* need) {
  const int D = shape_.dModel;
  const int64_t N = rows;
  float* x = grow(x_, N * D);
  float* h = grow(h_, N * D);
  grow(qkv_, N * 3 * D);
  grow(att_, N * D);
  float* tmp = grow(tmp_, N * D);
  float* mlp = grow(mlp_, N * 4 * D);
  float* stats = grow(stats_, 2 * N);
  for (int i = 0; i < nseq; i++) {
    const Sequence& s = seqs[i];
    for (int r = 0; r < s.length; r++) {
      const int64_t row = s.row + r;
      const float* te = wte_ + static_cast<int64_t>(tokens[row]) * D;
      const float* pe = wpe_ + static_cast<int64_t>(s.position + r) * D;
      float* xr = x + row * D;
      for (int j = 0; j < D; j++) xr[j] = te[j] + pe[j];
    }
  }
  int n = rows;  // rows still carried (all but in the last layer)
  for (int l = 0; l < shape_.layers; l++) {
    const Layer& L = layers_[l];
    const bool last = l == shape_.layers - 1;
    layerNormForward(x, L.ln1g, L.ln1b, h, stats, stats + N, n, D, kLayerNormEps);
    linear(h, L.wqkv, L.bqkv, qkv_.data(), n, D, 3 * D);
    attention(l, seqs, nseq, cache, last ? need : nullptr);
    if (last && need) n = keepNeeded(seqs, nseq, need);
    linear(att_.data(), L.wo, L.bo, tmp, n, D, D);
    addInPlace(x, tmp, static_cast<int64_t>(n) * D);
    layerNormForward(x, L.ln2g, L.ln2b, h, stats, stats + N, n, D, kLayerNormEps);
    linear(h, L.w1, L.b1, mlp, n, D, 4 * D);
    geluForward(mlp, mlp, static_cast<int64_t>(n) * 4 * D);
    linear(mlp, L.w2, L.b2, tmp, n, 4 * D, D);
    addInPlace(x, tmp, static_cast<int64_t>(n) * D);
  }
  return n;
}

int GptDecoder::keepNeeded(const Sequence* seqs, int nseq, const int32_t* need) {
  const int D = shape_.dModel;
  keep_.clear();
  for (int i = 0; i < nseq; i++)
    for (int r = need[i]; r < seqs[i].length; r++) keep_.push_back(seqs[i].row + r);
  const int n = static_cast<int>(keep_.size());
  // gather through h (free until the next LayerNorm): sequences need not be in row order
  float* h = h_.data();
  for (float* rowsOf : {x_.data(), att_.data()}) {
    for (int k = 0; k < n; k++)
      std::memcpy(h + static_cast<int64_t>(k) * D, rowsOf + static_cast<int64_t>(keep_[k]) * D, sizeof(float) * D);
    std::memcpy(rowsOf, h, sizeof(float) * n * D);
  }
  return n;
}

void GptDecoder::head(const float* x, int rows, float* logits) {
  const int D = shape_.dModel, V = shape_.vocab;
  float* h = grow(h_, static_cast<int64_t>(rows) * D);
  float* stats = grow(stats_, 2 * static_cast<int64_t>(rows));
  layerNormForward(x, lnfg_, lnfb_, h, stats, stats + rows, rows, D, kLayerNormEps);
  if (shape_.tiedHead) {
    parallelSgemm(false, true, rows, V, D, 1.f, h, D, wte_, D, 0.f, logits, V);
  } else {
    parallelSgemm(false, false, rows, V, D, 1.f, h, D, headW_, V, 0.f, logits, V);
  }
}

void GptDecoder::lastLogits(const int32_t* tokens, const Sequence* seqs, int nseq, KvCache* cache, float* logits) {
  int rows = 0;
  int32_t* need = grow(need_, nseq);
  for (int i = 0; i < nseq; i++) {
    rows = std::max(rows, seqs[i].row + seqs[i].length);
    need[i] = seqs[i].length - 1;
  }
  // the last layer carries each sequence's last row only, in sequence order
  blocks(tokens, rows, seqs, nseq, cache, need);
  head(x_.data(), nseq, logits);
}

void GptDecoder::forwardNll(const int32_t* tokens, const Sequence* seqs, int nseq, KvCache* cache, const int32_t* pick,
                            float* logits, const int32_t* targets, float* nll) {
  int rows = 0;
  int32_t* need = grow(need_, nseq);
  for (int i = 0; i < nseq; i++) {
    rows = std::max(rows, seqs[i].row + seqs[i].length);
    need[i] = pick[i] - seqs[i].row;
  }
  const int n = blocks(tokens, rows, seqs, nseq, cache, need);
  const int V = shape_.vocab;
  float* all = grow(mlp_, static_cast<int64_t>(n) * std::max(4 * shape_.dModel, V));
  head(x_.data(), n, all);
  scoreKept(all, n, rows, targets, nll);
  for (int i = 0, k = 0; i < nseq; k += seqs[i].length - need[i], i++)
    std::memcpy(logits + static_cast<int64_t>(i) * V, all + static_cast<int64_t>(k) * V, sizeof(float) * V);
}

void GptDecoder::rowNll(const int32_t* tokens, const Sequence* seqs, int nseq, const int32_t* targets, float* nll,
                        const int32_t* from) {
  int rows = 0;
  for (int i = 0; i < nseq; i++) rows = std::max(rows, seqs[i].row + seqs[i].length);
  const int n = blocks(tokens, rows, seqs, nseq, nullptr, from);
  // logits reuse the MLP buffer (4·D ≥ vocab is not guaranteed, so grow it)
  float* logits = grow(mlp_, static_cast<int64_t>(n) * std::max(4 * shape_.dModel, shape_.vocab));
  head(x_.data(), n, logits);
  if (from) scoreKept(logits, n, rows, targets, nll);
  else tokenNll(logits, targets, nll, rows, shape_.vocab);
}

void GptDecoder::scoreKept(const float* logits, int n, int rows, const int32_t* targets, float* nll) {
  int32_t* kt = grow(keptTargets_, n);
  float* kn = grow(keptNll_, n);
  for (int k = 0; k < n; k++) kt[k] = targets[keep_[k]];
  tokenNll(logits, kt, kn, n, shape_.vocab);
  std::fill(nll, nll + rows, 0.f);
  for (int k = 0; k < n; k++) nll[keep_[k]] = kn[k];
}

}  // namespace lrg
