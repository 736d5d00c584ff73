// Multi-head attention (see multi_head_attention.h).
//
//   Q = x_q W^Q, K = x_k W^K, V = x_v W^V              [B, T, D], [B, S, D], [B, S, D]
//   split:   [B, T, D] -> [B, T, H, E] -> [B, H, T, E]    (a view, then a transpose: no copy)
//   heads:   C = attend(score, Q, K, V, mask)           [B, H, T, E]
//   merge:   [B, H, T, E] -> [B, T, H, E] -> [B, T, D]    (one copy: the transpose is strided)
//   out = C W^O                                         [B, T, D]
// Vaswani et al. 2017, §3.2.2.
#include "nn/attention/multi_head_attention.h"

#include "autograd/ops.h"
#include "nn/attention/attention.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"
#include "tensor/index.h"

namespace attn {

namespace {

// E = D / H; a D that H does not divide cannot be split into equal heads.
int64_t checked_head_dim(int64_t d_model, int64_t heads) {
  check(d_model > 0 && heads > 0, "multi_head_attention", [&] {
    return "d_model and heads must be positive, got " + std::to_string(d_model) + " and " +
           std::to_string(heads);
  });
  check(d_model % heads == 0, "multi_head_attention", [&] {
    return "d_model " + std::to_string(d_model) + " is not divisible by heads " +
           std::to_string(heads);
  });
  return d_model / heads;
}

// [B, L, D] -> [B, H, L, E]
Variable split_heads(const Variable& x, int64_t heads, int64_t head_dim) {
  Variable split = reshape(x, {x.size(0), x.size(1), heads, head_dim});  // [B, L, H, E]
  return transpose(split, 1, 2);                                         // [B, H, L, E]
}

// [B, H, L, E] -> [B, L, D]
Variable merge_heads(const Variable& x) {
  Variable merged = transpose(x, 1, 2);                                     // [B, L, H, E]
  return reshape(merged, {merged.size(0), merged.size(1), x.size(1) * x.size(3)});  // [B, L, D]
}

}  // namespace

MultiHeadAttention::MultiHeadAttention(int64_t d_model, int64_t heads, Generator& generator,
                                       real dropout, const std::string& score, AttentionKind kind)
    : MultiHeadAttention(
          d_model, heads, generator, dropout,
          [&score](const ScoreSpec& spec) { return make_score_function(score, spec); }, kind) {}

MultiHeadAttention::MultiHeadAttention(int64_t d_model, int64_t heads, Generator& generator,
                                       real dropout, const ScoreMaker& make_score,
                                       AttentionKind kind)
    : d_model_(d_model),
      heads_(heads),
      head_dim_(checked_head_dim(d_model, heads)),
      w_q(d_model, d_model, generator),
      w_k(d_model, d_model, generator),
      w_v(d_model, d_model, generator),
      w_o(d_model, d_model, generator),
      kind_(kind),
      dropout_(dropout, generator) {
  ScoreSpec spec;
  spec.query_dim = head_dim_;
  spec.key_dim = head_dim_;
  spec.heads = heads_;
  spec.seed = generator.next_u64();  // drawn after the projections' weights
  score_ = make_score(spec);
  register_module("w_q", w_q);
  register_module("w_k", w_k);
  register_module("w_v", w_v);
  register_module("w_o", w_o);
  register_module("score", *score_);
  register_module("dropout", dropout_);
}

Variable MultiHeadAttention::project_keys(const Variable& key) {
  return score_->prepare_keys(split_heads(w_k.forward(key), heads_, head_dim_));  // [N, H, L, *]
}

Variable MultiHeadAttention::project_values(const Variable& value) const {
  return split_heads(w_v.forward(value), heads_, head_dim_);  // [N, L, D] -> [N, H, L, E]
}

Variable MultiHeadAttention::forward(const Variable& query, const Variable& key,
                                     const Variable& value, const Tensor& mask) {
  const bool shapes_fit = query.ndim() == 3 && key.ndim() == 3 && value.ndim() == 3 &&
                          query.size(2) == d_model_ && key.size(2) == d_model_ &&
                          value.size(2) == d_model_ && key.size(0) == query.size(0) &&
                          value.size(0) == query.size(0) && key.size(1) == value.size(1);
  if (!shapes_fit)  // the message is built only when needed: forward runs on every step
    throw Error("multi_head_attention: expects query [B, T, D], key [B, S, D], value [B, S, D] "
                "with D = d_model = " + std::to_string(d_model_) + ", got query " +
                to_string(query.shape()) + ", key " + to_string(key.shape()) + ", value " +
                to_string(value.shape()));
  Variable k = project_keys(key);                          // [B, S, D] -> [B, H, S, *]
  Variable v = project_values(value);                      // [B, S, D] -> [B, H, S, E]
  return attend_projected(query, k, v, mask, 0, nullptr);  // [B, T, D]
}

Variable MultiHeadAttention::attend_projected(const Variable& query, const Variable& keys,
                                              const Variable& values, const Tensor& mask,
                                              int64_t query_offset, AlignmentHistory* history) {
  Variable q = split_heads(w_q.forward(query), heads_, head_dim_);  // [B, T, D] -> [B, H, T, E]
  AttentionOptions options;
  options.kind = kind_;
  options.mask = mask;
  options.query_offset = query_offset;
  options.history = history;
  options.dropout = &dropout_;
  options.need_weights = false;  // attention_weights() makes them if asked
  AttentionResult result = attend(*score_, q, keys, values, options);  // [B, H, T, E]
  weights_ = result.weights.defined() ? result.weights.value() : Tensor();  // [B, H, T, S]
  unmade_.reset();
  // Detached: the weights need the values only, and the graph must not outlive its step.
  if (!result.weights.defined()) unmade_ = UnmadeWeights{q.detach(), keys.detach(), options};
  return w_o.forward(merge_heads(result.context));  // [B, H, T, E] -> [B, T, D] -> [B, T, D]
}

const Tensor& MultiHeadAttention::attention_weights() const {
  if (unmade_) {
    weights_ = attention_weights_of(*score_, unmade_->queries, unmade_->keys, unmade_->options);
    unmade_.reset();
  }
  return weights_;  // [B, H, T, S]
}

// ---- incremental decoding -----------------------------------------------------------------------

void AttentionCache::select_rows(const Tensor& rows) {
  if (empty()) return;  // nothing cached yet (beam search repeats rows before the first step)
  keys = Variable(index_select(keys.value(), 0, rows));      // [N, H, L, *]
  values = Variable(index_select(values.value(), 0, rows));  // [N, H, L, E]
  history.select_rows(rows);
}

AttentionCache MultiHeadAttention::start_cache(const Variable& memory) {
  check(memory.ndim() == 3 && memory.size(2) == d_model_, "multi_head_attention", [&] {
    return "memory must be [N, S, " + std::to_string(d_model_) + "], got " +
           to_string(memory.shape());
  });
  AttentionCache cache;
  cache.keys = project_keys(memory);      // [N, H, S, *]
  cache.values = project_values(memory);  // [N, H, S, E]
  return cache;
}

Variable MultiHeadAttention::forward_cached(const Variable& query, AttentionCache& cache,
                                            const Tensor& mask, int64_t query_offset) {
  check(!cache.empty(), "multi_head_attention", "forward_cached needs a filled cache");
  return attend_projected(query, cache.keys, cache.values, mask, query_offset,
                          &cache.history);  // [N, T, D]
}

Variable MultiHeadAttention::forward_step(const Variable& x, AttentionCache& cache) {
  const int64_t position = cache.length();    // where the first new position sits
  const Variable keys = project_keys(x);      // [N, H, T_new, *]
  const Variable values = project_values(x);  // [N, H, T_new, E]
  if (cache.empty()) {
    cache.keys = keys;
    cache.values = values;
  } else {
    cache.keys = concat({cache.keys, keys}, 2);        // [N, H, L + T_new, *]
    cache.values = concat({cache.values, values}, 2);  // [N, H, L + T_new, E]
  }
  return attend_projected(x, cache.keys, cache.values, Tensor(), position,
                          &cache.history);  // [N, T_new, D]
}

}  // namespace attn
