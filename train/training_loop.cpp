// The training loop (see training_loop.h).
#include "train/training_loop.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <ostream>
#include <stdexcept>

#include "autograd/variable.h"
#include "tensor/memory.h"
#include "tensor/reduce.h"
#include "train/checkpoint.h"
#include "train/io/safetensors.h"
#include "train/optim/adam.h"
#include "train/optim/weight_average.h"
#include "train/progress.h"

namespace attn {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

double mean_loss(Seq2Seq& model, const TrainingData& data) {
  NoGradGuard no_grad;
  EvalModeGuard eval(model);
  Generator order(0);
  double total = 0;
  int64_t tokens = 0;
  for (const auto& indices : data.epoch(order)) {
    const Batch batch = data.batch(indices);
    const Variable logits = model.forward(batch.source, batch.target_in);  // [B, T, V]
    total += sequence_loss(logits, batch.target_out, 0).item() *
             static_cast<double>(batch.target_tokens);
    tokens += batch.target_tokens;
  }
  return tokens > 0 ? total / static_cast<double>(tokens) : 0;
}

TrainResult run_training(Seq2Seq& model, const Schedule& schedule, const TrainingData& data,
                         const Evaluate& evaluate, const LoopOptions& requested,
                         std::ostream& log) {
  LoopOptions options = requested;
  if (options.steps == 0 && options.epochs == 0 && options.minutes == 0) options.epochs = 10;
  const std::string dir = options.out_dir;
  std::filesystem::create_directories(dir);
  const std::string checkpoint_path = dir + "/checkpoint.safetensors";
  const std::string weights_path = dir + "/model.safetensors";

  const std::unique_ptr<Optimizer> owned_optimizer =
      options.optimizer ? options.optimizer(model.named_parameters())
                        : std::make_unique<Adam>(model.named_parameters(),
                                                 AdamOptions::transformer_paper());
  Optimizer& optimizer = *owned_optimizer;
  const std::unique_ptr<WeightAverage> average =
      options.average_decay > 0
          ? std::make_unique<WeightAverage>(model.named_parameters(), options.average_decay)
          : nullptr;
  TrainingState state;
  if (std::filesystem::exists(checkpoint_path)) {
    state = load_checkpoint(checkpoint_path, model, optimizer, average.get());
    log << "resuming at step " << state.step << "\n";
  } else {
    state.epoch_generator = Generator(options.seed).state();
  }

  MetricsLog metrics(dir, state.step, options.score_name);
  Progress progress(log, options);
  const Clock::time_point start = Clock::now();
  double training_seconds = 0;
  int64_t run_tokens = 0, run_steps = 0;
  auto out_of_budget = [&] {
    return (options.steps > 0 && state.step >= options.steps) ||
           (options.epochs > 0 && state.epoch >= options.epochs) ||
           (options.minutes > 0 && seconds_since(start) >= options.minutes * 60);
  };
  // Never a weight that is not finite on disk: the last good files stay as they are.
  auto check_finite = [&] {
    for (const auto& [name, parameter] : model.named_parameters())
      if (!all_finite(parameter.value()))
        throw std::runtime_error("at step " + std::to_string(state.step) + " the weight " + name +
                                 " is not finite; nothing was saved, the last checkpoint in " +
                                 dir + " is the last good state");
  };
  auto evaluate_and_save = [&] {
    check_finite();
    {
      const AveragedWeightsInUse averaged(average.get());  // the weights evaluated and kept
      const EvalRecord record = evaluate(state.step);
      if (average) check_finite();  // the average too, before it is saved
      if (record.loss >= 0) {
        const bool better = record.score > state.best_score ||
                            (record.score == state.best_score &&
                             (state.best_loss < 0 || record.loss < state.best_loss));
        if (better) {
          state.best_score = record.score;
          state.best_loss = record.loss;
          save_safetensors(weights_path, model.state_dict(), {{"format", "pt"}});
        }
        metrics.add_eval(record);
        progress.eval_line(record);
      } else {  // without validation data the latest weights are kept
        save_safetensors(weights_path, model.state_dict(), {{"format", "pt"}});
      }
    }
    state.elapsed_seconds += training_seconds;
    training_seconds = 0;
    save_checkpoint(checkpoint_path, model, optimizer, state, average.get());
    metrics.write_chart();
  };

  model.train();
  int64_t bad_steps = 0;  // in a row: a step whose loss or gradient was not finite, not applied
  while (!out_of_budget()) {
    Generator epoch_generator(0);
    epoch_generator.set_state(state.epoch_generator);
    const auto batches = data.epoch(epoch_generator);
    if (state.batch_in_epoch > static_cast<int64_t>(batches.size()))
      throw std::runtime_error(checkpoint_path + ": batch_in_epoch " +
                               std::to_string(state.batch_in_epoch) + " is past this epoch's " +
                               std::to_string(batches.size()) +
                               " batches; was the training data changed?");
    for (; state.batch_in_epoch < static_cast<int64_t>(batches.size()) && !out_of_budget();
         ++state.batch_in_epoch) {
      const Clock::time_point step_start = Clock::now();
      const Batch batch = data.batch(batches[static_cast<size_t>(state.batch_in_epoch)]);
      const StepResult step = train_step(model, batch, optimizer, schedule, state.step + 1,
                                         options.step);
      if (!step.applied) {
        log << (options.live_progress ? "\r\033[K" : "") << "step " << state.step + 1
            << " skipped: " << step.problem << "\n";
        if (++bad_steps >= options.max_bad_steps)
          throw std::runtime_error(
              "stopped: " + std::to_string(bad_steps) + " steps in a row had a loss or gradient "
              "that was not finite (the last: " + step.problem + "); the learning rate may be "
              "too high. The last checkpoint in " + dir + " is the last good state");
        continue;  // the batch is used up; the weights, the optimiser and the step count are not
      }
      bad_steps = 0;
      ++state.step;
      if (average) average->update();
      const double step_seconds = seconds_since(step_start);
      training_seconds += step_seconds;
      run_tokens += batch.target_tokens;
      state.target_tokens += batch.target_tokens;
      ++run_steps;
      metrics.add_step({state.step, state.epoch + 1, step.loss, optimizer.learning_rate(),
                        static_cast<double>(batch.target_tokens) / std::max(step_seconds, 1e-9)});
      progress.step_line(state, batches.size(), step.loss, optimizer.learning_rate(),
                         static_cast<double>(run_tokens) / std::max(seconds_since(start), 1e-9),
                         seconds_since(start), run_steps);
      if (state.step % options.eval_interval == 0) {
        state.batch_in_epoch += 1;  // the checkpoint resumes after this batch
        evaluate_and_save();
        state.batch_in_epoch -= 1;
      }
    }
    if (state.batch_in_epoch >= static_cast<int64_t>(batches.size())) {
      ++state.epoch;
      state.batch_in_epoch = 0;
      state.epoch_generator = epoch_generator.state();
    }
  }
  if (state.step % options.eval_interval != 0 || run_steps == 0) evaluate_and_save();
  progress.finish();

  TrainResult result;
  result.steps = state.step;
  result.best_score = state.best_score;
  result.best_loss = state.best_loss;
  result.seconds = seconds_since(start);
  result.tokens_per_second = static_cast<double>(run_tokens) / std::max(result.seconds, 1e-9);
  log << "done: step " << state.step << ", " << static_cast<int64_t>(result.tokens_per_second)
      << " target tokens/s";
  if (state.best_score >= 0) log << ", best validation " << options.score_name << " " << state.best_score;
  log << "; at most " << byte_size_text(static_cast<double>(peak_tensor_bytes()))
      << " of tensors were live at once\n";
  return result;
}

}  // namespace attn
