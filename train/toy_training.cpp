// Training and scoring a model on a toy task (see toy_training.h).
#include "train/toy_training.h"

#include <algorithm>
#include <cmath>

#include "models/decoding/greedy.h"
#include "models/seq2seq/special_tokens.h"
#include "tensor/error.h"
#include "train/optim/adam.h"
#include "train/optim/schedule.h"
#include "train/step.h"

namespace attn {

// ---- training ---------------------------------------------------------------------------------

real train_toy_task(Seq2Seq& model, int64_t model_width, const ToyTask& task,
                    const ToyTrainingOptions& options, const ToyStepCallback& on_step) {
  check(model.target_vocab() >= task.vocabulary_size(), "train_toy_task",
        "the model's vocabulary is smaller than the task's " +
            std::to_string(task.vocabulary_size()) + " ids");
  Generator data(options.data_seed);
  Adam optimizer(model.named_parameters(), AdamOptions::transformer_paper());
  // Noam: lr(step) = factor D^-0.5 min(step^-0.5, step warmup^-1.5), whose peak at step = warmup
  // is factor D^-0.5 warmup^-0.5; solved for the factor that puts the peak where asked.
  const real factor =
      options.peak_learning_rate * std::sqrt(static_cast<real>(model_width * options.warmup_steps));
  const NoamSchedule schedule(model_width, options.warmup_steps, factor);
  const StepOptions step_options{options.label_smoothing, options.clip_norm};

  model.train();
  const int64_t tail = std::max<int64_t>(1, options.steps / 10);
  double tail_loss = 0;
  for (int64_t step = 1; step <= options.steps; ++step) {
    const Batch batch = toy_batch(task, options.batch_size, data);
    const real loss = train_step(model, batch, optimizer, schedule, step, step_options).loss;
    if (step > options.steps - tail) tail_loss += loss;
    if (on_step) on_step(step, loss);
  }
  return static_cast<real>(tail_loss / static_cast<double>(tail));
}

// ---- evaluation -------------------------------------------------------------------------------

double ToyScore::token_accuracy() const {
  return total_tokens == 0 ? 0 : double(correct_tokens) / double(total_tokens);
}

double ToyScore::sequence_accuracy() const {
  return total_sequences == 0 ? 0 : double(correct_sequences) / double(total_sequences);
}

ToyScore evaluate_toy_task(Seq2Seq& model, const ToyTask& task, int64_t count,
                           Generator& generator) {
  constexpr int64_t kRowsPerBatch = 100;
  ToyScore score;
  for (int64_t done = 0; done < count; done += kRowsPerBatch) {
    const int64_t rows = std::min(kRowsPerBatch, count - done);
    const Batch batch = toy_batch(task, rows, generator);
    GreedyOptions greedy;
    greedy.max_length = task.max_length + 1;  // room for the longest target and its <eos>
    const Tensor decoded = greedy_decode(model, batch.source, greedy).tokens;  // [B, L]
    for (int64_t row = 0; row < rows; ++row) {
      int64_t correct = 0, length = 0;
      for (int64_t t = 0; t < batch.target_out.size(1); ++t) {
        const real expected = batch.target_out.at({row, t});  // y1 .. yn <eos> <pad>...
        if (expected == special_tokens::pad) break;
        const bool decoded_here = t < decoded.size(1);
        correct += decoded_here && decoded.at({row, t}) == expected;
        ++length;
      }
      score.correct_tokens += correct;
      score.total_tokens += length;
      score.correct_sequences += correct == length;
      ++score.total_sequences;
    }
  }
  return score;
}

}  // namespace attn
