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
// All sentences of a batch are searched together: the source is encoded once, the decoder's
// state repeated K times per sentence, and the B * K hypotheses are one decoder batch. The
// state (a key/value cache, a recurrent state) makes each step cost one new position rather
// than the whole prefix; after each step it follows the surviving hypotheses
// (DecoderState::reorder). Any model of the interface (models/seq2seq/seq2seq.h) can be searched.
#pragma once

#include <cstdint>
#include <vector>

#include "models/seq2seq/seq2seq.h"
#include "models/seq2seq/special_tokens.h"

namespace attn {

struct BeamSearchOptions {
  int64_t beam_size = 4;       // K hypotheses kept per sentence
  real length_penalty = 0.6;   // alpha in lp(Y) above
  int64_t max_length = 100;    // generated tokens at most, <eos> included
  // Optional, one per sentence: its own limit (at most max_length). A sentence's result then
  // does not depend on the limits of the sentences batched with it.
  std::vector<int64_t> sentence_max_lengths;
  int64_t bos = special_tokens::bos;  // the token every hypothesis starts from
  int64_t eos = special_tokens::eos;  // the token that finishes a hypothesis
};

// source (B sentences) -> [B, L] the best hypothesis of each sentence, ending with its <eos>
// (if it produced one) and padded with special_tokens::pad; <bos> not included.
Tensor beam_search(Seq2Seq& model, const Source& source, const BeamSearchOptions& options);

}  // namespace attn
