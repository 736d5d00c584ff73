// Attention pooling (see attention_pooling.h): Lin et al. 2017, §2.
//
//   K = tanh(H W_s1^T)                          [B, S, d_a]   prepared once, as keys
//   A = softmax(score(W_s2, K) + mask)          [B, r, S]     attend(), the one plumbing
//   M = A H                                     [B, r, D]
//   P = mean_b || A_b A_b^T - I ||_F^2          a scalar
#include "nn/attention/attention_pooling.h"

#include <string>

#include "autograd/ops.h"
#include "nn/attention/attention.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"

namespace attn {

namespace {

const AttentionPoolingOptions& checked(const AttentionPoolingOptions& options) {
  check(options.input_dim >= 1 && options.attention_dim >= 1 && options.hops >= 1,
        "AttentionPooling", [&] {
          return "needs input_dim, attention_dim and hops >= 1, got " +
                 std::to_string(options.input_dim) + ", " + std::to_string(options.attention_dim) +
                 " and " + std::to_string(options.hops);
        });
  return options;
}

}  // namespace

AttentionPooling::AttentionPooling(const AttentionPoolingOptions& options, Generator& generator)
    : options_(checked(options)) {
  const int64_t D = options.input_dim, d_a = options.attention_dim, r = options.hops;
  w_s1 = register_parameter("w_s1", xavier_uniform({d_a, D}, generator));
  w_s2 = register_parameter("w_s2", xavier_uniform({r, d_a}, generator));
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = d_a;  // both sides live in the d_a-wide attention space
  spec.seed = generator.next_u64();
  score_ = make_score_function(options.score, spec);
  register_module("score", *score_);
}

PoolingResult AttentionPooling::forward(const Variable& states, const Tensor& mask) {
  check(states.ndim() == 3 && states.size(2) == options_.input_dim, "AttentionPooling", [&] {
    return "states must be [B, S, " + std::to_string(options_.input_dim) + "], got " +
           to_string(states.shape());
  });
  const int64_t B = states.size(0), S = states.size(1);
  check(!mask.defined() || mask.shape() == Shape{B, S}, "AttentionPooling", [&] {
    return "mask must be [B, S] = " + to_string(Shape{B, S}) + " like the states " +
           to_string(states.shape()) + ", got " + to_string(mask.shape());
  });
  const Variable keys = score_->prepare_keys(
      tanh(matmul(states, transpose(w_s1, 0, 1))));  // [B, S, D] @ [D, d_a] -> [B, S, d_a]
  // The same r queries for every sentence: W_s2 seen B times, without a copy.
  const Variable queries = expand(unsqueeze(w_s2, 0), {B, options_.hops, w_s2.size(1)});  // [B, r, d_a]
  AttentionOptions attention;
  attention.kind = AttentionKind::self;  // the sentence attends over itself
  if (mask.defined()) attention.mask = mask.unsqueeze(1);  // [B, 1, S]: the same for every row
  const AttentionResult result = attend(*score_, queries, keys, states, attention);
  return {result.context, result.weights};  // [B, r, D], [B, r, S]
}

Variable redundancy_penalty(const Variable& weights) {
  check(weights.ndim() == 3, "redundancy_penalty",
        [&] { return "weights must be A [B, r, S], got " + to_string(weights.shape()); });
  const int64_t B = weights.size(0), r = weights.size(1);
  const Variable gram = matmul(weights, transpose(weights, 1, 2));  // [B, r, S] @ [B, S, r] -> [B, r, r]
  Tensor eye = Tensor::zeros({r, r});
  for (int64_t i = 0; i < r; ++i) eye.at({i, i}) = 1;
  const Variable identity(eye);                                     // [r, r]
  return sum(pow(gram - identity, 2)) / static_cast<real>(B);       // mean_b ||A A^T - I||_F^2
}

}  // namespace attn
