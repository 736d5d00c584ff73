// Toy sequence-to-sequence tasks, and the loop that trains a Transformer on them.
//
// Two tasks with one right answer, on random sequences of abstract symbols:
//   copy:     a c b d  ->  a c b d       cross-attention must learn "target i reads source i"
//   reverse:  a c b d  ->  d b c a       "target i reads source n-1-i": it must know n
// Each is the smallest test that a whole encoder-decoder works: masks, positions, attention,
// the loss and the optimiser must all be right for a model to reach ~100% on sequences it has
// never seen, because there are far more sequences (10^5 .. 10^10) than training examples.
//
// Training is the paper's recipe in miniature (Vaswani et al. 2017, §5.3-5.4): Adam with
// beta2 = 0.98, eps = 1e-9, the Noam schedule (linear warm-up, then 1/sqrt(step) decay),
// label smoothing 0.1, teacher forcing; every batch is freshly drawn.
// Evaluation is honest: greedy decoding (models/greedy.h) of fresh sequences, scored per token
// against the reference and its <eos>, so a model that only does well under teacher forcing
// still fails.
#pragma once

#include <cstdint>
#include <functional>

#include "models/transformer/transformer.h"
#include "train/data/batching.h"
#include "train/text/vocabulary.h"

namespace attn {

enum class ToyTaskKind { copy, reverse };

struct ToyTask {
  ToyTaskKind kind = ToyTaskKind::copy;  // what the target is: the source, or it reversed
  int64_t symbols = 10;     // distinct symbols, ids first_symbol .. first_symbol + symbols - 1
  int64_t min_length = 5;   // shortest source sequence
  int64_t max_length = 10;  // longest source sequence; lengths are uniform in between

  // Symbols follow the reserved ids <pad> <bos> <eos> <unk> (train/vocabulary.h).
  static constexpr int64_t first_symbol = Vocabulary::unk + 1;
  int64_t vocabulary_size() const { return first_symbol + symbols; }
};

// "copy" or "reverse".
const char* to_string(ToyTaskKind kind);

// One random source sequence and its target (ids, without <bos>/<eos>).
Example toy_example(const ToyTask& task, Generator& generator);
// `rows` fresh examples, padded into a batch (train/batching.h).
Batch toy_batch(const ToyTask& task, int64_t rows, Generator& generator);

struct ToyTrainingOptions {
  int64_t steps = 1000;             // optimiser updates, one fresh batch each
  int64_t batch_size = 32;          // sequences per batch
  real peak_learning_rate = 3e-3;   // the Noam schedule's top, reached at the end of warm-up
  int64_t warmup_steps = 100;       // linear warm-up (post-LN needs it: nn/layer_config.h)
  real label_smoothing = 0.1;       // e of §5.4
  real clip_norm = 1;               // global gradient-norm clip (Pascanu et al. 2013)
  uint64_t data_seed = 1;           // seeds the training batches
};

// Called after each step with the step (from 1) and that batch's loss.
using ToyStepCallback = std::function<void(int64_t step, real loss)>;

// Trains `model` in place; returns the mean loss over the last 10% of steps.
real train_toy_task(Transformer& model, const ToyTask& task, const ToyTrainingOptions& options,
                    const ToyStepCallback& on_step = {});

struct ToyScore {
  int64_t correct_tokens = 0;     // reference positions (symbols and <eos>) decoded right
  int64_t total_tokens = 0;       // reference positions, <eos> included
  int64_t correct_sequences = 0;  // sequences decoded exactly, <eos> included
  int64_t total_sequences = 0;
  double token_accuracy() const;     // correct_tokens / total_tokens
  double sequence_accuracy() const;  // correct_sequences / total_sequences
};

// Greedy-decodes `count` fresh sequences drawn from `generator` and scores them.
ToyScore evaluate_toy_task(Transformer& model, const ToyTask& task, int64_t count,
                           Generator& generator);

}  // namespace attn
