// Greedy decoding: generate a target sequence one token at a time, always taking the most
// probable next token.
//
// The decoder is auto-regressive (Vaswani et al. 2017, §3: "consuming the previously generated
// symbols as additional input when generating the next"). Starting from y_0 = BOS:
//
//   y_t = argmax_v  p(v | y_0 .. y_{t-1}, source)       until EOS or max_length tokens
//
// Each step feeds only the newest token: the decoder's key/value cache (Transformer::decode_step)
// holds what earlier positions computed, so a step costs one position, not the whole prefix.
// It runs in eval mode (no dropout) with no graph recorded, and restores the model's mode after.
#pragma once

#include <cstdint>

#include "models/transformer/transformer.h"

namespace attn {

// source [B, S] token ids -> [B, L] generated tokens, L <= max_length, BOS not included. Each row
// ends with its first EOS; positions after it hold the config's pad_index. Stops early once every
// row has produced EOS.
Tensor greedy_decode(Transformer& model, const Tensor& source, int64_t bos, int64_t eos,
                     int64_t max_length);

}  // namespace attn
