// Training a translation model: text in, the training loop (training_loop.h) run on it.
#include "train/trainer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <ostream>
#include <stdexcept>

#include "models/registry.h"
#include "tensor/thread_pool.h"
#include "train/data/batching.h"
#include "train/data/corpus.h"
#include "train/io/atomic_file.h"
#include "train/io/directory_lock.h"
#include "train/io/settings_json.h"
#include "train/metrics/bleu.h"
#include "train/optim/schedule.h"
#include "train/text/bpe.h"
#include "train/training_loop.h"
#include "train/translator.h"

namespace attn {

namespace {

Corpus read_corpus(const std::string& source, const std::string& target, const std::string& tsv) {
  if (!tsv.empty()) return read_tsv(tsv);
  return read_parallel_files(source, target);
}

// ---- tokens -----------------------------------------------------------------------------------

std::shared_ptr<const Tokenizer> learn_tokenizer(const std::vector<std::string>& texts,
                                                 const TrainOptions& options) {
  if (options.tokenizer == "char") return std::make_shared<CharTokenizer>();
  if (options.tokenizer == "word") return std::make_shared<WordTokenizer>();
  if (options.tokenizer == "bpe")
    return std::make_shared<BpeTokenizer>(BpeTokenizer::learn(texts, options.bpe_merges));
  throw std::runtime_error("--tokenizer must be char, word or bpe, got '" + options.tokenizer + "'");
}

TextSide build_side(const std::vector<std::string>& texts, const TrainOptions& options) {
  TextSide side;
  side.tokenizer = learn_tokenizer(texts, options);
  std::map<std::string, int64_t> counts;
  for (const std::string& text : texts)
    for (const std::string& token : side.tokenizer->tokenize(text)) ++counts[token];
  side.vocabulary = Vocabulary::from_counts(counts, options.min_frequency);
  return side;
}

// The model to train: the chosen architecture and settings, told the data's sizes.
std::unique_ptr<ModelConfig> model_config(const TrainOptions& options, int64_t source_vocab,
                                          int64_t target_vocab) {
  std::unique_ptr<ModelConfig> config =
      options.model ? options.model->clone() : default_model_config("transformer");
  config->source_vocab = source_vocab;
  config->target_vocab = target_vocab;
  config->max_length = std::max<int64_t>(256, options.max_length + 2);  // + <bos>/<eos>
  config->seed = options.seed;
  return config;
}

// "17.0%"
std::string format_percent(int64_t part, int64_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100.0 * static_cast<double>(part) /
                                                 static_cast<double>(std::max<int64_t>(whole, 1)));
  return text;
}

// A corpus as ids: the pairs kept, and those skipped for a side over max_length tokens.
struct EncodedPairs {
  std::vector<Example> examples;
  int64_t skipped = 0;
  int64_t longest_skipped = 0;  // the most tokens on a side of a skipped pair
};

EncodedPairs encode_pairs(const Corpus& corpus, const Translator& translator, int64_t max_length) {
  EncodedPairs encoded;
  for (const SentencePair& pair : corpus.pairs) {
    Example example{
        translator.source().vocabulary.encode(translator.source().tokenizer->tokenize(pair.source)),
        translator.target().vocabulary.encode(translator.target().tokenizer->tokenize(pair.target))};
    const auto longest_side =
        static_cast<int64_t>(std::max(example.source.size(), example.target.size()));
    if (longest_side > max_length) {
      ++encoded.skipped;
      encoded.longest_skipped = std::max(encoded.longest_skipped, longest_side);
      continue;
    }
    encoded.examples.push_back(std::move(example));
  }
  return encoded;
}

// A warning line when more than 1% of a set's pairs are too long: a few outliers are expected,
// more means the limit (or the tokenizer) does not suit the data, and the model silently
// learns from, or is validated on, a different corpus than the one given. `what` says what
// becomes of them: training skips them, validation leaves them out of its loss (BLEU still
// translates them).
void warn_if_many_skipped(const EncodedPairs& encoded, const std::string& set,
                          const std::string& what, int64_t max_length, bool resuming,
                          std::ostream& log) {
  const int64_t total = static_cast<int64_t>(encoded.examples.size()) + encoded.skipped;
  if (encoded.skipped * 100 <= total) return;
  const std::string keep = "--max-length " + std::to_string(encoded.longest_skipped);
  log << "warning: " << encoded.skipped << " of " << total << " " << set << " pairs ("
      << format_percent(encoded.skipped, total) << ") have a side longer than --max-length "
      << max_length << " tokens and " << what << "; "
      << (resuming ? "this run keeps its --max-length: train into a new --out with " + keep
                   : "raise it to " + keep)
      << " to keep them all\n";
}

std::unique_ptr<Schedule> make_schedule(const TrainOptions& o, int64_t d_model) {
  if (o.schedule == "noam")
    return std::make_unique<NoamSchedule>(d_model, o.warmup, o.learning_rate > 0 ? o.learning_rate : 1);
  if (o.schedule == "constant")
    return std::make_unique<ConstantSchedule>(o.learning_rate > 0 ? o.learning_rate : real(5e-4));
  throw std::runtime_error("--schedule must be noam or constant, got '" + o.schedule + "'");
}

// ---- a resumed run, and a run too large ----------------------------------------------------------

// A resumed run keeps the settings it was started with (DIR/config.json). One given explicitly
// again with another value would be ignored without a word, so it is refused instead.
void check_unchanged(const TrainOptions& requested, TrainOptions& saved_run,
                     const ModelConfig& saved_model, const std::string& dir) {
  TrainOptions asked = requested;
  const std::unique_ptr<ModelConfig> saved_config = saved_model.clone();
  const std::unique_ptr<ModelConfig> asked_config =
      requested.model ? requested.model->clone() : default_model_config("transformer");
  const std::vector<std::pair<Settings, Settings>> pairs = {
      {asked.saved_settings(), saved_run.saved_settings()},
      {asked_config->settings(), saved_config->settings()}};
  for (const auto& [given, kept] : pairs)
    for (size_t i = 0; i < given.size(); ++i) {
      const Setting& setting = given[i];
      if (!requested.explicit_settings.count(setting.name)) continue;
      const std::string value = setting.get(), saved = kept[i].get();
      if (value != saved)
        throw std::runtime_error("--" + setting.option + " " + value + " would change the run " +
                                 "in " + dir + ", which resumes with " + saved +
                                 " (config.json); leave it out, or train into a new --out");
    }
}

// ---- validation -------------------------------------------------------------------------------

double validation_bleu(Translator& translator, const Corpus& corpus, int64_t max_sentences) {
  std::vector<std::string> sources, references;
  for (const SentencePair& pair : corpus.pairs) {
    if (max_sentences > 0 && static_cast<int64_t>(sources.size()) >= max_sentences) break;
    sources.push_back(pair.source);
    references.push_back(pair.target);
  }
  TranslateOptions options;
  options.batch_size = 64;
  return corpus_bleu(translator.translate(sources, options), references).score;
}

}  // namespace

// ---- the options as settings ------------------------------------------------------------------

Settings TrainOptions::saved_settings() {
  return {
      text_setting("tokenizer", tokenizer, "how text is cut into tokens", {"char", "word", "bpe"}),
      integer_setting("bpe_merges", bpe_merges, "BPE merges learned per language", 0, 1 << 20),
      integer_setting("min_frequency", min_frequency, "rarer tokens become <unk>", 1),
      integer_setting("max_length", max_length,
                      "pairs with a side longer than N tokens are skipped (a warning past 1%)", 1,
                      1 << 16),
      integer_setting("batch_tokens", batch_tokens, "padded tokens per batch", 1, 1 << 24),
      text_setting("schedule", schedule, "learning-rate schedule (noam: Vaswani §5.3)",
                   {"noam", "constant"}),
      integer_setting("warmup", warmup, "Noam warm-up steps", 1, 1 << 30),
      number_setting("learning_rate", learning_rate,
                     "constant: the rate (0: 5e-4); noam: its factor (0: 1)", 0, 1e6)
          .with_option("lr"),
      number_setting("label_smoothing", label_smoothing, "e_ls of Vaswani et al. §5.4", 0, 0.99),
      number_setting("clip_norm", clip_norm, "the gradients' global norm at most (0: off)", 0, 1e9),
      number_setting("average_decay", average_decay,
                     "evaluate and keep the weights' moving average with this beta (0: off)", 0,
                     0.999999),
      seed_setting("seed", seed, "seeds the weights, dropout and data order"),
  };
}

Settings TrainOptions::run_settings() {
  return {
      integer_setting("steps", steps, "stop after N steps (0: no limit)", 0),
      integer_setting("epochs", epochs, "... or N passes over the data (0: no limit)", 0),
      number_setting("minutes", minutes, "... or M minutes (0: no limit; none: 10 epochs)", 0, 1e9),
      integer_setting("threads", threads, "threads (0: ATTN_NUM_THREADS or all cores)", 0, 1024),
      integer_setting("eval_interval", eval_interval, "steps between validations and checkpoints",
                      1),
      integer_setting("log_interval", log_interval, "steps between log lines off a terminal", 1),
      integer_setting("valid_bleu_max", valid_bleu_max,
                      "validation sentences decoded for BLEU (0: all)", 0),
  };
}

// ---- training a translation model --------------------------------------------------------------

TrainResult train_translation_model(const TrainOptions& options, std::ostream& log) {
  if (options.out_dir.empty()) throw std::runtime_error("--out DIR is required");
  if (options.threads > 0) set_num_threads(static_cast<int>(options.threads));
  const std::string dir = options.out_dir;
  if (std::filesystem::exists(dir) && !std::filesystem::is_directory(dir))
    throw std::runtime_error("--out " + dir + " is a file, not a directory");
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw std::runtime_error("cannot create --out " + dir + ": " + error.message());
  const DirectoryLock lock(dir);  // before anything in it is read or written
  const bool resuming = std::filesystem::exists(dir + "/checkpoint.safetensors");

  const Corpus train = read_corpus(options.source_path, options.target_path, options.tsv_path);
  if (train.pairs.empty())
    throw std::runtime_error((options.tsv_path.empty() ? options.source_path : options.tsv_path) +
                             " holds no sentence pair to train on");
  const bool has_valid = !options.valid_tsv_path.empty() || !options.valid_source_path.empty();
  const Corpus valid = has_valid ? read_corpus(options.valid_source_path, options.valid_target_path,
                                               options.valid_tsv_path)
                                 : Corpus{};

  // The saved settings of a resumed run are the run's; the options given now do not change them.
  TrainOptions run = options;
  std::unique_ptr<Translator> translator;
  if (resuming) {
    translator = Translator::from_config(dir);
    Settings saved = run.saved_settings();
    settings_from_json(saved, Json::parse(read_file(dir + "/config.json")).at("training"),
                       dir + "/config.json: training");
    check_unchanged(options, run, translator->config(), dir);
  } else {
    std::vector<std::string> sources, targets;
    for (const SentencePair& pair : train.pairs) {
      sources.push_back(pair.source);
      targets.push_back(pair.target);
    }
    TextSide source = build_side(sources, run), target = build_side(targets, run);
    const std::unique_ptr<ModelConfig> config =
        model_config(run, source.vocabulary.size(), target.vocabulary.size());
    check_fits_in_memory(*config, 4, " with their gradients and Adam's moments");
    translator = std::make_unique<Translator>(*config, std::move(source), std::move(target));
  }
  EncodedPairs train_pairs = encode_pairs(train, *translator, run.max_length);
  EncodedPairs valid_pairs = encode_pairs(valid, *translator, run.max_length);
  if (!resuming) {
    // The decoding limit comes from the pairs trained on; a resumed run keeps the saved one.
    LengthLimit limit;
    for (const Example& example : train_pairs.examples)
      limit.observe(std::max<int64_t>(1, static_cast<int64_t>(example.source.size())),
                    static_cast<int64_t>(example.target.size()));
    translator->set_length_limit(limit);
    Json json = translator->to_json();
    json["training"] = settings_to_json(run.saved_settings());
    write_file_atomically(dir + "/config.json", json.dump() + "\n");
  }
  Seq2Seq& model = translator->model();
  log << "training: " << train_pairs.examples.size() << " pairs (" << train.skipped_empty
      << " empty and " << train_pairs.skipped << " longer than " << run.max_length
      << " tokens skipped)";
  if (has_valid)
    log << ", validation: " << valid_pairs.examples.size() << " pairs (" << valid.skipped_empty
        << " empty and " << valid_pairs.skipped << " longer skipped)";
  log << ", vocabularies " << translator->config().source_vocab << " + "
      << translator->config().target_vocab << ", " << model.parameter_count() << " parameters, "
      << num_threads() << " threads\n";
  warn_if_many_skipped(train_pairs, "training", "are skipped", run.max_length, resuming, log);
  warn_if_many_skipped(valid_pairs, "validation", "are left out of the validation loss",
                       run.max_length, resuming, log);
  const ExampleBatches examples(std::move(train_pairs.examples), run.batch_tokens);
  const ExampleBatches valid_examples(std::move(valid_pairs.examples), run.batch_tokens);

  const Evaluate evaluate = [&](int64_t step) {
    EvalRecord record{step, -1, -1};
    if (valid_examples.examples().empty()) return record;
    record.loss = mean_loss(model, valid_examples);
    record.score = validation_bleu(*translator, valid, run.valid_bleu_max);
    return record;
  };
  LoopOptions loop;
  loop.out_dir = dir;
  loop.steps = run.steps;
  loop.epochs = run.epochs;
  loop.minutes = run.minutes;
  loop.eval_interval = run.eval_interval;
  loop.log_interval = run.log_interval;
  loop.live_progress = run.live_progress;
  loop.step = StepOptions{run.label_smoothing, run.clip_norm};
  loop.average_decay = run.average_decay;
  loop.seed = run.seed;
  const std::unique_ptr<Schedule> schedule = make_schedule(run, translator->config().model_width());
  return run_training(model, *schedule, examples, evaluate, loop, log);
}

}  // namespace attn
