// Labelled sentences as word-id batches (see sentence_batches.h).
#include "train/data/sentence_batches.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "tensor/error.h"
#include "train/data/batching.h"

namespace attn {

Vocabulary sentence_vocabulary(const SentenceFile& file, int64_t min_count) {
  std::map<std::string, int64_t> counts;
  for (const LabelledSentence& example : file.examples)
    for (const std::string& word : example.words) ++counts[word];
  return Vocabulary::from_counts(counts, min_count);
}

int64_t class_token(int64_t label) { return special_tokens::count + label; }
int64_t token_class(int64_t id) { return id - special_tokens::count; }

SentenceBatches::SentenceBatches(const SentenceFile& file, const Vocabulary& vocabulary,
                                 int64_t batch_size)
    : batch_size_(batch_size) {
  check(batch_size >= 1, "SentenceBatches", "batch_size must be at least 1");
  for (const LabelledSentence& example : file.examples) {
    sentences_.push_back(vocabulary.encode(example.words));
    labels_.push_back(example.label);
  }
}

namespace {

std::vector<std::vector<size_t>> cut(const std::vector<size_t>& items, int64_t batch_size) {
  std::vector<std::vector<size_t>> batches;
  for (size_t start = 0; start < items.size(); start += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(items.size(), start + static_cast<size_t>(batch_size));
    batches.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(start),
                         items.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return batches;
}

}  // namespace

std::vector<std::vector<size_t>> SentenceBatches::epoch(Generator& order) const {
  std::vector<size_t> items(sentences_.size());
  std::iota(items.begin(), items.end(), size_t{0});
  shuffle(items, order);
  return cut(items, batch_size_);
}

std::vector<std::vector<size_t>> SentenceBatches::in_order() const {
  std::vector<size_t> items(sentences_.size());
  std::iota(items.begin(), items.end(), size_t{0});
  return cut(items, batch_size_);
}

Batch SentenceBatches::batch(const std::vector<size_t>& indices) const {
  const auto B = static_cast<int64_t>(indices.size());
  int64_t S = 1;
  for (size_t i : indices) S = std::max(S, static_cast<int64_t>(sentences_[i].size()));
  Tensor words = Tensor::zeros({B, S});  // [B, S], <pad> = 0
  Tensor classes = Tensor::zeros({B, 1});
  for (int64_t b = 0; b < B; ++b) {
    const size_t i = indices[static_cast<size_t>(b)];
    for (size_t s = 0; s < sentences_[i].size(); ++s)
      words.at({b, static_cast<int64_t>(s)}) = static_cast<real>(sentences_[i][s]);
    classes.at({b, 0}) = static_cast<real>(class_token(labels_[i]));
  }
  Batch batch;
  batch.source = token_source(words);
  batch.target_in = Tensor::full({B, 1}, static_cast<real>(special_tokens::bos));  // [B, 1]
  batch.target_out = classes;                                                    // [B, 1]
  batch.target_tokens = B;
  return batch;
}

}  // namespace attn
