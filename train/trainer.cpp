// The training loop behind `attn train` (see trainer.h for the steps).
#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <stdexcept>

#include "autograd/ops.h"
#include "tensor/thread_pool.h"
#include "train/io/atomic_file.h"
#include "train/data/batching.h"
#include "train/metrics/bleu.h"
#include "train/text/bpe.h"
#include "train/checkpoint.h"
#include "train/data/corpus.h"
#include "train/progress.h"
#include "train/optim/schedule.h"
#include "train/translator.h"

namespace attn {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

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

TransformerConfig model_config(const TrainOptions& options, int64_t source_vocab,
                               int64_t target_vocab) {
  TransformerConfig config = TransformerConfig::preset(options.preset, source_vocab, target_vocab);
  if (options.d_model > 0) config.d_model = options.d_model;
  if (options.heads > 0) config.heads = options.heads;
  if (options.d_ff > 0) config.d_ff = options.d_ff;
  if (options.encoder_layers > 0) config.encoder_layers = options.encoder_layers;
  if (options.decoder_layers > 0) config.decoder_layers = options.decoder_layers;
  config.score = options.score;
  config.norm = options.norm == "pre" ? NormPlacement::pre : NormPlacement::post;
  if (options.norm != "pre" && options.norm != "post")
    throw std::runtime_error("--norm must be post or pre, got '" + options.norm + "'");
  config.dropout = options.dropout;
  config.max_length = std::max<int64_t>(256, options.max_length + 2);  // + <bos>/<eos>
  config.seed = options.seed;
  return config;
}

// Pairs as ids; pairs with a side over max_length tokens are dropped and counted.
std::vector<Example> encode_pairs(const Corpus& corpus, const Translator& translator,
                                  int64_t max_length, int64_t& dropped) {
  std::vector<Example> examples;
  dropped = 0;
  for (const SentencePair& pair : corpus.pairs) {
    Example example{
        translator.source().vocabulary.encode(translator.source().tokenizer->tokenize(pair.source)),
        translator.target().vocabulary.encode(translator.target().tokenizer->tokenize(pair.target))};
    if (static_cast<int64_t>(example.source.size()) > max_length ||
        static_cast<int64_t>(example.target.size()) > max_length) {
      ++dropped;
      continue;
    }
    examples.push_back(std::move(example));
  }
  return examples;
}

// ---- the options a resumed run must keep -------------------------------------------------------

Json training_json(const TrainOptions& o) {
  Json json;
  json["tokenizer"] = Json(o.tokenizer);
  json["bpe_merges"] = Json(o.bpe_merges);
  json["min_frequency"] = Json(o.min_frequency);
  json["max_length"] = Json(o.max_length);
  json["batch_tokens"] = Json(o.batch_tokens);
  json["schedule"] = Json(o.schedule);
  json["warmup"] = Json(o.warmup);
  json["learning_rate"] = Json(static_cast<double>(o.learning_rate));
  json["label_smoothing"] = Json(static_cast<double>(o.label_smoothing));
  json["clip_norm"] = Json(static_cast<double>(o.clip_norm));
  json["seed"] = Json(static_cast<int64_t>(o.seed));
  return json;
}

void restore_training_options(const Json& json, TrainOptions& o) {
  o.tokenizer = json.at("tokenizer").as_string();
  o.bpe_merges = json.at("bpe_merges").as_int();
  o.min_frequency = json.at("min_frequency").as_int();
  o.max_length = json.at("max_length").as_int();
  o.batch_tokens = json.at("batch_tokens").as_int();
  o.schedule = json.at("schedule").as_string();
  o.warmup = json.at("warmup").as_int();
  o.learning_rate = static_cast<real>(json.at("learning_rate").as_number());
  o.label_smoothing = static_cast<real>(json.at("label_smoothing").as_number());
  o.clip_norm = static_cast<real>(json.at("clip_norm").as_number());
  o.seed = static_cast<uint64_t>(json.at("seed").as_int());
}

std::unique_ptr<Schedule> make_schedule(const TrainOptions& o, int64_t d_model) {
  if (o.schedule == "noam")
    return std::make_unique<NoamSchedule>(d_model, o.warmup, o.learning_rate > 0 ? o.learning_rate : 1);
  if (o.schedule == "constant")
    return std::make_unique<ConstantSchedule>(o.learning_rate > 0 ? o.learning_rate : real(5e-4));
  throw std::runtime_error("--schedule must be noam or constant, got '" + o.schedule + "'");
}

// ---- one step and validation ---------------------------------------------------------------------

// Mean cross-entropy per target token of a batch: logits [B, T, V] against target_out [B, T].
Variable batch_loss(Transformer& model, const Batch& batch, real label_smoothing) {
  const Variable logits = model.forward(batch.source, batch.target_in);  // [B, T, V]
  const int64_t rows = batch.target_out.numel(), vocab = logits.size(-1);
  return cross_entropy(reshape(logits, {rows, vocab}),              // [B*T, V]
                       batch.target_out.reshape({rows}),             // [B*T]
                       Vocabulary::pad, label_smoothing);
}

// Validation loss per target token (no smoothing, no dropout).
double validation_loss(Transformer& model, const std::vector<Example>& examples,
                       int64_t batch_tokens) {
  NoGradGuard no_grad;
  model.eval();
  Generator order(0);
  double total = 0;
  int64_t tokens = 0;
  for (const auto& indices : make_batches(examples, batch_tokens, order)) {
    const Batch batch = collate(examples, indices);
    total += batch_loss(model, batch, 0).item() * static_cast<double>(batch.target_tokens);
    tokens += batch.target_tokens;
  }
  model.train();
  return tokens > 0 ? total / static_cast<double>(tokens) : 0;
}

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

// ---- the loop -----------------------------------------------------------------------------------

TrainResult train_translation_model(const TrainOptions& requested, std::ostream& log) {
  if (requested.out_dir.empty()) throw std::runtime_error("--out DIR is required");
  TrainOptions options = requested;
  if (options.threads > 0) set_num_threads(options.threads);
  std::filesystem::create_directories(options.out_dir);
  const std::string dir = options.out_dir;
  const std::string checkpoint_path = dir + "/checkpoint.safetensors";
  const bool resuming = std::filesystem::exists(checkpoint_path);

  const Corpus train = read_corpus(options.source_path, options.target_path, options.tsv_path);
  if (train.pairs.empty()) throw std::runtime_error("the training data holds no sentence pairs");
  const bool has_valid = !options.valid_tsv_path.empty() || !options.valid_source_path.empty();
  const Corpus valid = has_valid ? read_corpus(options.valid_source_path, options.valid_target_path,
                                               options.valid_tsv_path)
                                 : Corpus{};

  std::unique_ptr<Translator> translator;
  if (resuming) {
    translator = Translator::from_config(dir);
    restore_training_options(Json::parse(read_file(dir + "/config.json")).at("training"), options);
  } else {
    std::vector<std::string> sources, targets;
    for (const SentencePair& pair : train.pairs) {
      sources.push_back(pair.source);
      targets.push_back(pair.target);
    }
    TextSide source = build_side(sources, options), target = build_side(targets, options);
    const TransformerConfig config =
        model_config(options, source.vocabulary.size(), target.vocabulary.size());
    translator = std::make_unique<Translator>(config, std::move(source), std::move(target));
    Json json = translator->to_json();
    json["training"] = training_json(options);
    write_file_atomically(dir + "/config.json", json.dump() + "\n");
  }
  Transformer& model = translator->model();
  int64_t dropped = 0, dropped_valid = 0;
  const std::vector<Example> examples = encode_pairs(train, *translator, options.max_length, dropped);
  const std::vector<Example> valid_examples =
      encode_pairs(valid, *translator, options.max_length, dropped_valid);

  AdamOptions adam;
  adam.beta1 = 0.9, adam.beta2 = 0.98, adam.eps = 1e-9;  // Vaswani §5.3
  Adam optimizer(model.parameters(), adam);
  const std::unique_ptr<Schedule> schedule = make_schedule(options, model.config().d_model);
  TrainingState state;
  if (resuming) {
    state = load_checkpoint(checkpoint_path, model, optimizer);
  } else {
    state.epoch_generator = Generator(options.seed).state();
  }

  MetricsLog metrics(dir, state.step);
  log << (resuming ? "resuming at step " + std::to_string(state.step) : std::string("training"))
      << ": " << examples.size() << " pairs (" << train.skipped_empty << " empty and " << dropped
      << " longer than " << options.max_length << " tokens skipped), vocabularies "
      << model.config().source_vocab << " + " << model.config().target_vocab << ", "
      << model.parameter_count() << " parameters, " << num_threads() << " threads\n";

  Progress progress(log, options, requested.steps);
  const Clock::time_point start = Clock::now();
  double training_seconds = 0;
  int64_t run_tokens = 0, run_steps = 0;
  auto out_of_budget = [&] {
    return (requested.steps > 0 && state.step >= requested.steps) ||
           (requested.epochs > 0 && state.epoch >= requested.epochs) ||
           (requested.minutes > 0 && seconds_since(start) >= requested.minutes * 60);
  };
  auto evaluate_and_save = [&] {
    EvalRecord record{state.step, -1, -1};
    if (!valid_examples.empty()) {
      record.loss = validation_loss(model, valid_examples, options.batch_tokens);
      record.bleu = validation_bleu(*translator, valid, options.valid_bleu_max);
      const bool better = record.bleu > state.best_bleu ||
                          (record.bleu == state.best_bleu && record.loss < state.best_loss);
      if (better) {
        state.best_bleu = record.bleu;
        state.best_loss = record.loss;
        translator->save_weights(dir);
      }
      metrics.add_eval(record);
      progress.eval_line(record);
    } else {
      translator->save_weights(dir);  // without validation data the latest weights are kept
    }
    state.elapsed_seconds += training_seconds;
    training_seconds = 0;
    save_checkpoint(checkpoint_path, model, optimizer, state);
    metrics.write_chart();
  };

  model.train();
  while (!out_of_budget()) {
    Generator epoch_generator(0);
    epoch_generator.set_state(state.epoch_generator);
    const auto batches = make_batches(examples, options.batch_tokens, epoch_generator);
    for (; state.batch_in_epoch < static_cast<int64_t>(batches.size()) && !out_of_budget();
         ++state.batch_in_epoch) {
      const Clock::time_point step_start = Clock::now();
      const Batch batch = collate(examples, batches[static_cast<size_t>(state.batch_in_epoch)]);
      Variable loss = batch_loss(model, batch, options.label_smoothing);
      optimizer.zero_grad();
      loss.backward();
      if (options.clip_norm > 0) clip_grad_norm(optimizer.parameters(), options.clip_norm);
      ++state.step;
      optimizer.set_learning_rate(schedule->learning_rate(state.step));
      optimizer.step();
      const double step_seconds = seconds_since(step_start);
      training_seconds += step_seconds;
      run_tokens += batch.target_tokens;
      state.target_tokens += batch.target_tokens;
      ++run_steps;
      metrics.add_step({state.step, state.epoch + 1, loss.item(), optimizer.learning_rate(),
                        static_cast<double>(batch.target_tokens) / std::max(step_seconds, 1e-9)});
      progress.step_line(state, batches.size(), loss.item(), optimizer.learning_rate(),
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
  result.best_bleu = state.best_bleu;
  result.best_loss = state.best_loss;
  result.seconds = seconds_since(start);
  result.tokens_per_second = static_cast<double>(run_tokens) / std::max(result.seconds, 1e-9);
  log << "done: step " << state.step << ", " << static_cast<int64_t>(result.tokens_per_second)
      << " target tokens/s";
  if (state.best_bleu >= 0) log << ", best validation BLEU " << state.best_bleu;
  log << "\n";
  return result;
}

}  // namespace attn
