// Toy sequence-to-sequence tasks: generated data with one right answer.
//
// Two tasks with one right answer, on random sequences of abstract symbols:
//   copy:     a c b d  ->  a c b d       cross-attention must learn "target i reads source i"
//   reverse:  a c b d  ->  d b c a       "target i reads source n-1-i": it must know n
// Each is the smallest test that a whole encoder-decoder works: masks, positions, attention,
// the loss and the optimiser must all be right for a model to reach ~100% on sequences it has
// never seen, because there are far more sequences (10^5 .. 10^10) than training examples.
// The sequences are drawn from a seeded Generator, so the same seed gives the same data on
// every platform. train/toy_training.h trains and scores any model on them.
#pragma once

#include <cstdint>

#include "train/data/batching.h"
#include "train/text/vocabulary.h"

namespace attn {

enum class ToyTaskKind { copy, reverse };

struct ToyTask {
  ToyTaskKind kind = ToyTaskKind::copy;  // what the target is: the source, or it reversed
  int64_t symbols = 10;     // distinct symbols, ids first_symbol .. first_symbol + symbols - 1
  int64_t min_length = 5;   // shortest source sequence
  int64_t max_length = 10;  // longest source sequence; lengths are uniform in between

  // Symbols follow the reserved ids <pad> <bos> <eos> <unk> (train/text/vocabulary.h).
  static constexpr int64_t first_symbol = Vocabulary::unk + 1;
  int64_t vocabulary_size() const { return first_symbol + symbols; }
};

// "copy" or "reverse".
const char* to_string(ToyTaskKind kind);

// One random source sequence and its target (ids, without <bos>/<eos>).
Example toy_example(const ToyTask& task, Generator& generator);
// `rows` fresh examples, padded into a batch (train/data/batching.h).
Batch toy_batch(const ToyTask& task, int64_t rows, Generator& generator);

}  // namespace attn
