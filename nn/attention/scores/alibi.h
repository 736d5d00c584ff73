// ALiBi: attention with linear biases. The farther a key from the query, the lower its score.
//
//   e[t, s] = q_t . k_s / sqrt(d_k) - m_h |i - j|      i = position of query t, j = of key s
//   m_h = 2^(-8 h / H)                                 h = 1 .. H, one slope per head
//
// Press, Smith & Lewis 2022, "Train Short, Test Long: Attention with Linear Biases Enables Input
// Length Extrapolation", §3: "we do not add position embeddings at any point in the network. The
// only modification we apply is after the query-key dot product, where we add a static,
// non-learned bias". Each head gets its own slope, from a geometric sequence (for H = 8:
// 1/2, 1/4, ..., 1/256), so some heads look far and others near. The paper's bias, -m (i - j)
// for the keys j <= i a causal decoder sees, is -m |i - j| written so that it also serves an
// encoder, which sees keys on both sides. For H not a power of 2, 2^(-8h/H) is the same
// geometric rule (the paper interleaves two power-of-2 sequences instead).
//
// Positions are absolute: i = context.query_offset + t, j = context.key_offset + s. Under the
// key/value cache the newest query arrives alone as row 0, but its offset says where it is.
// The distance is only meaningful within one sequence, so cross-attention (target positions
// against source positions) is the plain scaled dot product.
#pragma once

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "tensor/error.h"

namespace attn {

class AlibiScore : public ScoreFunction {
 public:
  explicit AlibiScore(const ScoreSpec& spec) : heads_(spec.heads) {
    check_no_settings(spec, "alibi score");
    check(heads_ >= 1, "alibi score",
          [&] { return "needs spec.heads >= 1, got " + std::to_string(heads_); });
    const double H = static_cast<double>(heads_);
    for (int64_t h = 1; h <= heads_; ++h)
      slopes_.push_back(std::pow(2.0, -8.0 * static_cast<double>(h) / H));  // m_h
  }

  // queries [..., T, d_k], keys [..., S, d_k] -> scores [..., T, S]; "..." = [B, H] or [B]
  Variable scores(const Variable& queries, const Variable& keys,
                  const ScoreContext& context) override {
    const int64_t d_k = keys.size(-1);
    check(queries.size(-1) == d_k, "alibi score", [&] {
      return "query width " + std::to_string(queries.size(-1)) + " differs from key width " +
             std::to_string(d_k) + " (q . k needs Eq = Ek)";
    });
    const real scale = static_cast<real>(1.0 / std::sqrt(static_cast<double>(d_k)));
    const Variable content = matmul(queries, transpose(keys, -2, -1)) * scale;  // [..., T, S]
    if (context.kind == AttentionKind::cross) return content;
    const int64_t heads_axis = queries.ndim() == 4 ? queries.size(1) : 1;
    check(heads_axis == heads_, "alibi score", [&] {
      return "built for " + std::to_string(heads_) + " heads, got queries " +
             to_string(queries.shape());
    });
    return content + Variable(bias(queries.size(-2), keys.size(-2), context));  // [..., T, S]
  }

 private:
  // -m_h |i - j| for every head, query and key: [H, T, S] (broadcasts over B).
  Tensor bias(int64_t T, int64_t S, const ScoreContext& context) const {
    Tensor out({heads_, T, S});
    real* b = out.data();
    for (int64_t h = 0; h < heads_; ++h)
      for (int64_t t = 0; t < T; ++t)
        for (int64_t s = 0; s < S; ++s) {
          const int64_t i = context.query_offset + t, j = context.key_offset + s;
          *b++ = static_cast<real>(-slopes_[static_cast<size_t>(h)] *
                                   static_cast<double>(std::llabs(i - j)));
        }
    return out;
  }

  int64_t heads_;               // H
  std::vector<double> slopes_;  // m_1 .. m_H
};

}  // namespace attn
