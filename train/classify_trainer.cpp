// Training and testing sentence classifiers (see classify_trainer.h).
#include "train/classify_trainer.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "autograd/ops.h"
#include "tensor/error.h"
#include "tensor/thread_pool.h"
#include "train/data/sentence_batches.h"
#include "train/io/atomic_file.h"
#include "train/io/directory_lock.h"
#include "train/io/safetensors.h"
#include "train/io/settings_json.h"
#include "train/optim/adam.h"
#include "train/optim/schedule.h"
#include "train/training_loop.h"

namespace attn {

// ---- options ------------------------------------------------------------------------------------

Settings ClassifyOptions::saved_settings() {
  return {
      flag_setting("lowercase", lowercase, "lowercase the sentences' ASCII letters"),
      integer_setting("min_count", min_count, "words seen fewer times in training are <unk>", 1,
                      1000000),
      integer_setting("hold_out", hold_out,
                      "without --valid, every N-th training sentence validates (10: 10%)", 2, 1000),
      number_setting("learning_rate", learning_rate, "Adam's learning rate", 1e-9, 10)
          .with_option("lr"),
      integer_setting("decay_epochs", decay_epochs, "the rate halves every N epochs (0: never)", 0,
                      1000000),
      integer_setting("batch_size", batch_size, "sentences per batch", 1, 4096),
      number_setting("clip_norm", clip_norm, "the gradients' norm at most (0: off)", 0, 1e9),
      seed_setting("seed", seed, "seeds the weights, dropout and the data order"),
  };
}

Settings ClassifyOptions::run_settings() {
  return {
      integer_setting("epochs", epochs, "passes over the training sentences (0: no limit)", 0,
                      1000000),
      integer_setting("steps", steps, "... or optimiser steps (0: no limit)", 0, 1LL << 40),
      number_setting("minutes", minutes, "... or minutes of training (0: no limit)", 0, 1e7),
      integer_setting("threads", threads, "threads (0: ATTN_NUM_THREADS or all cores)", 0, 1024),
  };
}

// ---- predictions --------------------------------------------------------------------------------

namespace {

// The largest of `count` values from `row`: its index.
int64_t argmax(const real* row, int64_t count) { return std::max_element(row, row + count) - row; }

}  // namespace

std::vector<int64_t> predict_classes(SentenceClassifier& model, const Vocabulary& vocabulary,
                                     const SentenceFile& file) {
  NoGradGuard no_grad;
  EvalModeGuard eval(model);
  const SentenceBatches data(file, vocabulary, 64);
  std::vector<int64_t> classes;
  for (const std::vector<size_t>& indices : data.in_order()) {
    const Batch batch = data.batch(indices);
    const Tensor logits =
        model.class_logits(model.read(batch.source).features).value().contiguous();  // [B, C]
    const int64_t C = logits.size(1);
    for (int64_t b = 0; b < logits.size(0); ++b) classes.push_back(argmax(logits.data() + b * C, C));
  }
  return classes;
}

double accuracy(SentenceClassifier& model, const Vocabulary& vocabulary, const SentenceFile& file) {
  const std::vector<int64_t> classes = predict_classes(model, vocabulary, file);
  int64_t right = 0;
  for (size_t i = 0; i < classes.size(); ++i) right += classes[i] == file.examples[i].label;
  return classes.empty() ? 0 : 100.0 * static_cast<double>(right) / static_cast<double>(classes.size());
}

Classified classify_sentence(SentenceClassifier& model, const Vocabulary& vocabulary,
                             const std::vector<std::string>& words) {
  check(!words.empty(), "classify_sentence", "the sentence has no words");
  NoGradGuard no_grad;
  EvalModeGuard eval(model);
  SentenceFile one;
  one.examples.push_back({0, words, 1});
  const Batch batch = SentenceBatches(one, vocabulary, 1).batch({0});
  const SentenceReading reading = model.read(batch.source);
  const Tensor probabilities = softmax(model.class_logits(reading.features), 1).value();  // [1, C]
  const Tensor A = reading.weights.value();                                                 // [1, r, S]
  Classified result;
  for (int64_t c = 0; c < probabilities.size(1); ++c) result.probabilities.push_back(probabilities.at({0, c}));
  result.label = std::max_element(result.probabilities.begin(), result.probabilities.end()) -
                 result.probabilities.begin();
  for (int64_t i = 0; i < A.size(1); ++i) {
    std::vector<double> row;
    for (int64_t s = 0; s < A.size(2); ++s) row.push_back(A.at({0, i, s}));
    result.weights.push_back(std::move(row));
  }
  return result;
}

// ---- training -----------------------------------------------------------------------------------

namespace {

struct Splits {
  SentenceFile train, valid;
};

Splits read_splits(const ClassifyOptions& options) {
  SentenceFile train = read_sentences(options.train_path, options.lowercase);
  if (!options.valid_path.empty()) return {std::move(train), read_sentences(options.valid_path, options.lowercase)};
  SentenceSplit split = hold_out_sentences(train, options.hold_out);
  if (split.held_out.examples.empty())
    throw Error(options.train_path + ": too few sentences to hold every " +
                std::to_string(options.hold_out) + "th out for validation; give --valid FILE");
  return {std::move(split.kept), std::move(split.held_out)};
}

// A validation label the model cannot say is an error, not a silent miss.
void check_labels(const SentenceFile& file, int64_t classes) {
  for (const LabelledSentence& example : file.examples)
    if (example.label >= classes)
      throw Error(file.path + ":" + std::to_string(example.line) + ": label " +
                  std::to_string(example.label) + ", but the training sentences have only " +
                  std::to_string(classes) + " classes (0.." + std::to_string(classes - 1) + ")");
}

Json config_json(ClassifierConfig config, const Vocabulary& vocabulary, ClassifyOptions options) {
  Json json = run_config_json(config.settings(), vocabulary.to_json(), options.saved_settings());
  Json data;
  data["train"] = Json(options.train_path);
  data["valid"] = Json(options.valid_path);
  json["data"] = data;
  return json;
}

}  // namespace

ClassifyTrainResult train_classifier(ClassifyOptions options, std::ostream& log) {
  if (options.out_dir.empty()) throw Error("--out DIR is required");
  if (options.train_path.empty()) throw Error("--train FILE is required");
  if (options.threads > 0) set_num_threads(static_cast<int>(options.threads));
  std::filesystem::create_directories(options.out_dir);
  const DirectoryLock lock(options.out_dir);
  const std::string config_path = options.out_dir + "/config.json";
  const bool resuming = std::filesystem::exists(options.out_dir + "/checkpoint.safetensors");

  ClassifierConfig config = options.model;
  Vocabulary vocabulary;
  if (resuming) {
    const Json saved = Json::parse(read_file(config_path));
    ClassifyOptions asked = options;
    Settings model = config.settings(), training = options.saved_settings();
    resume_settings(saved, config_path, model, training, asked.model.settings(),
                    asked.saved_settings(), options.explicit_settings);
    vocabulary = Vocabulary::from_json(saved.at("vocabulary"));
  }
  const Splits data = read_splits(options);
  if (!resuming) {
    vocabulary = sentence_vocabulary(data.train, options.min_count);
    config.source_vocab = vocabulary.size();
    config.target_vocab = special_tokens::count + std::max<int64_t>(data.train.classes(), 2);
    config.seed = options.seed;
    check_fits_in_memory(config, 4, " with their gradients and Adam's moments");
    write_file_atomically(config_path, config_json(config, vocabulary, options).dump() + "\n");
  }
  check_labels(data.valid, config.classes());
  SentenceClassifier model(config);
  const SentenceBatches train(data.train, vocabulary, options.batch_size);
  const SentenceBatches valid(data.valid, vocabulary, options.batch_size);
  if (!options.quiet)
    log << options.out_dir << ": " << train.size() << " training and " << valid.size()
        << " validation sentences, " << config.classes() << " classes, vocabulary "
        << vocabulary.size() << ", " << model.parameter_count() << " parameters\n";

  const Evaluate evaluate = [&](int64_t step) {
    const double loss = mean_loss(model, valid);
    const double right = accuracy(model, vocabulary, data.valid);
    if (!options.quiet)
      log << "step " << step << ": validation loss " << loss << ", accuracy " << right << "%\n";
    return EvalRecord{step, loss, right};
  };
  LoopOptions loop;
  loop.out_dir = options.out_dir;
  loop.steps = options.steps;
  loop.epochs = options.epochs;
  loop.minutes = options.minutes;
  loop.eval_interval = (static_cast<int64_t>(train.size()) + options.batch_size - 1) / options.batch_size;
  loop.step = StepOptions{0, options.clip_norm, false, false};
  loop.score_name = "accuracy";
  loop.seed = options.seed;
  loop.optimizer = [](NamedParameters parameters) {  // Kingma & Ba's defaults
    return std::make_unique<Adam>(std::move(parameters), AdamOptions{});
  };
  const StepDecaySchedule schedule =
      halved_every(options.learning_rate, options.decay_epochs, loop.eval_interval);
  std::ostringstream quiet_log;
  const TrainResult result =
      run_training(model, schedule, train, evaluate, loop, options.quiet ? quiet_log : log);
  return {result.best_score, static_cast<int64_t>(valid.size()), result.steps, result.seconds};
}

// ---- a trained model ----------------------------------------------------------------------------

ClassifyModel ClassifyModel::load(const std::string& dir) {
  const std::string config_path = dir + "/config.json";
  if (!std::filesystem::is_regular_file(config_path))
    throw Error(dir + " is not a classifier model directory (no config.json)");
  const Json saved = Json::parse(read_file(config_path));
  ClassifierConfig config;
  Settings settings = config.settings();
  settings_from_json(settings, saved.at("model"), config_path + ": model");
  ClassifyOptions training;
  Settings training_settings = training.saved_settings();
  settings_from_json(training_settings, saved.at("training"), config_path + ": training");
  ClassifyModel loaded;
  loaded.vocabulary = Vocabulary::from_json(saved.at("vocabulary"));
  loaded.lowercase = training.lowercase;
  if (loaded.vocabulary.size() != config.source_vocab)
    throw Error(config_path + ": the vocabulary has " + std::to_string(loaded.vocabulary.size()) +
                " words, the model " + std::to_string(config.source_vocab));
  config.check();
  check_fits_in_memory(config, 1);
  loaded.model = std::make_unique<SentenceClassifier>(config);
  loaded.model->load_state_dict(load_safetensors(dir + "/model.safetensors"));
  loaded.model->eval();
  return loaded;
}

SentenceFile ClassifyModel::read(const std::string& path) const {
  SentenceFile file = read_sentences(path, lowercase);
  check_labels(file, model->config().classes());
  return file;
}

}  // namespace attn
