// Labelled sentences as a classifier reads them: word ids, batched (train/data/sentences.h).
//
// Each sentence is one example; its class is a one-token target, as a memory network's answer
// (models/classifier/sentence_classifier.h numbers class c as token 4 + c):
//   source.input  word ids, padded with <pad> (0)       [B, S]
//   source.mask   real words                            [B, S]
//   target_in     <bos>                                 [B, 1]
//   target_out    4 + class                             [B, 1]
// Batches are `batch_size` sentences in an order drawn afresh every epoch from the training
// loop's generator, so a resumed run replays its epoch.
#pragma once

#include <cstdint>
#include <vector>

#include "train/data/sentences.h"
#include "train/data/training_data.h"
#include "train/text/vocabulary.h"

namespace attn {

// The words of `file` seen at least `min_count` times, most frequent first; rarer words become
// <unk>, so the model learns an <unk> vector for the words of new sentences it never saw.
Vocabulary sentence_vocabulary(const SentenceFile& file, int64_t min_count);

// The class of target token `id` (4 + c -> c), and back.
int64_t class_token(int64_t label);
int64_t token_class(int64_t id);

class SentenceBatches : public TrainingData {
 public:
  // Encodes every sentence of `file` with `vocabulary` (unknown words become <unk>).
  SentenceBatches(const SentenceFile& file, const Vocabulary& vocabulary, int64_t batch_size);

  std::vector<std::vector<size_t>> epoch(Generator& order) const override;
  Batch batch(const std::vector<size_t>& indices) const override;

  // Batches 0..n-1 in file order (validation, testing): the same every time.
  std::vector<std::vector<size_t>> in_order() const;
  size_t size() const { return sentences_.size(); }
  int64_t label(size_t index) const { return labels_[index]; }

 private:
  std::vector<std::vector<int64_t>> sentences_;
  std::vector<int64_t> labels_;
  int64_t batch_size_;
};

}  // namespace attn
