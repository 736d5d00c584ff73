// Attention scores: how well each key matches each query.
//
// The lectures' definition: attention is a weighted sum of the values, the weights depending on
// the query. Every mechanism is the same three steps with a different score:
//   e[t, s] = score(q_t, k_s)              a ScoreFunction: one file each in scores/
//   a[t, :] = softmax(e[t, :] + mask)      attention.h: the fixed plumbing
//   c_t     = sum_s a[t, s] v_s
//
// A ScoreFunction maps queries [..., T, Eq] and keys [..., S, Ek] to scores [..., T, S]. The
// leading axes "..." are [B, H] inside multi-head attention and [B] for one attention without
// heads (a recurrent decoder's single query per step: attend_one in attention.h). A score may
// own parameters (general, additive, cosine, ...), so it is a Module. Besides the two tensors it
// may read, from the ScoreContext,
//   - where the queries and keys sit: absolute positions, right also under the key/value cache,
//     where the newest query arrives alone (ALiBi's distance bias);
//   - whether this is self- or cross-attention;
//   - the weights of the earlier queries, when it says uses_history(): then attention runs one
//     query at a time, each seeing the alignment before it (location-aware attention, coverage).
// And it may hook three more places of the plumbing:
//   - prepare_keys: work on the keys alone (W_k k for additive), done once per key sequence and
//     kept in the cache, not redone at every decoding step;
//   - restrict_keys: a mask of its own, joined to the caller's before the softmax (a local window
//     that lets each query see only the keys near a position);
//   - reweight: a step after the softmax (a Gaussian around a predicted position, NTM addressing).
#pragma once

#include <cstdint>
#include <string>

#include "nn/module.h"

namespace attn {

enum class AttentionKind {
  self,   // queries and keys from one sequence (encoder, decoder self-attention)
  cross,  // queries from the decoder, keys from the encoder's memory
};

// What attention remembers of earlier queries, for scores that look back (Chorowski et al.
// 2015, §2.2: the previous alignment; Tu et al. 2016: coverage, the sum of all earlier ones).
// Under incremental decoding the history lives in the decoder's cache, so it crosses steps.
struct AlignmentHistory {
  Variable previous;    // [..., 1, S] the weights of the previous query; undefined before it
  Variable cumulative;  // [..., 1, S] the sum of the weights of every earlier query

  bool empty() const { return !previous.defined(); }
  // Records the newest query's weights [..., 1, S].
  void append(const Variable& weights);
  // Pads both with zeros up to S keys: self-attention under the cache gains a key every step,
  // and no earlier query attended to it.
  void grow_to(int64_t keys);
  // Keeps rows `rows` of the batch axis, in that order (beam search).
  void select_rows(const Tensor& rows);
};

// Everything a score may read besides the queries and keys.
struct ScoreContext {
  AttentionKind kind = AttentionKind::cross;
  int64_t query_offset = 0;  // absolute position of query 0 (under the cache: the step)
  int64_t key_offset = 0;    // absolute position of key 0
  Tensor mask;  // broadcasts to [..., T, S], 1 = may attend (mask.h); undefined: every key
  const AlignmentHistory* history = nullptr;  // set when uses_history(); empty for query 0
};

// What a score function is built from: the sizes it serves and its own settings.
struct ScoreSpec {
  int64_t query_dim = 0;  // Eq: width of each query vector
  int64_t key_dim = 0;    // Ek: width of each key vector (may differ for additive)
  int64_t heads = 1;      // H: heads sharing this score (ALiBi gives each its own slope)
  uint64_t seed = 0;      // for parameter initialisation
  // The score's own settings, "key=value,key=value": the part after ':' in a score name such as
  // "location_aware:filters=4,width=5" (registry.h). Each score declares and checks them.
  std::string settings;
};

// For a score without settings: throws "<owner>: takes no settings, got 'x=1'" unless
// spec.settings is empty, so that a misspelt setting is never silently ignored.
void check_no_settings(const ScoreSpec& spec, const std::string& owner);

class ScoreFunction : public Module {
 public:
  // queries [..., T, Eq], keys as prepare_keys returned them [..., S, *] -> scores [..., T, S]
  virtual Variable scores(const Variable& queries, const Variable& keys,
                          const ScoreContext& context) = 0;

  // keys [..., S, Ek] -> what scores() reads as keys. It must treat each key on its own, so that
  // preparing new keys and appending them equals preparing them all (the cache relies on it).
  virtual Variable prepare_keys(const Variable& keys) { return keys; }

  // True when scores() reads context.history; attention then feeds one query at a time.
  virtual bool uses_history() const { return false; }

  // Before the softmax: which keys each query may see, as a mask that broadcasts to [..., T, S]
  // (1 = may attend, mask.h), joined to context.mask; undefined: every key. queries and keys as
  // given to scores(). The plumbing turns it into -inf with the caller's mask, in its one place.
  virtual Tensor restrict_keys(const Variable& /*queries*/, const Variable& /*keys*/,
                               const ScoreContext& /*context*/) {
    return Tensor();
  }

  // After the softmax: weights [..., T, S] -> weights [..., T, S]. queries as given to scores().
  virtual Variable reweight(const Variable& weights, const Variable& /*queries*/,
                            const ScoreContext& /*context*/) {
    return weights;
  }

  // A score that is exactly scale * q . k, with none of the hooks above, returns its scale for
  // keys of width key_dim; the plumbing may then compute attention with the tiled kernel
  // (tensor/flash_attention.h), which never stores the [..., T, S] scores. 0: not such a score.
  virtual real dot_product_scale(int64_t /*key_dim*/) const { return 0; }
};

}  // namespace attn
