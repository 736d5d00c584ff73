// Training and testing memory networks on bAbI (see babi_trainer.h).
#include "train/babi_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "autograd/variable.h"
#include "tensor/thread_pool.h"
#include "train/checkpoint.h"
#include "train/data/babi_data.h"
#include "train/io/atomic_file.h"
#include "train/io/directory_lock.h"
#include "train/io/json.h"
#include "train/io/safetensors.h"
#include "train/io/settings_json.h"
#include "train/optim/schedule.h"
#include "train/optim/sgd.h"
#include "train/training_loop.h"

namespace attn {

Settings BabiOptions::saved_settings() {
  return {
      number_setting("learning_rate", learning_rate, "SGD learning rate (§4.2)", 1e-9, 100)
          .with_option("lr"),
      flag_setting("linear_start", linear_start, "start without the memory softmax (LS, §4.2)"),
      number_setting("linear_start_rate", linear_start_rate, "the learning rate with LS", 1e-9,
                     100),
      integer_setting("linear_start_patience", linear_start_patience,
                      "LS ends after this many epochs without a new lowest validation loss", 1,
                      100000),
      integer_setting("linear_start_epochs", linear_start_epochs, "... or after this many epochs",
                      1, 100000),
      integer_setting("decay_epochs", decay_epochs, "epochs between halvings of the rate", 1,
                      100000),
      integer_setting("batch_size", batch_size, "questions per batch", 1, 4096),
      number_setting("clip_norm", clip_norm, "the gradients' norm at most (0: off)", 0, 1e9),
      flag_setting("clip_each", clip_each,
                   "clip each weight's gradient alone (false: all together, one global norm)"),
      integer_setting("hold_out", hold_out,
                      "without qaN_valid.txt, every N-th story validates (10: 10%)", 2, 1000),
      seed_setting("seed", seed, "seeds the weights, the noise and the data order"),
  };
}

Settings BabiOptions::run_settings() {
  return {
      integer_setting("epochs", epochs, "passes over the training questions after linear start",
                      1, 1000000),
      number_setting("minutes", minutes, "... or minutes of training per run (0: no limit)", 0,
                     1e7),
      integer_setting("runs", runs, "best of N runs, by validation error", 1, 1000),
      integer_setting("threads", threads, "threads (0: ATTN_NUM_THREADS or all cores)", 0, 1024),
  };
}

void BabiOptions::use_joint_recipe() {
  epochs = 60;
  decay_epochs = 15;
}

int babi_task_of(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();  // "qa17_..."
  size_t digits = 0;
  while (2 + digits < name.size() && name[2 + digits] >= '0' && name[2 + digits] <= '9') ++digits;
  if (name.rfind("qa", 0) != 0 || digits == 0 || digits > 2 || 2 + digits >= name.size() ||
      name[2 + digits] != '_')
    return 0;
  const int task = std::stoi(name.substr(2, digits));
  return task >= 1 && task <= 20 ? task : 0;
}

// ---- reading the tasks ------------------------------------------------------------------------

namespace {

std::vector<int> task_numbers(const std::string& task) {
  if (task == "all") {
    std::vector<int> all;
    for (int t = 1; t <= 20; ++t) all.push_back(t);
    return all;
  }
  const bool digits = !task.empty() && task.size() <= 2 &&
                      std::all_of(task.begin(), task.end(), [](char c) { return c >= '0' && c <= '9'; });
  const int number = digits ? std::stoi(task) : 0;
  if (number < 1 || number > 20)
    throw std::runtime_error("--task must be 1..20 or all, got '" + task + "'");
  return {number};
}

struct TaskFiles {
  std::vector<BabiFile> train, valid;
};

TaskFiles read_tasks(const BabiOptions& options) {
  TaskFiles files;
  for (int task : task_numbers(options.task)) {
    const BabiTaskFiles paths = find_babi_task(options.data_dir, task);
    BabiFile train = read_babi(paths.train);
    if (!paths.valid.empty()) {
      files.train.push_back(std::move(train));
      files.valid.push_back(read_babi(paths.valid));
    } else {
      BabiSplit split = hold_out_stories(train, options.hold_out);
      files.train.push_back(std::move(split.kept));
      files.valid.push_back(std::move(split.held_out));
    }
  }
  return files;
}

// The step of the run's checkpoint in `dir`, 0 without one.
int64_t checkpoint_step(const std::string& dir) {
  const std::string path = dir + "/checkpoint.safetensors";
  if (!std::filesystem::exists(path)) return 0;
  Metadata metadata;
  load_safetensors(path, &metadata);
  if (!metadata.count("state")) throw std::runtime_error(path + ": no training state in metadata");
  return TrainingState::from_json(Json::parse(metadata.at("state"))).step;
}

// The validation losses metrics.jsonl records up to `step`, in order: on resume, what linear
// start has seen so far.
std::vector<double> logged_losses(const std::string& dir, int64_t step) {
  std::vector<double> losses;
  const std::string path = dir + "/metrics.jsonl";
  if (!std::filesystem::exists(path)) return losses;
  std::istringstream lines(read_file(path));
  for (std::string line; std::getline(lines, line);) {
    try {
      const Json record = Json::parse(line);
      if (record.contains("valid_loss") && record.at("step").as_int() <= step)
        losses.push_back(record.at("valid_loss").is_null()
                             ? std::numeric_limits<double>::infinity()
                             : record.at("valid_loss").as_number());
    } catch (const std::exception&) {
      // a torn last line: the training loop drops it
    }
  }
  return losses;
}

// Whether linear start should end after the validation losses `losses` (one per epoch): no new
// lowest loss in the last `patience` of them, or `most` of them.
bool linear_start_is_over(const std::vector<double>& losses, int64_t patience, int64_t most) {
  const int64_t n = static_cast<int64_t>(losses.size());
  if (n >= most) return true;
  const auto lowest = std::min_element(losses.begin(), losses.end());
  return n > 0 && n - 1 - (lowest - losses.begin()) >= patience;
}

// The reference code's rates: constant while linear; from the switch on, halved every `every`
// steps counted from the switch (without linear start, from the first step).
class LinearStartSchedule : public Schedule {
 public:
  LinearStartSchedule(real rate, int64_t every, bool linear_start, const int64_t& softmax_from_step)
      : rate_(rate), every_(every), linear_start_(linear_start), softmax_from_step_(softmax_from_step) {}
  real learning_rate(int64_t step) const override {
    if (linear_start_ && softmax_from_step_ == 0) return rate_;
    const int64_t since = step - 1 - (linear_start_ ? softmax_from_step_ : 0);
    return static_cast<real>(rate_ * std::pow(0.5, static_cast<double>(std::max<int64_t>(since, 0) / every_)));
  }

 private:
  real rate_;
  int64_t every_;
  bool linear_start_;
  const int64_t& softmax_from_step_;  // 0 while linear
};

Json config_json(MemN2NConfig& config, const Vocabulary& vocabulary, BabiOptions& options,
                 int64_t softmax_from_step) {
  Json json = run_config_json(config.settings(), vocabulary.to_json(), options.saved_settings());
  json["task"] = Json(options.task);
  json["softmax_from_step"] = Json(softmax_from_step);
  return json;
}

// One run into `dir`: returns the validation error of its best weights.
double train_one_run(BabiOptions options, const std::string& dir, std::ostream& log) {
  std::filesystem::create_directories(dir);
  const DirectoryLock lock(dir);
  const std::string config_path = dir + "/config.json";
  const bool resuming = std::filesystem::exists(dir + "/checkpoint.safetensors");
  const TaskFiles files = read_tasks(options);

  MemN2NConfig config = options.model;
  Vocabulary vocabulary;
  int64_t softmax_from_step = 0;  // 0: linear start has not ended
  if (resuming) {
    const Json saved = Json::parse(read_file(config_path));
    BabiOptions asked = options;  // as given now, to compare with what the run saved
    Settings model_settings = config.settings(), training = options.saved_settings();
    resume_settings(saved, config_path, model_settings, training, asked.model.settings(),
                    asked.saved_settings(), options.explicit_settings);
    vocabulary = Vocabulary::from_json(saved.at("vocabulary"));
    softmax_from_step = saved.at("softmax_from_step").as_int();
  } else {
    std::vector<BabiFile> all = files.train;
    all.insert(all.end(), files.valid.begin(), files.valid.end());
    vocabulary = babi_vocabulary(all);
    config.source_vocab = config.target_vocab = vocabulary.size();
    config.seed = options.seed;
    config.linear = options.linear_start;
    check_fits_in_memory(config, 3, " with their gradients");
  }
  MemN2N model(config);
  const int64_t resumed_at = checkpoint_step(dir);
  const bool linear = options.linear_start && (softmax_from_step == 0 || resumed_at < softmax_from_step);
  model.set_softmax(!linear);
  auto write_config = [&] {
    MemN2NConfig saved = model.config();
    write_file_atomically(config_path,
                          config_json(saved, vocabulary, options, softmax_from_step).dump() + "\n");
  };
  if (!resuming) write_config();

  const BabiData train(files.train, vocabulary, config.memory_size, options.batch_size);
  const BabiData valid(files.valid, vocabulary, config.memory_size, options.batch_size);
  const int64_t batches = (static_cast<int64_t>(train.size()) + options.batch_size - 1) /
                          options.batch_size;
  if (!options.quiet)
    log << dir << ": " << train.size() << " training and " << valid.size()
        << " validation questions, vocabulary " << vocabulary.size() << ", "
        << model.parameter_count() << " parameters\n";

  std::vector<double> linear_losses = logged_losses(dir, resumed_at);  // while linear
  const Evaluate evaluate = [&](int64_t step) {
    const double loss = mean_loss(model, valid);
    const double error = error_rate(model, vocabulary, files.valid);
    const bool was_linear = model.config().linear;
    if (!options.quiet)
      log << "epoch " << step / batches << ": validation loss " << loss << ", error "
          << 100 * error << "%" << (was_linear ? " (linear start)" : "") << "\n";
    if (was_linear) {
      linear_losses.push_back(loss);
      const bool decided = softmax_from_step > 0 && step >= softmax_from_step;  // a resumed run
      if (decided || linear_start_is_over(linear_losses, options.linear_start_patience,
                                          options.linear_start_epochs)) {
        model.set_softmax(true);
        softmax_from_step = step;
        write_config();  // before the checkpoint of this step: a resumed run switches here too
        if (!options.quiet) log << "linear start ends: the memory layers get their softmax\n";
      }
    }
    // While linear, no weights are the best: the model kept is one with its softmax.
    return EvalRecord{step, loss, was_linear ? -1 : 100 * (1 - error)};
  };

  LoopOptions loop;
  loop.out_dir = dir;
  loop.epochs = options.epochs + (options.linear_start ? options.linear_start_epochs : 0);
  loop.minutes = options.minutes;
  loop.eval_interval = batches;
  loop.log_interval = std::numeric_limits<int64_t>::max();
  // The paper's rate is for summed gradients, and its clipping for each weight on its own.
  loop.step = StepOptions{0, options.clip_norm, true, options.clip_each};
  loop.score_name = "accuracy";
  loop.seed = options.seed;
  const real rate = options.linear_start ? options.linear_start_rate : options.learning_rate;
  loop.optimizer = [rate](NamedParameters parameters) {
    return std::make_unique<SGD>(std::move(parameters), rate);
  };
  const LinearStartSchedule schedule(rate, options.decay_epochs * batches, options.linear_start,
                                     softmax_from_step);
  std::ostringstream loop_log;
  run_training(model, schedule, train, evaluate, loop, options.quiet ? loop_log : log);

  const BabiModel best = BabiModel::load(dir);
  return error_rate(*best.model, best.vocabulary, files.valid);
}

void copy_run(const std::string& from, const std::string& to) {
  for (const char* name : {"config.json", "model.safetensors", "metrics.jsonl", "loss.svg"})
    if (std::filesystem::exists(from + "/" + name))
      write_file_atomically(to + "/" + name, read_file(from + "/" + name));
}

}  // namespace

BabiTrainResult train_babi_model(const BabiOptions& options, std::ostream& log) {
  if (options.out_dir.empty()) throw std::runtime_error("--out DIR is required");
  if (options.data_dir.empty()) throw std::runtime_error("--data DIR is required");
  if (options.threads > 0) set_num_threads(static_cast<int>(options.threads));
  task_numbers(options.task);  // a bad --task is refused before anything is written
  const auto start = std::chrono::steady_clock::now();
  BabiTrainResult result;
  if (options.runs == 1) {
    result.validation_error = train_one_run(options, options.out_dir, log);
  } else {
    for (int64_t run = 1; run <= options.runs; ++run) {
      BabiOptions this_run = options;
      this_run.seed = options.seed + static_cast<uint64_t>(run - 1);
      const std::string dir = options.out_dir + "/run-" + std::to_string(run);
      const double error = train_one_run(this_run, dir, log);
      log << "run " << run << ": validation error " << 100 * error << "%\n";
      if (run == 1 || error < result.validation_error) {
        result.validation_error = error;
        result.best_run = run;
      }
    }
    const DirectoryLock lock(options.out_dir);
    copy_run(options.out_dir + "/run-" + std::to_string(result.best_run), options.out_dir);
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

// ---- a trained model --------------------------------------------------------------------------

BabiModel BabiModel::load(const std::string& dir) {
  const std::string config_path = dir + "/config.json";
  if (!std::filesystem::is_regular_file(config_path))
    throw std::runtime_error(dir + " is not a bAbI model directory (no config.json)");
  const Json saved = Json::parse(read_file(config_path));
  MemN2NConfig config;
  Settings settings = config.settings();
  settings_from_json(settings, saved.at("model"), config_path + ": model");
  BabiModel loaded;
  loaded.vocabulary = Vocabulary::from_json(saved.at("vocabulary"));
  if (loaded.vocabulary.size() != config.target_vocab)
    throw std::runtime_error(config_path + ": the vocabulary has " +
                             std::to_string(loaded.vocabulary.size()) + " words, the model " +
                             std::to_string(config.target_vocab));
  config.check();
  check_fits_in_memory(config, 1);
  loaded.model = std::make_unique<MemN2N>(config);
  loaded.model->load_state_dict(load_safetensors(dir + "/model.safetensors"));
  loaded.model->eval();
  return loaded;
}

std::vector<int64_t> predict_answers(MemN2N& model, const Vocabulary& vocabulary,
                                     const BabiFile& file) {
  NoGradGuard no_grad;
  EvalModeGuard eval(model);
  const BabiData data({file}, vocabulary, model.config().memory_size, 32);
  std::vector<int64_t> answers;
  for (size_t start = 0; start < data.size(); start += 32) {
    std::vector<size_t> indices;
    for (size_t i = start; i < std::min(data.size(), start + 32); ++i) indices.push_back(i);
    const Batch batch = data.batch(indices);
    const Tensor logits = model.answer_logits(model.read(batch.source).answer_features).value();
    const int64_t V = logits.size(1);
    for (int64_t b = 0; b < logits.size(0); ++b) {
      const real* row = logits.data() + b * V;
      answers.push_back(std::max_element(row, row + V) - row);
    }
  }
  return answers;
}

double error_rate(MemN2N& model, const Vocabulary& vocabulary, const std::vector<BabiFile>& files) {
  double wrong = 0, questions = 0;
  for (const BabiFile& file : files) {
    const double count = static_cast<double>(file.questions.size());
    wrong += error_rate(model, vocabulary, file) * count;
    questions += count;
  }
  return questions > 0 ? wrong / questions : 0;
}

double error_rate(MemN2N& model, const Vocabulary& vocabulary, const BabiFile& file) {
  const std::vector<int64_t> answers = predict_answers(model, vocabulary, file);
  int64_t wrong = 0;
  for (size_t i = 0; i < answers.size(); ++i)
    wrong += answers[i] != vocabulary.id(file.questions[i].answer) ? 1 : 0;
  return answers.empty() ? 0 : static_cast<double>(wrong) / static_cast<double>(answers.size());
}

}  // namespace attn
