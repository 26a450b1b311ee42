// N-API bindings of the evaluation decoder (gpt_decoder.h): a decoder and its key/value caches
// are external handles, freed explicitly (decoderFree / kvCacheFree) or when collected.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "gpt_decoder.h"
#include "napi_args.h"

namespace lrg {
namespace {

template <typename T>
struct Holder {
  T* ptr = nullptr;
  GptShape shape{};  // of the decoder a cache was made for
};

template <typename T>
void finalizeHolder(napi_env, void* data, void*) {
  auto* holder = static_cast<Holder<T>*>(data);
  delete holder->ptr;
  delete holder;
}

template <typename T>
Holder<T>* holderOf(Args& a, size_t i) {
  void* data = nullptr;
  if (i >= a.argc || napi_get_value_external(a.env, a.argv[i], &data) != napi_ok || data == nullptr) {
    a.fail("lrgate_native: expected a decoder or cache handle");
    return nullptr;
  }
  auto* holder = static_cast<Holder<T>*>(data);
  if (holder->ptr == nullptr) a.fail("lrgate_native: the decoder or cache was already freed");
  return holder;
}

template <typename T>
napi_value wrap(napi_env env, Holder<T>* holder) {
  napi_value out;
  napi_create_external(env, holder, finalizeHolder<T>, nullptr, &out);
  return out;
}

bool isNull(Args& a, size_t i) {
  napi_valuetype type;
  return i >= a.argc || (napi_typeof(a.env, a.argv[i], &type) == napi_ok && (type == napi_null || type == napi_undefined));
}

// Checks packed sequences [nseq × (row, length, slot, position)] against the tokens and shape.
const Sequence* sequences(Args& a, size_t i, int nseq, size_t tokens, const int32_t* ids, const GptShape& shape,
                          int slots) {
  size_t len = 0;
  const int32_t* raw = a.i32(i, &len);
  if (a.failed) return nullptr;
  a.need(nseq >= 0 && len >= static_cast<size_t>(nseq) * 4, "lrgate_native: sequences array too small");
  for (int s = 0; s < nseq && !a.failed; s++) {
    const int32_t row = raw[4 * s], length = raw[4 * s + 1], slot = raw[4 * s + 2], position = raw[4 * s + 3];
    a.need(row >= 0 && length >= 1 && static_cast<size_t>(row) + length <= tokens, "lrgate_native: sequence rows out of range");
    a.need(position >= 0 && position + length <= shape.context, "lrgate_native: sequence runs past the context length");
    a.need(slots < 0 ? (slot == -1 && position == 0) : (slot >= 0 && slot < slots), "lrgate_native: sequence slot out of range");
  }
  if (a.failed) return nullptr;
  // The decoder compacts and writes rows per sequence, and fills a slot's cache on the thread that
  // attends for it: sequences must not share rows, and a slot takes one sequence per call.
  std::vector<std::pair<int32_t, int32_t>> spans;
  for (int s = 0; s < nseq; s++) spans.emplace_back(raw[4 * s], raw[4 * s + 1]);
  std::sort(spans.begin(), spans.end());
  for (size_t s = 1; s < spans.size() && !a.failed; s++)
    a.need(spans[s - 1].first + spans[s - 1].second <= spans[s].first, "lrgate_native: sequences share rows");
  if (slots > 0) {
    std::vector<bool> taken(static_cast<size_t>(slots), false);
    for (int s = 0; s < nseq && !a.failed; s++) {
      a.need(!taken[raw[4 * s + 2]], "lrgate_native: two sequences in one cache slot");
      taken[raw[4 * s + 2]] = true;
    }
  }
  for (size_t t = 0; t < tokens && !a.failed; t++) a.need(ids[t] >= 0 && ids[t] < shape.vocab, "lrgate_native: token id out of range");
  return reinterpret_cast<const Sequence*>(raw);
}

// decoderCreate(shape Int32Array [vocab, context, dModel, layers, heads, tiedHead], weights Float32Array)
napi_value DecoderCreate(napi_env env, napi_callback_info info) {
  Args a(env, info);
  size_t ls, lw;
  const int32_t* s = a.i32(0, &ls);
  const float* w = a.f32(1, &lw);
  if (a.failed) return nullptr;
  a.need(ls >= 6, "lrgate_native: decoder shape needs 6 numbers");
  if (a.failed) return nullptr;
  GptShape shape{s[0], s[1], s[2], s[3], s[4], s[5] != 0};
  a.need(shape.vocab > 0 && shape.context > 0 && shape.dModel > 0 && shape.layers > 0 && shape.heads > 0 &&
             shape.dModel % shape.heads == 0,
         "lrgate_native: bad decoder shape");
  if (a.failed) return nullptr;
  a.need(lw == static_cast<size_t>(shape.parameterCount()), "lrgate_native: weights do not match the decoder shape");
  if (a.failed) return nullptr;
  auto* holder = new Holder<GptDecoder>();
  holder->ptr = new GptDecoder(shape, w);
  holder->shape = shape;
  return wrap(env, holder);
}

napi_value DecoderFree(napi_env env, napi_callback_info info) {
  Args a(env, info);
  auto* holder = holderOf<GptDecoder>(a, 0);
  if (a.failed) return nullptr;
  delete holder->ptr;
  holder->ptr = nullptr;
  return undefinedValue(env);
}

// kvCacheCreate(decoder, slots)
napi_value KvCacheCreate(napi_env env, napi_callback_info info) {
  Args a(env, info);
  auto* decoder = holderOf<GptDecoder>(a, 0);
  const int slots = a.integer(1);
  if (a.failed) return nullptr;
  a.need(slots >= 1, "lrgate_native: a cache needs at least one slot");
  if (a.failed) return nullptr;
  auto* holder = new Holder<KvCache>();
  holder->ptr = decoder->ptr->newCache(slots);
  holder->shape = decoder->shape;
  return wrap(env, holder);
}

napi_value KvCacheFree(napi_env env, napi_callback_info info) {
  Args a(env, info);
  auto* holder = holderOf<KvCache>(a, 0);
  if (a.failed) return nullptr;
  delete holder->ptr;
  holder->ptr = nullptr;
  return undefinedValue(env);
}

bool sameShape(const GptShape& x, const GptShape& y) {
  return x.vocab == y.vocab && x.context == y.context && x.dModel == y.dModel && x.layers == y.layers &&
         x.heads == y.heads;
}

// decoderLastLogits(decoder, cache, tokens Int32Array, seqs Int32Array, nseq, logits Float32Array [nseq·vocab])
napi_value DecoderLastLogits(napi_env env, napi_callback_info info) {
  Args a(env, info);
  auto* decoder = holderOf<GptDecoder>(a, 0);
  if (a.failed) return nullptr;
  Holder<KvCache>* cache = isNull(a, 1) ? nullptr : holderOf<KvCache>(a, 1);
  size_t lt, ll;
  const int32_t* tokens = a.i32(2, &lt);
  const int nseq = a.integer(4);
  float* logits = a.f32(5, &ll);
  if (a.failed) return nullptr;
  const GptShape& shape = decoder->shape;
  a.need(cache == nullptr || sameShape(cache->shape, shape), "lrgate_native: the cache belongs to another model shape");
  a.need(ll >= static_cast<size_t>(nseq) * shape.vocab, "lrgate_native: logits buffer too small");
  const Sequence* seqs = sequences(a, 3, nseq, lt, tokens, shape, cache ? cache->ptr->slots : -1);
  if (a.failed) return nullptr;
  if (nseq > 0) decoder->ptr->lastLogits(tokens, seqs, nseq, cache ? cache->ptr : nullptr, logits);
  return undefinedValue(env);
}

// decoderForwardNll(decoder, cache, tokens, seqs, nseq, pick Int32Array [nseq], logits [nseq·vocab],
//                   targets Int32Array [rows], nll Float32Array [rows])
napi_value DecoderForwardNll(napi_env env, napi_callback_info info) {
  Args a(env, info);
  auto* decoder = holderOf<GptDecoder>(a, 0);
  if (a.failed) return nullptr;
  Holder<KvCache>* cache = holderOf<KvCache>(a, 1);
  size_t lt, lp, ll, lg, ln;
  const int32_t* tokens = a.i32(2, &lt);
  const int nseq = a.integer(4);
  const int32_t* pick = a.i32(5, &lp);
  float* logits = a.f32(6, &ll);
  const int32_t* targets = a.i32(7, &lg);
  float* nll = a.f32(8, &ln);
  if (a.failed) return nullptr;
  const GptShape& shape = decoder->shape;
  a.need(sameShape(cache->shape, shape), "lrgate_native: the cache belongs to another model shape");
  a.need(ll >= static_cast<size_t>(nseq) * shape.vocab && lp >= static_cast<size_t>(nseq), "lrgate_native: logits or pick buffer too small");
  const Sequence* seqs = sequences(a, 3, nseq, lt, tokens, shape, cache->ptr->slots);
  if (a.failed) return nullptr;
  size_t rows = 0;
  for (int s = 0; s < nseq && !a.failed; s++) {
    rows = std::max(rows, static_cast<size_t>(seqs[s].row + seqs[s].length));
    a.need(pick[s] >= seqs[s].row && pick[s] < seqs[s].row + seqs[s].length, "lrgate_native: pick row outside its sequence");
  }
  a.need(lg >= rows && ln >= rows, "lrgate_native: targets or nll buffer too small");
  for (size_t r = 0; r < rows && !a.failed; r++) a.need(targets[r] >= 0 && targets[r] < shape.vocab, "lrgate_native: target id out of range");
  if (a.failed) return nullptr;
  if (nseq > 0) decoder->ptr->forwardNll(tokens, seqs, nseq, cache->ptr, pick, logits, targets, nll);
  return undefinedValue(env);
}

// decoderRowNll(decoder, tokens Int32Array, seqs Int32Array, nseq, targets Int32Array, nll Float32Array[, from Int32Array])
napi_value DecoderRowNll(napi_env env, napi_callback_info info) {
  Args a(env, info);
  auto* decoder = holderOf<GptDecoder>(a, 0);
  size_t lt, lg, ln;
  const int32_t* tokens = a.i32(1, &lt);
  const int nseq = a.integer(3);
  const int32_t* targets = a.i32(4, &lg);
  float* nll = a.f32(5, &ln);
  if (a.failed) return nullptr;
  const GptShape& shape = decoder->shape;
  const Sequence* seqs = sequences(a, 2, nseq, lt, tokens, shape, -1);
  if (a.failed) return nullptr;
  size_t rows = 0;
  for (int s = 0; s < nseq; s++) rows = std::max(rows, static_cast<size_t>(seqs[s].row + seqs[s].length));
  a.need(lg >= rows && ln >= rows, "lrgate_native: targets or nll buffer too small");
  for (size_t r = 0; r < rows && !a.failed; r++) a.need(targets[r] >= 0 && targets[r] < shape.vocab, "lrgate_native: target id out of range");
  if (a.failed) return nullptr;
  // optional: per sequence, the first row to score
  const int32_t* from = nullptr;
  if (!isNull(a, 6)) {
    size_t lf;
    from = a.i32(6, &lf);
    if (a.failed) return nullptr;
    a.need(lf >= static_cast<size_t>(nseq), "lrgate_native: from array too small");
    for (int s = 0; s < nseq && !a.failed; s++)
      a.need(from[s] >= 0 && from[s] < seqs[s].length, "lrgate_native: from outside its sequence");
    if (a.failed) return nullptr;
  }
  if (nseq > 0) decoder->ptr->rowNll(tokens, seqs, nseq, targets, nll, from);
  return undefinedValue(env);
}

}  // namespace

void exportDecoderBindings(napi_env env, napi_value exports) {
  exportFunction(env, exports, "decoderCreate", DecoderCreate);
  exportFunction(env, exports, "decoderFree", DecoderFree);
  exportFunction(env, exports, "kvCacheCreate", KvCacheCreate);
  exportFunction(env, exports, "kvCacheFree", KvCacheFree);
  exportFunction(env, exports, "decoderLastLogits", DecoderLastLogits);
  exportFunction(env, exports, "decoderRowNll", DecoderRowNll);
  exportFunction(env, exports, "decoderForwardNll", DecoderForwardNll);
}

}  // namespace lrg
