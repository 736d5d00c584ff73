// bAbI questions as word-id batches (see babi_data.h).
#include "train/data/babi_data.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "tensor/error.h"
#include "train/data/batching.h"

namespace attn {

Vocabulary babi_vocabulary(const std::vector<BabiFile>& files) {
  std::map<std::string, int64_t> counts;
  for (const BabiFile& file : files) {
    for (const BabiStory& story : file.stories)
      for (const auto& sentence : story.sentences)
        for (const std::string& word : sentence) ++counts[word];
    for (const BabiQuestion& question : file.questions) {
      for (const std::string& word : question.words) ++counts[word];
      ++counts[question.answer];
    }
  }
  return Vocabulary::from_counts(counts);
}

BabiSplit hold_out_stories(const BabiFile& file, int64_t every) {
  check(every >= 2, "hold_out_stories", "every must be at least 2, got " + std::to_string(every));
  BabiSplit split;
  split.kept.path = split.held_out.path = file.path;
  std::vector<int64_t> new_index(file.stories.size());
  for (size_t s = 0; s < file.stories.size(); ++s) {
    BabiFile& part = (static_cast<int64_t>(s) + 1) % every == 0 ? split.held_out : split.kept;
    new_index[s] = static_cast<int64_t>(part.stories.size());
    part.stories.push_back(file.stories[s]);
  }
  for (const BabiQuestion& question : file.questions) {
    const size_t s = static_cast<size_t>(question.story);
    BabiFile& part = (static_cast<int64_t>(s) + 1) % every == 0 ? split.held_out : split.kept;
    BabiQuestion moved = question;
    moved.story = new_index[s];
    part.questions.push_back(moved);
  }
  return split;
}

BabiData::BabiData(const std::vector<BabiFile>& files, const Vocabulary& vocabulary,
                   int64_t memory_size, int64_t batch_size)
    : batch_size_(batch_size) {
  check(memory_size >= 1 && batch_size >= 1, "BabiData",
        "memory_size and batch_size must be at least 1");
  for (size_t f = 0; f < files.size(); ++f) {
    std::vector<Story> stories;
    for (const BabiStory& story : files[f].stories) {
      Story ids;
      for (const auto& sentence : story.sentences) ids.push_back(vocabulary.encode(sentence));
      stories.push_back(std::move(ids));
    }
    stories_.push_back(std::move(stories));
    for (const BabiQuestion& question : files[f].questions)
      questions_.push_back({f, static_cast<size_t>(question.story),
                            std::max<int64_t>(0, question.sentences_before - memory_size),
                            question.sentences_before, vocabulary.encode(question.words),
                            vocabulary.id(question.answer)});
  }
}

std::vector<std::vector<size_t>> BabiData::epoch(Generator& order) const {
  std::vector<size_t> items(questions_.size());
  std::iota(items.begin(), items.end(), size_t{0});
  shuffle(items, order);
  std::vector<std::vector<size_t>> batches;
  for (size_t start = 0; start < items.size(); start += static_cast<size_t>(batch_size_)) {
    const size_t end = std::min(items.size(), start + static_cast<size_t>(batch_size_));
    batches.emplace_back(items.begin() + static_cast<std::ptrdiff_t>(start),
                         items.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return batches;
}

Batch BabiData::batch(const std::vector<size_t>& indices) const {
  const int64_t B = static_cast<int64_t>(indices.size());
  int64_t S = 1, J = 1, Q = 1;  // the longest memory, sentence and question in the batch
  for (size_t i : indices) {
    const Question& q = questions_[i];
    const Story& story = stories_[q.file][q.story];
    S = std::max(S, q.end - q.first);
    for (int64_t s = q.first; s < q.end; ++s)
      J = std::max(J, static_cast<int64_t>(story[static_cast<size_t>(s)].size()));
    Q = std::max(Q, static_cast<int64_t>(q.words.size()));
  }
  Tensor words = Tensor::zeros({B, S, J}), mask = Tensor::zeros({B, S});
  Tensor query = Tensor::zeros({B, Q}), answers = Tensor::zeros({B, 1});
  for (int64_t b = 0; b < B; ++b) {
    const Question& q = questions_[indices[static_cast<size_t>(b)]];
    const Story& story = stories_[q.file][q.story];
    for (int64_t s = q.first; s < q.end; ++s) {
      const int64_t slot = s - q.first;  // oldest first, from slot 0
      mask.data()[b * S + slot] = 1;
      const auto& sentence = story[static_cast<size_t>(s)];
      for (size_t j = 0; j < sentence.size(); ++j)
        words.data()[(b * S + slot) * J + static_cast<int64_t>(j)] = static_cast<real>(sentence[j]);
    }
    for (size_t j = 0; j < q.words.size(); ++j)
      query.data()[b * Q + static_cast<int64_t>(j)] = static_cast<real>(q.words[j]);
    answers.data()[b] = static_cast<real>(q.answer);
  }
  Batch batch;
  batch.source.input = words;    // [B, S, J]
  batch.source.mask = mask;      // [B, S]
  batch.source.query = query;    // [B, J] (its own J)
  batch.target_in = Tensor::full({B, 1}, static_cast<real>(Vocabulary::bos));
  batch.target_out = answers;    // [B, 1]
  batch.target_tokens = B;
  return batch;
}

}  // namespace attn
