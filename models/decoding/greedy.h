// Greedy decoding: generate a target sequence one token at a time, always taking the most
// probable next token.
//
// The decoder is auto-regressive (Vaswani et al. 2017, §3: "consuming the previously generated
// symbols as additional input when generating the next"). Starting from y_0 = <bos>:
//
//   y_t = argmax_v  p(v | y_0 .. y_{t-1}, source)       until <eos> or the length limit
//
// Each step feeds only the newest token: the model's decoder state (Seq2Seq::step) holds what
// earlier positions computed, so a step costs one position, not the whole prefix. It works for
// every model of the interface (models/seq2seq/seq2seq.h). It runs in eval mode (no dropout)
// with no graph recorded, and restores the model's mode after.
#pragma once

#include <cstdint>
#include <vector>

#include "models/seq2seq/seq2seq.h"
#include "models/seq2seq/special_tokens.h"

namespace attn {

struct GreedyOptions {
  int64_t max_length = 100;  // generated tokens at most, <eos> included
  // Optional, one per sentence: its own limit (at most max_length). A sentence's result then
  // does not depend on the limits of the sentences batched with it.
  std::vector<int64_t> sentence_max_lengths;
  bool keep_attention = false;        // also return each step's cross-attention
  int64_t bos = special_tokens::bos;  // the first input token
  int64_t eos = special_tokens::eos;  // the token that ends a sequence
};

struct Decoded {
  // [B, L] generated tokens, L <= max_length, <bos> not included. Each row ends with its first
  // <eos> (or at its limit); positions after it hold special_tokens::pad.
  Tensor tokens;
  // keep_attention only: [B, L, layers, heads, S], row t the attention that produced token t.
  Tensor attention;
};

// Decodes every sentence of `source`; stops early once every row has ended.
Decoded greedy_decode(Seq2Seq& model, const Source& source, const GreedyOptions& options);

}  // namespace attn
