// Length-bucketed batches under a token budget, and padding them into tensors (see batching.h).
#include "train/data/batching.h"

#include <algorithm>
#include <numeric>

#include "models/seq2seq/special_tokens.h"

namespace attn {

void shuffle(std::vector<size_t>& items, Generator& generator) {
  for (size_t i = items.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(generator.next_u64() % i);
    std::swap(items[i - 1], items[j]);
  }
}

// The padded width an example needs: its source, or its target plus <bos>/<eos>.
static int64_t padded_length(const Example& example) {
  return std::max<int64_t>(static_cast<int64_t>(example.source.size()),
                           static_cast<int64_t>(example.target.size()) + 1);
}

std::vector<std::vector<size_t>> make_batches(const std::vector<Example>& examples,
                                              int64_t max_tokens, Generator& generator) {
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), size_t{0});
  shuffle(order, generator);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return padded_length(examples[a]) < padded_length(examples[b]);
  });

  std::vector<std::vector<size_t>> batches;
  std::vector<size_t> current;
  int64_t longest = 0;
  for (size_t index : order) {
    const int64_t length = padded_length(examples[index]);
    const int64_t rows = static_cast<int64_t>(current.size()) + 1;
    if (!current.empty() && rows * std::max(longest, length) > max_tokens) {
      batches.push_back(std::move(current));
      current.clear();
      longest = 0;
    }
    current.push_back(index);
    longest = std::max(longest, length);
  }
  if (!current.empty()) batches.push_back(std::move(current));

  std::vector<size_t> batch_order(batches.size());
  std::iota(batch_order.begin(), batch_order.end(), size_t{0});
  shuffle(batch_order, generator);
  std::vector<std::vector<size_t>> shuffled;
  shuffled.reserve(batches.size());
  for (size_t b : batch_order) shuffled.push_back(std::move(batches[b]));
  return shuffled;
}

Batch collate(const std::vector<Example>& examples, const std::vector<size_t>& indices) {
  int64_t source_length = 1;
  for (size_t i : indices)
    source_length = std::max<int64_t>(source_length, static_cast<int64_t>(examples[i].source.size()));
  const int64_t rows = static_cast<int64_t>(indices.size());
  Tensor source_ids = Tensor::full({rows, source_length}, static_cast<real>(special_tokens::pad));  // [B, S]
  std::vector<std::vector<int64_t>> targets;
  for (int64_t row = 0; row < rows; ++row) {
    const Example& example = examples[indices[static_cast<size_t>(row)]];
    real* source = source_ids.data() + row * source_length;
    for (size_t t = 0; t < example.source.size(); ++t) source[t] = static_cast<real>(example.source[t]);
    targets.push_back(example.target);
  }
  Batch batch;
  batch.source = token_source(source_ids);  // the padding mask, built once per batch
  set_targets(batch, targets);
  return batch;
}

ExampleBatches::ExampleBatches(std::vector<Example> examples, int64_t max_tokens)
    : examples_(std::move(examples)), max_tokens_(max_tokens) {}

std::vector<std::vector<size_t>> ExampleBatches::epoch(Generator& order) const {
  return make_batches(examples_, max_tokens_, order);
}

Batch ExampleBatches::batch(const std::vector<size_t>& indices) const {
  return collate(examples_, indices);
}

}  // namespace attn
