// The longest translation to decode for a source sentence, learned from the training pairs.
//
// Decoding stops at <eos> or at a length limit. The limit matters only when the model does not
// stop by itself (an untrained model, a degenerate repetition), but then it must not cut a right
// translation short. A fixed rule such as 1.5 x S + 10 does: SCAN's commands of 9 words mean up
// to 48 actions. So the limit is learned from the data. With r the largest ratio of target to
// source tokens among the training pairs (the pairs kept for training),
//
//   limit(S) = ceil(r * S) + 5        tokens, <eos> included
//
// Every training pair has T <= r * S, so every training target fits with its <eos>; the four
// tokens more leave room for a new sentence a little past the ratio (they cost time only when a
// translation never ends). The translator caps the limit by the model's positions.
// r is kept as the pair that gives it, in whole tokens (24 for 4), so the limit is computed
// exactly, without rounding. A model directory written before the limit was learned has none,
// and keeps the rule it was used with: 1.5 x S + 10.
#pragma once

#include <cstdint>

#include "nn/settings.h"
#include "train/io/json.h"

namespace attn {

struct LengthLimit {
  int64_t source_tokens = 0;  // the training pair with the largest ratio target / source:
  int64_t target_tokens = 0;  // its token counts (0 and 0: none learned)

  static constexpr int64_t extra_tokens = 5;  // <eos>, and four of room

  // Keeps this pair if its ratio target / source is larger than the one held.
  void observe(int64_t source_length, int64_t target_length);
  bool learned() const { return source_tokens > 0; }
  // At most this many tokens, <eos> included, for a source of `source_length` tokens.
  int64_t tokens(int64_t source_length) const;

  // {"source_tokens": S, "target_tokens": T}: config.json's "length_limit".
  Json to_json() const;
  // Throws naming `where` and the key for a value out of range.
  static LengthLimit from_json(const Json& json, const std::string& where);

 private:
  Settings settings();
};

}  // namespace attn
