// From sentence pairs to padded batches of token ids, grouped by length under a token budget.
//
// Each batch is a Batch for teacher forcing (training_data.h). Padding fills shorter rows with
// <pad> (id 0); the loss ignores it and attention masks it. The source's padding mask is made
// here, once per batch, and travels with it (Source).
//
// Batching: examples are sorted by length (ties broken by a seeded shuffle), then cut into
// batches whose padded size  rows * longest row  stays within max_tokens, so a batch of short
// sentences holds many rows and one of long sentences few. The batch order is shuffled with the
// seed each epoch. Similar lengths in a batch waste little compute on padding.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/random.h"
#include "train/data/training_data.h"

namespace attn {

// One tokenized pair, ids without <bos>/<eos>.
struct Example {
  std::vector<int64_t> source;
  std::vector<int64_t> target;
};

// Groups example indices into batches of at most max_tokens padded tokens (a single example
// longer than the budget gets a batch of its own). The same generator state gives the same batches.
std::vector<std::vector<size_t>> make_batches(const std::vector<Example>& examples,
                                              int64_t max_tokens, Generator& generator);

Batch collate(const std::vector<Example>& examples, const std::vector<size_t>& indices);

// Tokenized pairs as the training loop's data: each epoch's batches by length under a budget of
// max_tokens padded tokens (make_batches), padded by collate.
class ExampleBatches : public TrainingData {
 public:
  ExampleBatches(std::vector<Example> examples, int64_t max_tokens);
  std::vector<std::vector<size_t>> epoch(Generator& order) const override;
  Batch batch(const std::vector<size_t>& indices) const override;
  const std::vector<Example>& examples() const { return examples_; }

 private:
  std::vector<Example> examples_;
  int64_t max_tokens_;
};

// Fisher-Yates shuffle driven by attn's generator, so every platform shuffles alike.
void shuffle(std::vector<size_t>& items, Generator& generator);

}  // namespace attn
