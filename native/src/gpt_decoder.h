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
// slot's positions [0, position+i]; without one to its own rows only (position must be 0). The
// sequences of one call cover disjoint rows and (with a cache) distinct slots; the bindings check.
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
  // negative log-likelihood (nats) of targets [rows] after every row from pick[i] on into nll [rows]
  // (earlier rows get 0): one pass reads a prompt with its reference, scoring the reference and
  // starting generation from the prompt's end.
  void forwardNll(const int32_t* tokens, const Sequence* seqs, int nseq, KvCache* cache, const int32_t* pick,
                  float* logits, const int32_t* targets, float* nll);
  // No cache: per-row negative log-likelihood (nats) of targets [rows] into nll [rows]. With
  // `from` (per sequence, may be null) only rows from from[i] on are scored, the others get 0: the
  // last layer skips rows that are context only (a sliding window's first half).
  void rowNll(const int32_t* tokens, const Sequence* seqs, int nseq, const int32_t* targets, float* nll,
              const int32_t* from = nullptr);

 private:
  struct Layer {
    const float *ln1g, *ln1b, *wqkv, *bqkv, *wo, *bo, *ln2g, *ln2b, *w1, *b1, *w2, *b2;
  };
  GptShape shape_;
  std::vector<float> weights_;
  const float *wte_, *wpe_, *lnfg_, *lnfb_, *headW_;
  std::vector<Layer> layers_;
  // scratch, grown on demand (JS calls one at a time)
  std::vector<float> x_, h_, qkv_, att_, tmp_, mlp_, stats_, scores_, keptNll_;
  std::vector<int32_t> need_, keptTargets_, keep_;

  // x [n, D] after the blocks (before the final LayerNorm); returns n. Without `need` n = rows. With
  // it (per sequence, the first row whose output is read) the last layer carries only rows from
  // need[i] on, compacted in sequence order (keep_ holds their rows): earlier rows feed the
  // layer's keys and values only, so their attention, MLP and head are skipped.
  int blocks(const int32_t* tokens, int rows, const Sequence* seqs, int nseq, KvCache* cache,
             const int32_t* need = nullptr);
  int keepNeeded(const Sequence* seqs, int nseq, const int32_t* need);
  // Causal attention of every sequence into att_ (writing its new keys and values into the cache
  // first); with `need`, rows of sequence i before need[i] are neither computed nor written.
  void attention(int layer, const Sequence* seqs, int nseq, KvCache* cache, const int32_t* need);
  // NLL of the kept rows' targets from their logits [n, vocab], into nll [rows] (0 elsewhere).
  void scoreKept(const float* logits, int n, int rows, const int32_t* targets, float* nll);
  void head(const float* x, int rows, float* logits);
};

}  // namespace lrg
