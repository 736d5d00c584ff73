// Attention pooling: a sequence summarised by the importance of its items, "attention without a
// query".
//
// Lin, Feng, dos Santos, Yu, Xiang, Zhou & Bengio 2017, "A structured self-attentive sentence
// embedding", §2. Given the hidden states of a sentence H = (h_1 .. h_S), [B, S, D]:
//   A = softmax(W_s2 tanh(W_s1 H^T))       over the S positions          [B, r, S]
//   M = A H                                r summary vectors ("hops")    [B, r, D]
// W_s1 [d_a, D], W_s2 [r, d_a]. Each of the r rows of A may look at a different part of the
// sentence; the penalty
//   P = || A A^T - I ||_F^2                (§2.2; attn averages it over the batch)
// pushes the rows apart (off the diagonal) and each row onto few words (on the diagonal: a row's
// a . a is 1 only when it is one-hot).
//
// Why "without a query": in translation the decoder's state asks the question, a new one at each
// step. Here nothing outside the sentence asks; the query is learned, the same for every
// sentence: "which words matter for the task?". The r rows of W_s2 are r such learned queries.
// So this is attn's ordinary attention plumbing (attention.h), nothing new:
//   queries  the rows of W_s2, the same for every sentence     [B, r, d_a]  (broadcast)
//   keys     tanh(W_s1 h_s), each position on its own          [B, S, d_a]
//   values   H                                                 [B, S, D]
//   score    any registered ScoreFunction; "dot" gives exactly Lin's w_i . tanh(W_s1 h_s)
// and attend() with the padding mask gives padded positions exactly 0 weight.
// Shapes: B batch, S positions, D width of h, d_a attention width, r hops.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "autograd/variable.h"
#include "nn/attention/score_function.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace attn {

struct AttentionPoolingOptions {
  int64_t input_dim = 0;        // D: width of each h_s
  int64_t attention_dim = 350;  // d_a (Lin et al. §4: 350)
  int64_t hops = 30;            // r (Lin et al. §4.1: 30 rows)
  std::string score = "dot";    // Lin's; any registered name (nn/attention/registry.h)
};

struct PoolingResult {
  Variable summary;  // M = A H       [B, r, D]
  Variable weights;  // A             [B, r, S], rows sum to 1, padded positions 0
};

class AttentionPooling : public Module {
 public:
  AttentionPooling(const AttentionPoolingOptions& options, Generator& generator);

  // states H [B, S, D]; mask [B, S], 1 = a real position (undefined: every position real)
  PoolingResult forward(const Variable& states, const Tensor& mask = {});

  const AttentionPoolingOptions& options() const { return options_; }

  Variable w_s1;  // W_s1 [d_a, D], no bias (Lin et al. eq. 5)
  Variable w_s2;  // W_s2 [r, d_a]: the r learned queries

 private:
  AttentionPoolingOptions options_;
  std::unique_ptr<ScoreFunction> score_;  // "score"
};

// || A A^T - I ||_F^2 of weights A [B, r, S], averaged over the batch -> a scalar (Lin et al.
// §2.2, eq. 8). It is 0 exactly when the r rows are one-hot on r different positions.
Variable redundancy_penalty(const Variable& weights);

}  // namespace attn
