// Location-aware score: content, plus where the previous query looked.
//
//   f_t     = F * a_{t-1}                                  k filters of width r over the keys' axis
//   e[t, s] = w^T tanh(W q_t + V k_s + U f_{t, s} + b)     W [A, Eq], V [A, Ek], U [A, k], w, b [A]
//
// Chorowski, Bahdanau, Serdyuk, Cho & Bengio 2015, "Attention-Based Models for Speech
// Recognition", §2.2, eq. (8)-(9). Additive attention (Bahdanau et al.) scores content only, so
// in a long utterance where the same sound occurs twice it cannot tell which occurrence comes
// next. Convolving the previous alignment a_{t-1} gives every key a feature saying "the last
// step looked just before me": attention learns to move forward. With setting cumulative=true
// it convolves the sum of all earlier alignments instead (coverage, as ESPnet's "location"
// attention and Tu et al. 2016 do), which also tells what was already read.
//
// It uses the history (score_function.h): attention feeds it one query at a time, each seeing
// the alignment before it; the first query has none, so its location term is 0. The keys' side
// V k_s is prepared once per key sequence. Settings: filters=k (default 10), width=r (odd,
// default 31), hidden=A (default Eq), cumulative=false. Weights are initialised
// Xavier-uniform (Glorot & Bengio 2010) from spec.seed, b at zero.
#pragma once

#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "nn/settings.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace attn {

class LocationAwareScore : public ScoreFunction {
 public:
  explicit LocationAwareScore(const ScoreSpec& spec) {
    check(spec.query_dim > 0 && spec.key_dim > 0, "location_aware score", [&] {
      return "needs spec.query_dim and spec.key_dim, got " + std::to_string(spec.query_dim) +
             " and " + std::to_string(spec.key_dim);
    });
    int64_t filters = 10, width = 31, A = spec.query_dim;
    Settings settings = {
        integer_setting("filters", filters, "convolution filters k", 1, 1024),
        integer_setting("width", width, "filter width r, odd", 1, 4095),
        integer_setting("hidden", A, "width A of the hidden layer", 1, 1 << 16),
        flag_setting("cumulative", cumulative_, "convolve the sum of all earlier alignments")};
    apply_settings_text(settings, spec.settings, "location_aware score");
    check(width % 2 == 1, "location_aware score", [&] {
      return "width must be odd (a window centred on each key), got " + std::to_string(width);
    });
    Generator generator(spec.seed);
    w = register_parameter("w", xavier_uniform({A, spec.query_dim}, generator));
    v = register_parameter("v", xavier_uniform({A, spec.key_dim}, generator));
    u = register_parameter("u", xavier_uniform({A, filters}, generator));
    filter = register_parameter("filter", xavier_uniform({filters, width}, generator));
    out = register_parameter("out", xavier_uniform({A}, generator));
    bias = register_parameter("bias", Tensor::zeros({A}));
  }

  bool uses_history() const override { return true; }

  // keys [..., S, Ek] -> V k [..., S, A]
  Variable prepare_keys(const Variable& keys) override {
    check(keys.size(-1) == v.size(1), "location_aware score", [&] {
      return "built for key width " + std::to_string(v.size(1)) + ", got " +
             std::to_string(keys.size(-1));
    });
    return matmul(keys, transpose(v, 0, 1));  // [..., S, Ek] @ [Ek, A] -> [..., S, A]
  }

  // queries [..., T, Eq] (T = 1 under attention), prepared keys [..., S, A] -> scores [..., T, S]
  Variable scores(const Variable& queries, const Variable& keys,
                  const ScoreContext& context) override {
    check(queries.size(-1) == w.size(1), "location_aware score", [&] {
      return "built for query width " + std::to_string(w.size(1)) + ", got " +
             std::to_string(queries.size(-1));
    });
    const Variable q =
        matmul(queries, transpose(w, 0, 1));  // [..., T, Eq] @ [Eq, A] -> [..., T, A]
    Variable pre = unsqueeze(q, -2) + unsqueeze(keys, -3) + bias;  // [..., T, S, A]
    const AlignmentHistory* history = context.history;
    if (history && !history->empty()) {
      const Variable& alignment = cumulative_ ? history->cumulative : history->previous;
      pre = pre + location_features(alignment);  // + U f_t: [..., 1, S, A] broadcast over T
    }
    const Variable e = matmul(tanh(pre), unsqueeze(out, 1));  // [..., T, S, A] @ [A, 1]
    return squeeze(e, -1);                                    // [..., T, S]
  }

  Variable w;       // W [A, Eq]
  Variable v;       // V [A, Ek]
  Variable u;       // U [A, k]
  Variable filter;  // F [k, r]
  Variable out;     // w [A]
  Variable bias;    // b [A]

 private:
  // U (F * a): alignment [..., 1, S] -> [..., 1, S, A]. The convolution reads, for each key s,
  // the window a[s - r/2 .. s + r/2] (zeros beyond the ends) and applies the k filters to it.
  Variable location_features(const Variable& alignment) const {
    const int64_t S = alignment.size(-1), r = filter.size(1), half = r / 2;
    Variable padded = alignment;  // [..., 1, S]
    if (half > 0) {
      Shape pad_shape = alignment.shape();
      pad_shape.back() = half;
      const Variable pad(Tensor::zeros(pad_shape));  // [..., 1, r/2]
      padded = concat({pad, alignment, pad}, -1);    // [..., 1, S + r - 1]
    }
    std::vector<Variable> taps;
    for (int64_t i = 0; i < r; ++i) taps.push_back(narrow(padded, -1, i, S));  // r x [..., 1, S]
    const Variable windows = stack(taps, -1);                                  // [..., 1, S, r]
    const Variable f = matmul(windows, transpose(filter, 0, 1));  // [..., 1, S, r] @ [r, k]
    return matmul(f, transpose(u, 0, 1));                         // [..., 1, S, k] @ [k, A]
  }

  bool cumulative_ = false;  // convolve the sum of earlier alignments, not the last one
};

}  // namespace attn
