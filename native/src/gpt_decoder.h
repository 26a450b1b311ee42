// The whole tiny GPT's forward pass in one native call, for evaluation: generation over a
// key/value cache and scoring (per-token NLL). Same layout and arithmetic as the training
// kernels (src/model/gpt.ts): token + position embeddings, pre-norm blocks (LayerNorm, causal
// self-attention, GELU MLP), final LayerNorm, tied or separate output head.
#pragma once
#include <cstdint>
#include <vector>

namespace lrg {

struct GptShape {
  int vocab, context, dModel, layers, heads;
  bool tiedHead;
  int64_t parameterCount() const;
};

// One packed sequence: rows [row, row+length) of the call's tokens, cache slot (or -1 when the
// call has no cache), position of its first row. With a cache the sequence attends to the
// slot's positions [0, position+i]; without one to its own rows only (position must be 0).
struct Sequence {
  int32_t row, length, slot, position;
};

// Keys and values of `slots` sequences for every layer. Keys are stored transposed per head
// ([hd][context]) so one query's scores are a loop over contiguous keys.
struct KvCache {
  int slots = 0;
  int64_t perLayer = 0;  // floats per layer of k (and of v): slots * context * dModel
  std::vector<float> k, v;
};

class GptDecoder {
 public:
  // weights: every parameter in parameterShapes order (src/model/gpt.ts), copied.
  GptDecoder(const GptShape& shape, const float* weights);
  const GptShape& shape() const { return shape_; }

  KvCache* newCache(int slots) const;

  // Runs the packed rows; writes K/V into `cache` (may be null, see Sequence) and the logits of
  // each sequence's last row into logits [nseq, vocab].
  void lastLogits(const int32_t* tokens, const Sequence* seqs, int nseq, KvCache* cache, float* logits);
  // lastLogits with the logits of row pick[i] (one of sequence i's rows) instead of its last, and the
  // negative log-likelihood (nats) of targets [rows] after every row into nll [rows]: one pass reads a
  // prompt with its reference, scoring the reference and starting generation from the prompt's end.
  void forwardNll(const int32_t* tokens, const Sequence* seqs, int nseq, KvCache* cache, const int32_t* pick,
                  float* logits, const int32_t* targets, float* nll);
  // No cache: per-row negative log-likelihood (nats) of targets [rows] into nll [rows].
  void rowNll(const int32_t* tokens, const Sequence* seqs, int nseq, const int32_t* targets, float* nll);

 private:
  struct Layer {
    const float *ln1g, *ln1b, *wqkv, *bqkv, *wo, *bo, *ln2g, *ln2b, *w1, *b1, *w2, *b2;
  };
  GptShape shape_;
  std::vector<float> weights_;
  const float *wte_, *wpe_, *lnfg_, *lnfb_, *headW_;
  std::vector<Layer> layers_;
  // scratch, grown on demand (JS calls one at a time)
  std::vector<float> x_, h_, qkv_, att_, tmp_, mlp_, stats_, last_, scores_;

  // x [rows, D] after the blocks (before the final LayerNorm)
  void blocks(const int32_t* tokens, int rows, const Sequence* seqs, int nseq, KvCache* cache);
  void attention(int layer, const Sequence* seqs, int nseq, KvCache* cache);
  void head(const float* x, int rows, float* logits);
};

}  // namespace lrg
