// Fused kernels of the tiny GPT's training step. Buffers are row-major float32; every kernel
// writes its outputs fully (callers may pass uninitialised memory) unless it says "accumulates".
#pragma once
#include <cstdint>

namespace lrg {

// Causal multi-head self-attention over a packed qkv [B*T, 3*D] (q | k | v, head h at h*hd).
// y [B*T, D]; probs [B*H, T, T] is kept for the backward pass.
void attentionForward(const float* qkv, float* y, float* probs, int B, int T, int H, int hd);
void attentionBackward(const float* dy, const float* qkv, const float* probs, float* dqkv, int B, int T, int H,
                       int hd);

// One head of causal attention: p [T, T] (ld T) = softmax(causal(q kᵀ · scale)), y [T, hd] (ld ldy) = p v;
// q, k, v rows at stride ld. Skips the masked upper triangle in blocks of rows. Rows of y before
// firstRow may be left unwritten (rows whose output nobody reads: a scoring window's context).
void causalAttentionHead(const float* q, const float* k, const float* v, int ld, int T, int hd, float scale, float* p,
                         float* y, int ldy, int firstRow = 0);

// Causal softmax in place on rows [firstRow, T) of a [T, T] score matrix; entries above the
// diagonal become 0.
void causalSoftmax(float* p, int T, int firstRow = 0);

// Attention over a key/value cache [B, H, C, hd] updated in place (generation): the new tokens'
// keys and values go to slots [start, start+L); sequence b attends from slot pads[b] on.
void cachedAttention(const float* qkv, float* cacheK, float* cacheV, float* y, const int32_t* pads, int B, int L,
                     int H, int hd, int C, int start);

// One query q [hd] of a new token against ctx cached keys kt (transposed, [hd][C]) and values v
// ([C][hd]) of one head: out [hd] = softmax(q kᵀ · scale) v; s [ctx] is scratch. Sums run in the
// order of the plain per-element loops.
void attendCached(const float* q, const float* kt, const float* v, int ctx, int C, int hd, float scale, float* s,
                  float* out);
// Prefetches what attendCached is about to read for one slot and head (ctx positions).
void prefetchKv(const float* kt, const float* v, int ctx, int C, int hd);

// LayerNorm over the last axis of x [N, D]; mean and rstd [N] are kept for the backward pass.
void layerNormForward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                      int N, int D, float eps);
void layerNormBackward(const float* dy, const float* x, const float* gamma, const float* mean, const float* rstd,
                       float* dx, float* dgamma, float* dbeta, int N, int D);

// GELU, tanh approximation (GPT-2).
void geluForward(const float* x, float* y, int64_t n);
void geluBackward(const float* x, const float* dy, float* dx, int64_t n);

// Column sums of dy [N, D] into out [D] (a bias gradient).
void columnSum(const float* dy, float* out, int N, int D);
// y [N, D] = x [N, D] + row [D] broadcast over rows.
void addRow(const float* x, const float* row, float* y, int N, int D);

// Mean cross-entropy of logits [N, V] against targets [N] weighted by w [N] (0 = not counted).
// Writes softmax probabilities into probs; returns the loss (sum of w*nll / sum of w).
double crossEntropyForward(const float* logits, const int32_t* targets, const float* w, float* probs, int N, int V);
// Per-row negative log-likelihood of the target under softmax(logits) (scoring, no gradient).
void tokenNll(const float* logits, const int32_t* targets, float* nll, int N, int V);
// dlogits = (probs - onehot) * w * scale, scale = dLoss / sum(w).
void crossEntropyBackward(const float* probs, const int32_t* targets, const float* w, float* dlogits, int N, int V,
                          float scale);

// out[idx[i], :] += src[i, :] (UnsortedSegmentSum's scatter-add); out [numSegments, D] must be zeroed.
void scatterAdd(const float* src, const int32_t* idx, float* out, int N, int D, int numSegments);

// Sum of squares, in double for a stable global norm.
double sumSquares(const float* x, int64_t n);

// Decoupled-weight-decay Adam, in place. g is scaled by gradScale (the clipping factor) first.
void adamwStep(float* p, const float* g, float* m, float* v, int64_t n, float lr, float beta1, float beta2,
               float eps, float weightDecay, float biasCorrection1, float biasCorrection2, float gradScale);

// Element-wise binary ops with the broadcast shapes the model uses: same shape, or b repeated
// every `inner` elements of a (b of length inner), or a scalar b.
enum BinaryOp { OpAdd = 0, OpSub = 1, OpMul = 2, OpDiv = 3 };
void binaryOp(BinaryOp op, const float* a, int64_t na, const float* b, int64_t nb, float* out, bool swap);

}  // namespace lrg
