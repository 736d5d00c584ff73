// What a training run reads: batches for teacher forcing, from any kind of source.
//
// Teacher forcing (Williams & Zipser 1989): the decoder reads the reference shifted right and
// predicts it shifted left, every position at once:
//   target_in   <bos> y1 y2 ... yn          [B, T]
//   target_out  y1    y2 ... yn <eos>       [B, T]
// Padding fills shorter rows with <pad> (id 0); the loss ignores it. The source is whatever the
// model's encoder reads (token ids, image pixels, audio frames), with its mask (Source).
//
// TrainingData is the training loop's view of a data set (train/training_loop.h): numbered
// examples, grouped into the batches of one epoch in an order drawn from a seeded generator.
// Sentence pairs (batching.h) are one kind; generated images or recordings are others.
#pragma once

#include <cstdint>
#include <vector>

#include "models/seq2seq/seq2seq.h"
#include "tensor/random.h"
#include "tensor/tensor.h"

namespace attn {

struct Batch {
  Source source;              // what the encoder reads, and its mask [B, S]
  Tensor target_in;           // [B, T] <bos> y
  Tensor target_out;          // [B, T] y <eos>
  int64_t target_tokens = 0;  // non-pad entries of target_out
};

// Sets batch.target_in (<bos> y) and batch.target_out (y <eos>), [B, T] padded with <pad>, and
// batch.target_tokens, from each row's target ids y (without <bos> and <eos>).
void set_targets(Batch& batch, const std::vector<std::vector<int64_t>>& targets);

class TrainingData {
 public:
  virtual ~TrainingData() = default;
  // One epoch: the batches, as lists of example indices, in the order they are trained on. The
  // same generator state gives the same epoch (a resumed run replays it).
  virtual std::vector<std::vector<size_t>> epoch(Generator& order) const = 0;
  // The padded batch of these examples.
  virtual Batch batch(const std::vector<size_t>& indices) const = 0;
};

}  // namespace attn
