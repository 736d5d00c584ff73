// Toy tasks: data, training loop and greedy evaluation (see toy_tasks.h).
#include "train/data/toy_tasks.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "autograd/ops.h"
#include "models/decoding/greedy.h"
#include "tensor/error.h"
#include "train/optim/optimizer.h"
#include "train/optim/schedule.h"

namespace attn {

const char* to_string(ToyTaskKind kind) { return kind == ToyTaskKind::copy ? "copy" : "reverse"; }

// ---- data -------------------------------------------------------------------------------------

Example toy_example(const ToyTask& task, Generator& generator) {
  check(task.symbols >= 1 && task.min_length >= 1 && task.min_length <= task.max_length,
        "toy_example", "needs symbols >= 1 and 1 <= min_length <= max_length");
  const auto draw = [&](int64_t count) {  // uniform in 0 .. count - 1
    return static_cast<int64_t>(generator.uniform() * static_cast<double>(count));
  };
  Example example;
  const int64_t length = task.min_length + draw(task.max_length - task.min_length + 1);
  for (int64_t i = 0; i < length; ++i)
    example.source.push_back(ToyTask::first_symbol + draw(task.symbols));
  example.target = example.source;
  if (task.kind == ToyTaskKind::reverse) std::reverse(example.target.begin(), example.target.end());
  return example;
}

Batch toy_batch(const ToyTask& task, int64_t rows, Generator& generator) {
  std::vector<Example> examples;
  for (int64_t row = 0; row < rows; ++row) examples.push_back(toy_example(task, generator));
  std::vector<size_t> indices(examples.size());
  std::iota(indices.begin(), indices.end(), 0);
  return collate(examples, indices);  // source [B, S], target_in and target_out [B, T]
}

// ---- training ---------------------------------------------------------------------------------

namespace {

// Mean cross-entropy of logits [B, T, V] against target_out [B, T], padding ignored.
Variable sequence_loss(const Variable& logits, const Tensor& target_out, real label_smoothing) {
  const int64_t rows = logits.size(0) * logits.size(1);
  return cross_entropy(reshape(logits, {rows, logits.size(2)}),  // [B T, V]
                       target_out.reshape({rows}),               // [B T]
                       Vocabulary::pad, label_smoothing);
}

}  // namespace

real train_toy_task(Transformer& model, const ToyTask& task, const ToyTrainingOptions& options,
                    const ToyStepCallback& on_step) {
  check(model.config().source_vocab >= task.vocabulary_size() &&
            model.config().target_vocab >= task.vocabulary_size(),
        "train_toy_task", "the model's vocabularies are smaller than the task's " +
                              std::to_string(task.vocabulary_size()) + " ids");
  Generator data(options.data_seed);
  AdamOptions adam;  // §5.3: beta1 = 0.9, beta2 = 0.98, eps = 1e-9
  adam.beta2 = 0.98;
  adam.eps = 1e-9;
  Adam optimizer(model.parameters(), adam);
  // Noam: lr(step) = factor D^-0.5 min(step^-0.5, step warmup^-1.5), whose peak at step = warmup
  // is factor D^-0.5 warmup^-0.5; solved for the factor that puts the peak where asked.
  const real factor = options.peak_learning_rate *
                      std::sqrt(static_cast<real>(model.config().d_model * options.warmup_steps));
  const NoamSchedule schedule(model.config().d_model, options.warmup_steps, factor);

  model.train();
  const int64_t tail = std::max<int64_t>(1, options.steps / 10);
  double tail_loss = 0;
  for (int64_t step = 1; step <= options.steps; ++step) {
    const Batch batch = toy_batch(task, options.batch_size, data);
    const Variable logits = model.forward(batch.source, batch.target_in);  // [B, T, V]
    const Variable loss = sequence_loss(logits, batch.target_out, options.label_smoothing);
    optimizer.zero_grad();
    loss.backward();
    clip_grad_norm(optimizer.parameters(), options.clip_norm);
    apply(schedule, optimizer, step);
    optimizer.step();
    if (step > options.steps - tail) tail_loss += loss.item();
    if (on_step) on_step(step, loss.item());
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

ToyScore evaluate_toy_task(Transformer& model, const ToyTask& task, int64_t count,
                           Generator& generator) {
  constexpr int64_t kRowsPerBatch = 100;
  ToyScore score;
  for (int64_t done = 0; done < count; done += kRowsPerBatch) {
    const int64_t rows = std::min(kRowsPerBatch, count - done);
    const Batch batch = toy_batch(task, rows, generator);
    // Room for the longest target and its <eos>.
    const Tensor decoded = greedy_decode(model, batch.source, Vocabulary::bos, Vocabulary::eos,
                                         task.max_length + 1);  // [B, L]
    for (int64_t row = 0; row < rows; ++row) {
      int64_t correct = 0, length = 0;
      for (int64_t t = 0; t < batch.target_out.size(1); ++t) {
        const real expected = batch.target_out.at({row, t});  // y1 .. yn <eos> <pad>...
        if (expected == Vocabulary::pad) break;
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
