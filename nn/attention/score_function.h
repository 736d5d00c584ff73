// Attention scores: how well each key matches each query.
//
// The lectures' definition: attention is a weighted sum of the values, the weights depending on
// the query. Every mechanism is the same three steps with a different score:
//   e[t, s] = score(q_t, k_s)              a ScoreFunction: one file each in this folder
//   a[t, :] = softmax(e[t, :] + mask)      attention.h: the fixed plumbing
//   c_t     = sum_s a[t, s] v_s
//
// A ScoreFunction maps queries [B, H, T, Eq] and keys [B, H, S, Ek] to scores [B, H, T, S].
// It may own parameters (general, additive, cosine, location), so it is a Module.
#pragma once

#include <string>

#include "nn/module.h"

namespace attn {

// What a score function may need to know to build its parameters.
struct ScoreSpec {
  int64_t query_dim = 0;           // Eq: width of each query vector
  int64_t key_dim = 0;             // Ek: width of each key vector (may differ for additive)
  int64_t hidden_dim = 0;          // A: width of the additive score's hidden layer (0: Eq)
  int64_t max_source_length = 0;   // location-based scores predict one logit per position
  uint64_t seed = 0;               // for parameter initialisation
};

class ScoreFunction : public Module {
 public:
  // queries [B, H, T, Eq], keys [B, H, S, Ek] -> scores [B, H, T, S]
  virtual Variable scores(const Variable& queries, const Variable& keys) = 0;
};

}  // namespace attn
