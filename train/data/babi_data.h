// bAbI questions as a memory network reads them: word ids, batched (Sukhbaatar et al. 2015, §4).
//
// Each question is one example. Its memory is the story's statements before it, at most the
// `memory_size` most recent (§4.2: 50), oldest first; the answer is one word of the same
// vocabulary, trained as a one-token target (models/memn2n/memn2n.h):
//   source.input  story words      [B, S, J]   S memory slots, J words, padded with <pad> (0)
//   source.mask   real sentences   [B, S]
//   source.query  question words   [B, J]
//   target_in     <bos>            [B, 1]
//   target_out    the answer       [B, 1]
// Batches are `batch_size` questions in an order drawn afresh every epoch (§4.2: 32).
#pragma once

#include <cstdint>
#include <vector>

#include "train/data/babi.h"
#include "train/data/training_data.h"
#include "train/text/vocabulary.h"

namespace attn {

// Every word of the files' stories, questions and answers, most frequent first.
Vocabulary babi_vocabulary(const std::vector<BabiFile>& files);

// The file's stories split in two, every `every`-th story (from the last of each group) apart:
// the paper's validation set is 10% of the training set (§4.2), held out whole stories at a time.
struct BabiSplit {
  BabiFile kept, held_out;
};
BabiSplit hold_out_stories(const BabiFile& file, int64_t every);

class BabiData : public TrainingData {
 public:
  // Encodes every question of `files` with `vocabulary` (unknown words become <unk>).
  BabiData(const std::vector<BabiFile>& files, const Vocabulary& vocabulary, int64_t memory_size,
           int64_t batch_size);

  std::vector<std::vector<size_t>> epoch(Generator& order) const override;
  Batch batch(const std::vector<size_t>& indices) const override;

  size_t size() const { return questions_.size(); }

 private:
  struct Question {
    size_t file, story;
    int64_t first, end;          // memory: the story's sentences [first, end)
    std::vector<int64_t> words;  // the question
    int64_t answer;
  };
  using Story = std::vector<std::vector<int64_t>>;  // each sentence's word ids

  std::vector<std::vector<Story>> stories_;  // [file][story]
  std::vector<Question> questions_;
  int64_t batch_size_;
};

}  // namespace attn
