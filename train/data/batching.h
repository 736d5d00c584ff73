// From sentence pairs to padded batches of token ids, grouped by length under a token budget.
//
// Teacher forcing (Williams & Zipser 1989): the decoder reads the reference shifted right and
// predicts it shifted left, every position at once:
//   target_in   <bos> y1 y2 ... yn          [B, T]
//   target_out  y1    y2 ... yn <eos>       [B, T]
// Padding fills shorter rows with <pad> (id 0); the loss ignores it and attention masks it.
//
// Batching: examples are sorted by length (ties broken by a seeded shuffle), then cut into
// batches whose padded size  rows * longest row  stays within max_tokens, so a batch of short
// sentences holds many rows and one of long sentences few. The batch order is shuffled with the
// seed each epoch. Similar lengths in a batch waste little compute on padding.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace attn {

// One tokenized pair, ids without <bos>/<eos>.
struct Example {
  std::vector<int64_t> source;
  std::vector<int64_t> target;
};

struct Batch {
  Tensor source;              // [B, S] ids, <pad>-filled
  Tensor target_in;           // [B, T] <bos> y
  Tensor target_out;          // [B, T] y <eos>
  int64_t target_tokens = 0;  // non-pad entries of target_out
};

// Groups example indices into batches of at most max_tokens padded tokens (a single example
// longer than the budget gets a batch of its own). The same generator state gives the same batches.
std::vector<std::vector<size_t>> make_batches(const std::vector<Example>& examples,
                                              int64_t max_tokens, Generator& generator);

Batch collate(const std::vector<Example>& examples, const std::vector<size_t>& indices);

// Fisher-Yates shuffle driven by attn's generator, so every platform shuffles alike.
void shuffle(std::vector<size_t>& items, Generator& generator);

}  // namespace attn
