// Beam search: keep the K most probable partial translations at every step, not just one.
//
// Greedy decoding commits to the best next token at once and never reconsiders; beam search
// keeps a "beam" of K hypotheses per sentence. At each step every hypothesis is extended by
// every vocabulary token, scored by its total log-probability
//   log p(y_1..y_t | x) = sum_i log p(y_i | y_<i, x)
// and the K best of the K * V extensions survive. A hypothesis that emits <eos> is finished.
//
// Log-probabilities only fall as a hypothesis grows, so raw scores favour short outputs. The
// length penalty of Wu et al. 2016 (GNMT, §7) divides the score by
//   lp(Y) = ((5 + |Y|) / 6)^alpha         (alpha = 0: no normalisation; 0.6 in GNMT)
// and the finished hypothesis with the best  log p(Y | x) / lp(Y)  is the translation.
//
// All sentences of a batch are searched together: the B * K hypotheses are one decoder batch,
// and the decoder's key/value cache (models/transformer.h, start_decoding) makes each step cost
// one new position rather than the whole prefix.
#pragma once

#include <vector>

#include <cstdint>

#include "models/transformer/transformer.h"

namespace attn {

struct BeamSearchOptions {
  int64_t beam_size = 4;       // K hypotheses kept per sentence
  real length_penalty = 0.6;   // alpha in lp(Y) above
  int64_t max_length = 100;    // generated tokens at most, <eos> included
  // Optional, one per sentence: its own limit (at most max_length). A sentence's result then
  // does not depend on the limits of the sentences batched with it.
  std::vector<int64_t> sentence_max_lengths;
  int64_t bos = 1;             // the token every hypothesis starts from
  int64_t eos = 2;             // the token that finishes a hypothesis
};

// source [B, S] token ids -> [B, L] the best hypothesis of each sentence, ending with its <eos>
// (if it produced one) and padded with the config's pad_index; <bos> not included.
Tensor beam_search(Transformer& model, const Tensor& source, const BeamSearchOptions& options);

}  // namespace attn
