// The training loop: a run that stops and resumes from its checkpoint continues exactly as a run
// that never stopped (same batches, dropout masks, optimiser state and learning rates).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "models/registry.h"
#include "models/transformer/transformer.h"
#include "train/data/dates.h"
#include "train/io/atomic_file.h"
#include "train/io/directory_lock.h"
#include "train/io/json.h"
#include "train/io/safetensors.h"
#include "train/optim/schedule.h"
#include "train/progress.h"
#include "train/trainer.h"
#include "train/training_loop.h"
#include "train/translator.h"
#include "tests/temporary_path.h"

using namespace attn;

namespace {

std::string temporary_dir(const std::string& name) {
  const std::string dir = temporary_path(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A micro model on a few hundred dates: seconds to train, yet every part of the loop runs.
// Any registered architecture at its micro preset; the Transformer with one layer each side.
TrainOptions micro_options(const std::string& data, const std::string& out,
                           const std::string& arch = "transformer") {
  TrainOptions o;
  o.tsv_path = data + "/train.tsv";
  o.valid_tsv_path = data + "/valid.tsv";
  o.out_dir = out;
  std::shared_ptr<ModelConfig> model = default_model_config(arch);
  model->apply_preset("micro");
  Settings settings = model->settings();
  find_setting(settings, "dropout", arch).set("0.1");  // dropout masks must continue exactly too
  if (arch == "transformer") {
    find_setting(settings, "encoder_layers", arch).set("1");
    find_setting(settings, "decoder_layers", arch).set("1");
  }
  o.model = model;
  o.tokenizer = "char";
  o.batch_tokens = 300;
  o.warmup = 10;
  o.eval_interval = 6;
  o.log_interval = 1;
  o.seed = 3;
  o.threads = 1;
  return o;
}

// The training losses of metrics.jsonl, by step, as written (exact text).
std::vector<std::string> losses(const std::string& dir) {
  std::vector<std::string> values;
  std::ifstream in(dir + "/metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const Json record = Json::parse(line);
    if (record.contains("loss")) values.push_back(Json(record.at("loss").as_number()).dump());
  }
  return values;
}

void write_dates(const std::string& path, int64_t count, uint64_t seed) {
  Generator generator(seed);
  std::string text;
  for (const SentencePair& pair : generate_date_pairs(count, generator))
    text += pair.source + "\t" + pair.target + "\n";
  write_file_atomically(path, text);
}

}  // namespace

namespace {

// Trains 18 steps straight, and 6 then 12 more after a resume, with architecture `arch` (and
// the weights' moving average with this beta, 0: none).
void check_resume_is_exact(const std::string& arch, double average_decay = 0) {
  const std::string data = temporary_dir("trainer_data");
  write_dates(data + "/train.tsv", 100, 1);  // about 8 batches: 18 steps cross two epochs
  write_dates(data + "/valid.tsv", 20, 2);
  std::ostringstream log;

  TrainOptions straight = micro_options(data, temporary_dir("trainer_straight"), arch);
  straight.average_decay = average_decay;
  straight.steps = 18;
  train_translation_model(straight, log);

  TrainOptions interrupted = micro_options(data, temporary_dir("trainer_resumed"), arch);
  interrupted.average_decay = average_decay;
  interrupted.steps = 6;  // stop after the first checkpoint ...
  train_translation_model(interrupted, log);
  interrupted.steps = 18;  // ... and run again in the same directory: it resumes
  const TrainResult resumed = train_translation_model(interrupted, log);

  CHECK(resumed.steps == 18);
  const std::vector<std::string> expected = losses(straight.out_dir);
  REQUIRE(expected.size() == 18);
  CHECK(losses(interrupted.out_dir) == expected);
  CHECK(log.str().find("resuming at step 6") != std::string::npos);

  // Both runs kept the same best weights, byte for byte.
  CHECK(read_file(straight.out_dir + "/model.safetensors") ==
        read_file(interrupted.out_dir + "/model.safetensors"));
}

}  // namespace

TEST_CASE("trainer: for every model, a resumed run's loss curve equals an uninterrupted run's") {
  for (const ModelEntry& entry : model_architectures()) {
    CAPTURE(entry.name);
    check_resume_is_exact(entry.name);
  }
}

TEST_CASE("trainer: with the weights' moving average, a resumed run keeps the same average") {
  check_resume_is_exact("transformer", 0.9);
}

TEST_CASE(
    "training loop: with the weights' moving average, evaluation sees the average and the model "
    "file keeps it; the checkpoint keeps the trained weights") {
  TransformerConfig config = TransformerConfig::micro(9, 9);
  config.dropout = 0;
  Transformer model(config);
  const ExampleBatches data({{{4, 5, 6}, {7, 8}}, {{4, 6}, {8, 7, 6}}}, 100);
  LoopOptions options;
  options.out_dir = temporary_dir("loop_average");
  options.steps = 4;
  options.eval_interval = 4;
  options.average_decay = 0.5;
  std::vector<real> evaluated;  // the first weight as evaluate() saw it
  const Evaluate evaluate = [&](int64_t step) {
    evaluated = model.named_parameters()[0].second.value().to_vector();
    return EvalRecord{step, -1, -1};  // no validation data: the weights evaluated are kept
  };
  std::ostringstream log;
  run_training(model, ConstantSchedule(1e-2), data, evaluate, options, log);

  const std::string name = model.named_parameters()[0].first;
  const StateDict kept = load_safetensors(options.out_dir + "/model.safetensors");
  Metadata metadata;
  const StateDict checkpoint =
      load_safetensors(options.out_dir + "/checkpoint.safetensors", &metadata);
  CHECK(Json::parse(metadata.at("state")).at("average_step").as_int() == 4);
  // theta_avg = a_4 / (1 - 0.5^4), from the checkpoint's running sum.
  const std::vector<real> sum = checkpoint.at("average." + name).to_vector();
  const std::vector<real> trained = checkpoint.at(name).to_vector();
  const std::vector<real> kept_weight = kept.at(name).to_vector();
  REQUIRE(kept_weight.size() == sum.size());
  CHECK(kept_weight == evaluated);
  CHECK(trained == model.named_parameters()[0].second.value().to_vector());
  CHECK(kept_weight != trained);
  for (size_t i = 0; i < sum.size(); ++i)
    CHECK(kept_weight[i] == doctest::Approx(sum[i] / (1 - 0.0625)).epsilon(1e-6));
}

// ---- hardening: what a run reads back is checked, and what it writes is never garbage ----------

namespace {

// A run of 6 steps (one checkpoint) in a fresh directory; returns its options.
TrainOptions six_steps(const std::string& name) {
  const std::string data = temporary_dir("trainer_data_" + name);
  write_dates(data + "/train.tsv", 100, 1);
  write_dates(data + "/valid.tsv", 20, 2);
  TrainOptions options = micro_options(data, temporary_dir("trainer_" + name));
  options.steps = 6;
  std::ostringstream log;
  train_translation_model(options, log);
  return options;
}

// Rewrites one field of the checkpoint's training state.
void set_state_field(const std::string& dir, const std::string& key, const Json& value) {
  const std::string path = dir + "/checkpoint.safetensors";
  Metadata metadata;
  const StateDict tensors = load_safetensors(path, &metadata);
  Json state = Json::parse(metadata.at("state"));
  state[key] = value;
  metadata["state"] = state.dump();
  save_safetensors(path, tensors, metadata);
}

std::string error_of_resuming(TrainOptions options) {
  options.steps = 12;
  std::ostringstream log;
  try {
    train_translation_model(options, log);
  } catch (const std::exception& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("trainer: a checkpoint's training state is checked against what it indexes") {
  const TrainOptions options = six_steps("state");
  const std::string checkpoint = options.out_dir + "/checkpoint.safetensors";
  const std::string good = read_file(checkpoint);
  set_state_field(options.out_dir, "batch_in_epoch", Json(int64_t{-3}));
  CHECK(error_of_resuming(options) ==
        checkpoint + ": batch_in_epoch is -3, outside 0..9223372036854775807");
  write_file_atomically(checkpoint, good);
  set_state_field(options.out_dir, "batch_in_epoch", Json(int64_t{1000000}));
  CHECK(error_of_resuming(options).find("batch_in_epoch 1000000 is past this epoch's") !=
        std::string::npos);
  write_file_atomically(checkpoint, good);
  set_state_field(options.out_dir, "epoch_generator",
                  Json(Json::Array{Json("0"), Json("0"), Json("0"), Json("0")}));
  CHECK(error_of_resuming(options) == checkpoint + ": epoch_generator: the state is all zero");
  write_file_atomically(checkpoint, good);
  set_state_field(options.out_dir, "model_generator",
                  Json(Json::Array{Json("1"), Json("x"), Json("0"), Json("0")}));
  CHECK(error_of_resuming(options) ==
        checkpoint + ": model_generator: 'x' is not a 64-bit whole number");
  write_file_atomically(checkpoint, good);
  set_state_field(options.out_dir, "adam_step", Json(int64_t{-1}));
  CHECK(error_of_resuming(options).find("adam_step is -1") != std::string::npos);
  write_file_atomically(checkpoint, good);
  CHECK(error_of_resuming(options) == "(no error)");  // the untouched checkpoint resumes
}

TEST_CASE(
    "trainer: a second run on a directory in use is refused, and the lock dies with its "
    "holder") {
  const TrainOptions options = six_steps("lock");
  {
    const DirectoryLock other(options.out_dir);  // as another process running `attn train`
    CHECK(error_of_resuming(options).find(options.out_dir + " is in use by another training run") ==
          0);
  }
  CHECK(error_of_resuming(options) == "(no error)");  // released: the run resumes
}

TEST_CASE("trainer: a setting given again with another value is refused when resuming") {
  TrainOptions options = six_steps("explicit");
  options.learning_rate = 7;
  options.explicit_settings = {"learning_rate"};
  CHECK(error_of_resuming(options) ==
        "--lr 7 would change the run in " + options.out_dir +
            ", which resumes with 0 (config.json); leave it out, or train into a new --out");
  TransformerConfig bigger = TransformerConfig::micro();
  bigger.d_model = 32;
  options.model = std::make_shared<TransformerConfig>(bigger);
  options.explicit_settings = {"d_model"};
  CHECK(error_of_resuming(options).find("--d-model 32 would change the run") == 0);
  options.explicit_settings.clear();  // the same values, not given explicitly: resumed as saved
  CHECK(error_of_resuming(options) == "(no error)");
}

TEST_CASE("trainer: a metrics.jsonl cut short by a crash is repaired; a damaged one is named") {
  const TrainOptions options = six_steps("metrics");
  const std::string metrics = options.out_dir + "/metrics.jsonl";
  const std::string good = read_file(metrics);
  write_file_atomically(metrics, good + "{\"epoch\":1,\"learning_ra");  // a torn last line
  CHECK(error_of_resuming(options) == "(no error)");
  std::istringstream lines(read_file(metrics));
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) CHECK_NOTHROW(Json::parse(line));
  CHECK(count == 12 + 2);  // 12 steps and two validations
  write_file_atomically(metrics, "{\"step\":1,\"loss\"\n" + read_file(metrics));
  CHECK(error_of_resuming(options).find(metrics + ":1: json:") == 0);
}

TEST_CASE("trainer: a model too large for the machine is refused before anything is allocated") {
  const std::string data = temporary_dir("trainer_data_huge");
  write_dates(data + "/train.tsv", 20, 1);
  write_dates(data + "/valid.tsv", 5, 2);
  TrainOptions options = micro_options(data, temporary_dir("trainer_huge"));
  TransformerConfig huge = TransformerConfig::micro();
  huge.d_model = 16384;
  huge.d_ff = 65536;
  huge.encoder_layers = huge.decoder_layers = 64;
  options.model = std::make_shared<TransformerConfig>(huge);
  std::ostringstream log;
  CHECK_THROWS_WITH(train_translation_model(options, log),
                    doctest::Contains("TiB with their gradients and Adam's moments, more than "
                                      "the"));
}

TEST_CASE(
    "training loop: steps whose loss is not finite are skipped and named; a few in a row "
    "stop the run with nothing saved") {
  TransformerConfig config = TransformerConfig::micro(9, 9);
  config.dropout = 0;
  Transformer model(config);
  // Token 4's embedding holds a NaN: every batch below uses it, so every loss is NaN.
  model.named_parameters()[0].second.mutable_value().at({4, 0}) = std::nan("");
  const ExampleBatches data({{{4, 5, 6}, {7, 8}}, {{4, 6}, {8, 7, 6}}}, 100);
  LoopOptions options;
  options.out_dir = temporary_dir("loop_diverged");
  options.steps = 10;
  options.eval_interval = 2;
  options.max_bad_steps = 3;
  const Evaluate evaluate = [](int64_t step) { return EvalRecord{step, -1, -1}; };
  std::ostringstream log;
  CHECK_THROWS_WITH(run_training(model, ConstantSchedule(1e-3), data, evaluate, options, log),
                    doctest::Contains("stopped: 3 steps in a row had a loss or gradient that was "
                                      "not finite (the last: the loss is"));
  CHECK(log.str().find("step 1 skipped: the loss is") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(options.out_dir + "/checkpoint.safetensors"));
  CHECK_FALSE(std::filesystem::exists(options.out_dir + "/model.safetensors"));
}

TEST_CASE(
    "metrics: a validation loss too large for exp() gives an infinite perplexity, written as "
    "null, not a crash") {
  const std::string dir = temporary_dir("metrics_inf");
  {
    MetricsLog metrics(dir, 0, "BLEU");
    metrics.add_eval({1, 800.0, 0.0});  // exp(800) overflows a double
    metrics.add_eval({2, std::numeric_limits<double>::infinity(), 0.0});
    metrics.write_chart();
  }
  std::istringstream lines(read_file(dir + "/metrics.jsonl"));
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(Json::parse(first).at("valid_ppl").is_null());
  CHECK(Json::parse(first).at("valid_loss").as_number() == 800);
  CHECK(Json::parse(second).at("valid_loss").is_null());
  MetricsLog reread(dir, 2, "BLEU");  // reads null back as infinity
  std::ostringstream out;
  LoopOptions options;
  Progress(out, options).eval_line({1, 800.0, 0.0});
  CHECK(out.str().find("perplexity inf") != std::string::npos);
}

// ---- what the data asks of the run: skipped pairs, the decoding length limit ------------------

namespace {

// SCAN-like commands (Lake & Baroni 2018): "walk around left thrice" is 4 words for 24 actions.
std::string scan_like_pairs() {
  const std::vector<std::pair<std::string, std::string>> verbs = {
      {"walk", "I_WALK"}, {"run", "I_RUN"}, {"jump", "I_JUMP"}, {"look", "I_LOOK"}};
  const std::vector<std::pair<std::string, int>> modifiers = {
      {"", 1}, {" twice", 2}, {" thrice", 3}, {" around left", -1}, {" around left twice", -2},
      {" around left thrice", -3}};
  std::string text;
  for (const auto& [verb, action] : verbs)
    for (const auto& [modifier, times] : modifiers) {
      std::string actions;
      for (int i = 0; i < (times > 0 ? times : -4 * times); ++i)
        actions += (actions.empty() ? "" : " ") +
                   (times > 0 ? action : "I_TURN_LEFT " + action);  // around: turn and act, x4
      text += verb + modifier + "\t" + actions + "\n";
    }
  return text;
}

// Trains a micro model with the word tokenizer on `train` for `steps` steps; returns the log.
std::string train_words(const std::string& name, const std::string& train, int64_t max_length,
                        int64_t steps) {
  const std::string data = temporary_dir("attn_trainer_data_" + name);
  write_file_atomically(data + "/train.tsv", train);
  write_file_atomically(data + "/valid.tsv", train);
  TrainOptions options = micro_options(data, std::filesystem::temp_directory_path() /
                                                 ("attn_trainer_" + name));
  options.tokenizer = "word";
  options.max_length = max_length;
  options.steps = steps;
  options.eval_interval = 2;
  std::ostringstream log;
  train_translation_model(options, log);
  return log.str();
}

Json saved_length_limit(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("attn_trainer_" + name);
  return Json::parse(read_file((dir / "config.json").string())).at("length_limit");
}

}  // namespace

TEST_CASE("trainer: the decoding length limit is learned from the pairs, saved with the model, "
          "kept by a resumed run; a directory without one keeps the old rule") {
  std::filesystem::remove_all(std::filesystem::temp_directory_path() / "attn_trainer_limit");
  train_words("limit", scan_like_pairs(), 100, 2);
  CHECK(saved_length_limit("limit").dump() == "{\"source_tokens\":4,\"target_tokens\":24}");
  const std::string dir = (std::filesystem::temp_directory_path() / "attn_trainer_limit").string();
  const auto translator = Translator::load(dir);
  CHECK(translator->length_limit().tokens(4) == 24 + 5);  // "walk around left thrice" fits

  // Resumed on data with a larger ratio, the run keeps the limit it was started with.
  const std::string seven_jumps = "jump\tI_JUMP I_JUMP I_JUMP I_JUMP I_JUMP I_JUMP I_JUMP\n";
  const std::string log = train_words("limit", scan_like_pairs() + seven_jumps, 100, 4);
  CHECK(log.find("resuming at step 2") != std::string::npos);
  CHECK(saved_length_limit("limit").dump() == "{\"source_tokens\":4,\"target_tokens\":24}");

  // A model directory written before the limit was learned decodes with the rule of then.
  Json config = Json::parse(read_file(dir + "/config.json"));
  Json::Object without = config.as_object();
  without.erase("length_limit");
  write_file_atomically(dir + "/config.json", Json(without).dump());
  const auto old = Translator::load(dir);
  CHECK_FALSE(old->length_limit().learned());
  CHECK(old->length_limit().tokens(4) == 16);  // 4 x 1.5 + 10
}

TEST_CASE("trainer: more than 1% of the pairs skipped as too long is a warning naming "
          "--max-length and the value that keeps them") {
  std::filesystem::remove_all(std::filesystem::temp_directory_path() / "attn_trainer_skips");
  const std::string log = train_words("skips", scan_like_pairs(), 5, 2);
  // The 12 "around" commands have 8 to 24 actions.
  CHECK(log.find("training: 12 pairs (0 empty and 12 longer than 5 tokens skipped), validation: "
                 "12 pairs (0 empty and 12 longer skipped)") != std::string::npos);
  CHECK(log.find("warning: 12 of 24 training pairs (50.0%) have a side longer than --max-length 5 "
                 "tokens and are skipped; raise it to --max-length 24 to keep them all\n") !=
        std::string::npos);
  CHECK(log.find("warning: 12 of 24 validation pairs (50.0%) have a side longer than "
                 "--max-length 5 tokens and are left out of the validation loss; raise it to "
                 "--max-length 24 to keep them all\n") != std::string::npos);
  // The limit comes from the pairs kept: "walk thrice", 3 actions for 2 words.
  CHECK(saved_length_limit("skips").dump() == "{\"source_tokens\":2,\"target_tokens\":3}");
  // A resumed run cannot raise it: the warning says where it can be.
  const std::string resumed = train_words("skips", scan_like_pairs(), 5, 3);
  CHECK(resumed.find("this run keeps its --max-length: train into a new --out with "
                     "--max-length 24 to keep them all") != std::string::npos);
}

TEST_CASE("trainer: 1% of the pairs skipped is no warning, more is") {
  std::string pairs;
  for (int i = 0; i < 99; ++i) pairs += "walk\tI_WALK\n";
  const std::string one_long = "walk around left\tI_TURN_LEFT I_WALK I_TURN_LEFT I_WALK\n";
  std::filesystem::remove_all(std::filesystem::temp_directory_path() / "attn_trainer_one");
  const std::string one = train_words("one", pairs + one_long, 3, 1);  // 1 of 100
  CHECK(one.find("1 longer than 3 tokens skipped") != std::string::npos);
  CHECK(one.find("warning") == std::string::npos);
  std::filesystem::remove_all(std::filesystem::temp_directory_path() / "attn_trainer_two");
  const std::string two = train_words("two", pairs + one_long + one_long, 3, 1);  // 2 of 101
  CHECK(two.find("warning: 2 of 101 training pairs (2.0%)") != std::string::npos);
}
