// Training and testing the Neural Turing Machine on generated bit sequences (see ntm_trainer.h).
#include "train/ntm_trainer.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <ostream>
#include <stdexcept>

#include "autograd/ops.h"
#include "tensor/error.h"
#include "tensor/reduce.h"
#include "tensor/thread_pool.h"
#include "train/checkpoint.h"
#include "train/data/numbered_examples.h"
#include "train/io/atomic_file.h"
#include "train/io/directory_lock.h"
#include "train/io/safetensors.h"
#include "train/io/settings_json.h"
#include "train/optim/adam.h"
#include "train/optim/schedule.h"
#include "train/progress.h"
#include "train/step.h"

namespace attn {

// ---- settings -----------------------------------------------------------------------------------

Settings NtmOptions::task_settings() {
  return {
      choice_setting("task", task.task, "what to learn",
                     {{"copy", BitTask::copy}, {"repeat_copy", BitTask::repeat_copy}}),
      integer_setting("bits", task.bits, "bits per vector", 1, 1024),
      integer_setting("min_length", task.min_length, "shortest training sequence", 1, 100000),
      integer_setting("max_length", task.max_length, "longest training sequence", 1, 100000),
      integer_setting("min_repeats", task.min_repeats, "repeat copy: fewest repeats", 1, 1000),
      integer_setting("max_repeats", task.max_repeats, "repeat copy: most repeats", 1, 1000),
  };
}

Settings NtmOptions::saved_settings() {
  return {
      number_setting("learning_rate", learning_rate, "Adam's learning rate", 1e-9, 10)
          .with_option("lr"),
      integer_setting("decay_steps", decay_steps, "the rate halves every N steps (0: never)", 0,
                      1LL << 40),
      integer_setting("batch_size", batch_size, "sequences per batch", 1, 4096),
      number_setting("clip_norm", clip_norm, "the gradients' norm at most (0: off)", 0, 1e9),
      integer_setting("eval_interval", eval_interval, "steps between validations", 1, 1 << 30),
      integer_setting("valid_sequences", valid_sequences, "validation sequences", 1, 1 << 20),
      seed_setting("seed", seed, "seeds the weights and the sequences"),
  };
}

Settings NtmOptions::run_settings() {
  return {
      integer_setting("steps", steps, "stop after this many steps (0: no limit)", 0, 1LL << 40),
      number_setting("minutes", minutes, "... or minutes of training (0: no limit)", 0, 1e7),
      integer_setting("threads", threads, "threads (0: ATTN_NUM_THREADS or all cores)", 0, 1024),
  };
}

// ---- measuring ----------------------------------------------------------------------------------

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The validation and test sequences are another seed's: never among the training ones.
constexpr uint64_t kValidSeedOffset = 1000003;

BitBatch training_batch(const NtmOptions& options, int64_t step) {
  std::vector<BitSequence> sequences;
  const auto first = static_cast<uint64_t>((step - 1) * options.batch_size);
  for (int64_t i = 0; i < options.batch_size; ++i)
    sequences.push_back(numbered_bit_sequence(options.task, options.seed, first + i));
  return batch_bit_sequences(sequences);
}

Variable bit_loss(SequenceModel& model, const BitBatch& batch) {
  const Variable logits = model.forward(Variable(batch.inputs));  // [B, T, O]
  return binary_cross_entropy_with_logits(logits, batch.targets, batch.mask);
}

}  // namespace

BitSequence test_sequence(const BitTaskSpec& task, int64_t length, uint64_t seed, int64_t index) {
  Generator generator(numbered_seed(seed, static_cast<uint64_t>(index)));
  const int64_t repeats =
      task.task == BitTask::copy
          ? 1
          : task.min_repeats +
                static_cast<int64_t>(generator.next_u64() %
                                     static_cast<uint64_t>(task.max_repeats - task.min_repeats + 1));
  return make_bit_sequence(task, length, repeats, generator);
}

BitErrorReport measure_bit_errors(SequenceModel& model, const BitTaskSpec& task, int64_t length,
                                  int64_t count, uint64_t seed, int64_t batch_size) {
  check(length >= 1 && count >= 1 && batch_size >= 1, "measure_bit_errors",
        "length, count and batch size must be >= 1");
  const NoGradGuard no_grad;
  BitErrorReport report;
  report.length = length;
  report.sequences = count;
  int64_t errors = 0, answer_bits = 0, perfect = 0;
  for (int64_t first = 0; first < count; first += batch_size) {
    std::vector<BitSequence> sequences;
    for (int64_t i = first; i < std::min(count, first + batch_size); ++i)
      sequences.push_back(test_sequence(task, length, seed, i));
    const BitBatch batch = batch_bit_sequences(sequences);
    const Tensor logits = model.forward(Variable(batch.inputs)).value();
    const std::vector<int64_t> wrong = bit_errors(logits, batch);
    for (size_t b = 0; b < wrong.size(); ++b) {
      errors += wrong[b];
      if (wrong[b] == 0) ++perfect;
      else report.failed.push_back(first + static_cast<int64_t>(b));
    }
    answer_bits += static_cast<int64_t>(sum(batch.mask).item());
  }
  report.errors_per_sequence = static_cast<double>(errors) / static_cast<double>(count);
  report.bit_error_rate = static_cast<double>(errors) / static_cast<double>(answer_bits);
  report.perfect = static_cast<double>(perfect) / static_cast<double>(count);
  return report;
}

// ---- training -----------------------------------------------------------------------------------

NtmTrainResult train_ntm(NtmOptions options, std::ostream& log) {
  if (options.out_dir.empty()) throw Error("--out DIR is required");
  if (options.threads > 0) set_num_threads(static_cast<int>(options.threads));
  std::filesystem::create_directories(options.out_dir);
  const DirectoryLock lock(options.out_dir);
  const std::string dir = options.out_dir, config_path = dir + "/config.json";
  const std::string checkpoint_path = dir + "/checkpoint.safetensors";
  const bool resuming = std::filesystem::exists(checkpoint_path);
  if (resuming) {
    const Json saved = Json::parse(read_file(config_path));
    NtmOptions asked = options;
    Settings model = options.model.settings(), training = options.saved_settings();
    resume_settings(saved, config_path, model, training, asked.model.settings(),
                    asked.saved_settings(), options.explicit_settings);
    Settings task = options.task_settings();
    settings_from_json(task, saved.at("task"), config_path + ": task");
    refuse_changed_settings(asked.task_settings(), options.task_settings(),
                            options.explicit_settings, config_path);
  }
  options.task.check();
  options.model.input_width = options.task.input_width();
  options.model.output_width = options.task.output_width();
  if (!resuming) {
    options.model.seed = options.seed;
    Json json;
    json["model"] = settings_to_json(options.model.settings());
    json["task"] = settings_to_json(options.task_settings());
    json["training"] = settings_to_json(options.saved_settings());
    write_file_atomically(config_path, json.dump() + "\n");
  }
  const std::unique_ptr<SequenceModel> model = options.model.build();
  AdamOptions adam;
  adam.learning_rate = options.learning_rate;
  Adam optimizer(model->named_parameters(), adam);
  TrainingState state;
  state.epoch_generator = Generator(options.seed).state();  // unused: the data has no epochs
  if (resuming) {
    state = load_checkpoint(checkpoint_path, *model, model->generator(), optimizer);
    log << "resuming at step " << state.step << "\n";
  }
  if (!options.quiet)
    log << dir << ": " << options.model.model_name() << ", " << model->parameter_count()
        << " parameters, " << (options.task.task == BitTask::copy ? "copy" : "repeat copy")
        << " of lengths " << options.task.min_length << ".." << options.task.max_length << "\n";
  if (options.steps == 0 && options.minutes == 0) options.steps = 2000;

  MetricsLog metrics(dir, state.step, "bit_errors");
  const Clock::time_point start = Clock::now();
  double training_seconds = 0, recent_loss = 0;
  int64_t run_steps = 0, bad_steps = 0, recent = 0;
  const StepOptions clipping{0, options.clip_norm, false, false};
  const StepDecaySchedule schedule = halved_every(options.learning_rate, options.decay_steps, 1);
  auto out_of_budget = [&] {
    return (options.steps > 0 && state.step >= options.steps) ||
           (options.minutes > 0 && seconds_since(start) >= options.minutes * 60);
  };
  auto evaluate_and_save = [&] {
    for (const auto& [name, parameter] : model->named_parameters())
      if (!all_finite(parameter.value()))
        throw std::runtime_error("at step " + std::to_string(state.step) + " the weight " + name +
                                 " is not finite; nothing was saved, the last checkpoint in " +
                                 dir + " is the last good state");
    const BitErrorReport valid =
        measure_bit_errors(*model, options.task, options.task.max_length, options.valid_sequences,
                           options.seed + kValidSeedOffset);
    const double loss = recent > 0 ? recent_loss / static_cast<double>(recent) : 0;
    // The checkpoint's two "best" fields hold, for this trainer, the fewest bit errors per
    // validation sequence (best_loss: lower is better) and that run's share of right bits.
    if (state.best_score < 0 || valid.errors_per_sequence < state.best_loss) {
      state.best_loss = valid.errors_per_sequence;
      state.best_score = 100 * (1 - valid.bit_error_rate);
      save_safetensors(dir + "/model.safetensors", model->state_dict(), {{"format", "pt"}});
    }
    metrics.add_eval({state.step, loss, valid.errors_per_sequence});
    if (!options.quiet)
      log << "step " << state.step << " (" << state.step * options.batch_size
          << " sequences): loss " << loss << ", length " << valid.length << ": "
          << valid.errors_per_sequence << " bit errors per sequence, " << 100 * valid.perfect
          << "% perfect\n";
    recent_loss = 0;
    recent = 0;
    state.elapsed_seconds += training_seconds;
    training_seconds = 0;
    save_checkpoint(checkpoint_path, *model, model->generator(), optimizer, state);
    metrics.write_chart();
  };

  model->train();
  while (!out_of_budget()) {
    const Clock::time_point step_start = Clock::now();
    const BitBatch batch = training_batch(options, state.step + 1);
    const real learning_rate = schedule.learning_rate(state.step + 1);
    const StepResult step = descend(bit_loss(*model, batch), optimizer, learning_rate, clipping);
    if (!step.applied) {
      log << "step " << state.step + 1 << " skipped: " << step.problem << "\n";
      if (++bad_steps >= 5)
        throw std::runtime_error("stopped: 5 steps in a row had a loss or gradient that was not "
                                 "finite (the last: " + step.problem + "); the last checkpoint "
                                 "in " + dir + " is the last good state");
      continue;
    }
    bad_steps = 0;
    ++state.step;
    ++run_steps;
    const double step_seconds = seconds_since(step_start);
    training_seconds += step_seconds;
    state.target_tokens += options.batch_size;  // sequences, for this trainer
    recent_loss += step.loss;
    ++recent;
    metrics.add_step({state.step, 1, step.loss, learning_rate,
                      static_cast<double>(options.batch_size) / std::max(step_seconds, 1e-9)});
    if (state.step % options.eval_interval == 0) evaluate_and_save();
  }
  if (state.step % options.eval_interval != 0 || run_steps == 0) evaluate_and_save();
  const double seconds = seconds_since(start);
  log << "done: step " << state.step << ", " << state.step * options.batch_size
      << " sequences, best validation " << state.best_loss << " bit errors per sequence\n";
  return {state.best_loss, state.step, state.step * options.batch_size, seconds};
}

NtmModel NtmModel::load(const std::string& dir) {
  const std::string config_path = dir + "/config.json";
  if (!std::filesystem::is_regular_file(config_path))
    throw Error(dir + " is not an ntm model directory (no config.json)");
  const Json saved = Json::parse(read_file(config_path));
  NtmModel loaded;
  Settings settings = loaded.config.settings();
  settings_from_json(settings, saved.at("model"), config_path + ": model");
  NtmOptions options;
  Settings task = options.task_settings();
  settings_from_json(task, saved.at("task"), config_path + ": task");
  loaded.task = options.task;
  loaded.task.check();
  if (loaded.config.input_width != loaded.task.input_width() ||
      loaded.config.output_width != loaded.task.output_width())
    throw Error(config_path + ": the model's widths do not fit its task");
  loaded.model = loaded.config.build();
  loaded.model->load_state_dict(load_safetensors(dir + "/model.safetensors"));
  loaded.model->eval();
  return loaded;
}

}  // namespace attn
