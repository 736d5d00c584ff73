// Training and testing the Show, Attend and Tell captioner (see caption_trainer.h).
#include "train/caption_trainer.h"

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "autograd/variable.h"
#include "models/decoding/beam_search.h"
#include "models/decoding/greedy.h"
#include "tensor/block_cache.h"
#include "tensor/error.h"
#include "tensor/thread_pool.h"
#include "train/encoder_pretraining.h"
#include "train/io/atomic_file.h"
#include "train/io/directory_lock.h"
#include "train/io/safetensors.h"
#include "train/io/settings_json.h"
#include "train/metrics/attention_on_image.h"
#include "train/metrics/bleu.h"
#include "train/optim/schedule.h"
#include "train/training_loop.h"

namespace attn {

// ---- the data ---------------------------------------------------------------------------------

Json SceneData::to_json() const {
  Json json;
  json["kind"] = Json(kind);
  json["images"] = Json(images);
  return json;
}

SceneData SceneData::from_json(const Json& json, const std::string& where) {
  SceneData data;
  data.kind = json.at("kind").as_string();
  data.images = json.at("images").as_string();
  if (data.kind != "shapes" && data.kind != "mnist")
    throw Error(where + ": kind must be shapes or mnist, got '" + data.kind + "'");
  return data;
}

void SceneData::read_digits() const {
  if (digits_) return;
  digits_ = std::make_shared<const IdxImages>(read_idx_images(images));
  labels_ = std::make_shared<const std::vector<uint8_t>>(read_idx_labels(labels_path_for(images)));
}

DigitSplit SceneData::split() const {
  if (kind != "mnist") return {};
  return default_digit_split(digit_count());
}

int64_t SceneData::digit_count() const {
  read_digits();
  return digits_->count;
}

std::unique_ptr<SceneSource> SceneData::source(uint64_t seed, const DigitPool& pool,
                                               HeldOutMode mode,
                                               const DigitDistortion& distortion) const {
  if (kind == "shapes") {
    ShapeSceneOptions options;
    options.mode = mode;
    return std::make_unique<ShapeSceneSource>(options, seed);
  }
  read_digits();
  DigitSceneOptions options;
  options.distortion = distortion;
  return std::make_unique<DigitSceneSource>(digits_, labels_, pool, options, seed);
}

std::unique_ptr<SceneSource> SceneData::single_digits(uint64_t seed, const DigitPool& pool,
                                                      int64_t canvas,
                                                      const DigitDistortion& distortion) const {
  check(kind == "mnist", "caption trainer", "pretraining the encoder needs --mnist digits");
  read_digits();
  DigitSceneOptions options;
  options.canvas = canvas;
  options.min_digits = options.max_digits = 1;
  options.distortion = distortion;
  return std::make_unique<DigitSceneSource>(digits_, labels_, pool, options, seed);
}

// ---- options ----------------------------------------------------------------------------------

Settings CaptionOptions::saved_settings() {
  return {
      number_setting("learning_rate", learning_rate, "Adam's learning rate", 1e-9, 10)
          .with_option("lr"),
      integer_setting("decay_epochs", decay_epochs, "the rate halves every N epochs (0: never)", 0,
                      1000000),
      integer_setting("batch_size", batch_size, "scenes per batch", 1, 4096),
      integer_setting("scenes_per_epoch", scenes_per_epoch, "fresh scenes per epoch", 1, 1 << 30),
      integer_setting("valid_scenes", valid_scenes, "validation scenes (the same every epoch)", 1,
                      1 << 20),
      number_setting("clip_norm", clip_norm, "the gradients' norm at most (0: off)", 0, 1e9),
      number_setting("label_smoothing", label_smoothing,
                     "e_ls: 1 - e on the reference word, e spread over all (Szegedy et al. 2016)",
                     0, 0.99),
      number_setting("average_decay", average_decay,
                     "evaluate and keep the weights' moving average with this beta (0: off)", 0,
                     0.999999),
      number_setting("distort", distort,
                     "mnist: training digits rotated, scaled, sheared this strongly (0..2)", 0, 2),
      number_setting("elastic", elastic,
                     "mnist: training digits bent by an elastic field this strong (alpha, pixels; "
                     "sigma 4)",
                     0, 60),
      integer_setting("pretrain_steps", pretrain_steps,
                      "mnist: first train the encoder this many steps to name single digits "
                      "(encoder_pretraining.h; 0: off)",
                      0, 1 << 30),
      flag_setting("freeze_encoder", freeze_encoder,
                   "mnist: after pretraining, train the captioner around a fixed encoder, as the "
                   "paper's VGG is fixed (§4.3)"),
      seed_setting("seed", seed, "seeds the weights, the scenes and the data order"),
  };
}

DigitDistortion CaptionOptions::distortion() const {
  DigitDistortion distortion = DigitDistortion::of_strength(distort);
  distortion.elastic = elastic;
  return distortion;
}

Settings CaptionOptions::run_settings() {
  return {
      integer_setting("epochs", epochs, "passes of scenes_per_epoch scenes (0: no limit)", 0,
                      1000000),
      integer_setting("steps", steps, "... or optimiser steps (0: no limit)", 0, 1LL << 40),
      number_setting("minutes", minutes, "... or minutes of training (0: no limit)", 0, 1e7),
      integer_setting("threads", threads, "threads (0: ATTN_NUM_THREADS or all cores)", 0, 1024),
  };
}

// ---- captions and their scores ----------------------------------------------------------------

std::vector<Captioned> caption_images(ShowAttendTell& model, const Vocabulary& vocabulary,
                                      const Tensor& images, int64_t beam) {
  NoGradGuard no_grad;
  EvalModeGuard eval(model);
  const Source source{images, Tensor()};
  const int64_t B = images.size(0);
  std::vector<Captioned> captions(static_cast<size_t>(B));
  Tensor tokens, attention;  // [B, n], and with greedy [B, n, 1, 1, L]
  if (beam > 1) {
    BeamSearchOptions options;
    options.beam_size = beam;
    options.max_length = 32;
    tokens = beam_search(model, source, options);
  } else {
    GreedyOptions options;
    options.max_length = 32;
    options.keep_attention = true;
    const Decoded decoded = greedy_decode(model, source, options);
    tokens = decoded.tokens;
    attention = decoded.attention;
  }
  for (int64_t b = 0; b < B; ++b) {
    Captioned& caption = captions[static_cast<size_t>(b)];
    for (int64_t t = 0; t < tokens.size(1); ++t) {
      const auto id = static_cast<int64_t>(tokens.at({b, t}));
      if (id == Vocabulary::eos || id == Vocabulary::pad) break;
      caption.words.push_back(vocabulary.token(id));
      if (!attention.defined()) continue;
      const int64_t L = attention.size(-1);
      std::vector<double> weights(static_cast<size_t>(L));
      for (int64_t l = 0; l < L; ++l) weights[static_cast<size_t>(l)] = attention.at({b, t, 0, 0, l});
      caption.attention.push_back(std::move(weights));
    }
  }
  return captions;
}

namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

}  // namespace

CaptionScores score_captions(ShowAttendTell& model, const Vocabulary& vocabulary,
                             const SceneSource& source, int64_t count, int64_t beam,
                             int64_t keep_wrong) {
  const CaptionerConfig& config = model.config();
  CaptionScores scores;
  std::vector<std::string> hypotheses, references;
  std::vector<std::vector<int64_t>> sources;
  double inside = 0, uniform = 0;
  const int64_t kChunk = 64;
  for (int64_t first = 0; first < count; first += kChunk) {
    std::vector<Scene> scenes;
    for (int64_t i = first; i < std::min(count, first + kChunk); ++i)
      scenes.push_back(source.scene(static_cast<uint64_t>(i)));
    const std::vector<Captioned> captions = caption_images(model, vocabulary, stack_images(scenes), beam);
    for (size_t s = 0; s < scenes.size(); ++s) {
      const Scene& scene = scenes[s];
      const Captioned& caption = captions[s];
      hypotheses.push_back(joined(caption.words));
      references.push_back(joined(scene.caption));
      sources.push_back(scene.sources);
      for (size_t t = 0; t < caption.attention.size() && t < scene.caption.size(); ++t) {
        if (caption.words[t] != scene.caption[t] || scene.names[t] < 0) continue;
        const Box& box = scene.objects[static_cast<size_t>(scene.names[t])];
        inside += attention_in_box(caption.attention[t], config.grid_height(), config.grid_width(),
                                   config.image_height, config.image_width, box);
        uniform += uniform_attention_in_box(config.image_height, config.image_width, box);
        scores.checked_words += 1;
      }
    }
  }
  scores.scenes = count;
  int64_t exact = 0;
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    const bool right = hypotheses[i] == references[i];
    exact += right ? 1 : 0;
    if (!right && static_cast<int64_t>(scores.wrong.size()) < keep_wrong)
      scores.wrong.push_back({hypotheses[i], references[i], static_cast<int64_t>(i), sources[i]});
  }
  scores.exact = count > 0 ? 100.0 * static_cast<double>(exact) / static_cast<double>(count) : 0;
  scores.bleu = count > 0 ? corpus_bleu(hypotheses, references).score : 0;
  if (scores.checked_words > 0) {
    scores.correctness = inside / static_cast<double>(scores.checked_words);
    scores.uniform = uniform / static_cast<double>(scores.checked_words);
  }
  return scores;
}

// ---- training ---------------------------------------------------------------------------------

namespace {

Json config_json(CaptionerConfig config, const Vocabulary& vocabulary, CaptionOptions options) {
  Json json = run_config_json(config.settings(), vocabulary.to_json(), options.saved_settings());
  json["data"] = options.data.to_json();
  return json;
}

Vocabulary caption_vocabulary(const SceneSource& source) {
  std::map<std::string, int64_t> counts;
  for (const std::string& word : source.vocabulary()) counts[word] = 1;
  return Vocabulary::from_counts(counts);
}

// Sets the model's data-given fields for scenes of `source` and `vocabulary`.
void size_for(CaptionerConfig& config, const SceneSource& source, const Vocabulary& vocabulary) {
  config.image_channels = source.channels();
  config.image_height = source.height();
  config.image_width = source.width();
  config.target_vocab = vocabulary.size();
}

// The bytes of one batch's convolution outputs, summed over the encoder's blocks.
int64_t encoder_map_bytes(const CaptionerConfig& config, int64_t batch) {
  int64_t bytes = 0, height = config.image_height, width = config.image_width, block = 0;
  for (const int64_t channels : config.encoder_channels()) {
    bytes += batch * channels * height * width * static_cast<int64_t>(sizeof(real));
    if (block++ < config.encoder_pools) {  // the block ends with a 2x2 max pool
      height /= 2;
      width /= 2;
    }
  }
  return bytes;
}

// Widens the block cache's slack (tensor/block_cache.h) to four batches of the encoder's maps:
// each block's backward holds its convolution's output and the ReLU's while it asks for both
// gradients, and its weight-gradient partials and im2col buffers are of sizes the forward never
// frees. With the default 16 MiB the digits recipe (60 MiB by this rule) unmapped and mapped
// again about 56 MB a step: 2.9 million page faults in 200 steps and 15% of the time in the
// kernel, against 39 thousand faults with the wider slack.
void widen_block_cache_for(const CaptionerConfig& config, int64_t batch) {
  set_block_cache_slack(std::max(block_cache_slack(), 4 * encoder_map_bytes(config, batch)));
}

// Pretrains the model's encoder to name single training digits (encoder_pretraining.h), each
// placed anywhere on a 32x32 canvas: room for a 28x28 digit to take every offset against the
// grid's cells, as the scenes' digits do. Returns the seconds it took.
double pretrain(ShowAttendTell& model, const CaptionOptions& options, const DigitSplit& split,
                std::ostream& log) {
  const int64_t kCanvas = 32;
  const auto digits = options.data.single_digits(options.seed + 2000003, split.train, kCanvas,
                                                 options.distortion());
  const auto valid = options.data.single_digits(options.seed + 3000017, split.valid, kCanvas);
  PretrainOptions pretraining;
  pretraining.steps = options.pretrain_steps;
  pretraining.batch_size = options.batch_size;
  pretraining.learning_rate = options.learning_rate;
  pretraining.seed = options.seed;
  pretraining.valid_digits = static_cast<int64_t>(split.valid.size());
  pretraining.quiet = options.quiet;
  return pretrain_encoder(model.encoder(), *digits, *valid, pretraining, log).seconds;
}

}  // namespace

CaptionTrainResult train_captioner(CaptionOptions options, std::ostream& log) {
  if (options.out_dir.empty()) throw Error("--out DIR is required");
  if (options.threads > 0) set_num_threads(static_cast<int>(options.threads));
  std::filesystem::create_directories(options.out_dir);
  const DirectoryLock lock(options.out_dir);
  const std::string config_path = options.out_dir + "/config.json";
  const bool resuming = std::filesystem::exists(options.out_dir + "/checkpoint.safetensors");

  CaptionerConfig config = options.model;
  Vocabulary vocabulary;
  if (resuming) {
    const Json saved = Json::parse(read_file(config_path));
    CaptionOptions asked = options;
    Settings model = config.settings(), training = options.saved_settings();
    resume_settings(saved, config_path, model, training, asked.model.settings(),
                    asked.saved_settings(), options.explicit_settings);
    options.data = SceneData::from_json(saved.at("data"), config_path + ": data");
    vocabulary = Vocabulary::from_json(saved.at("vocabulary"));
  }
  if (options.pretrain_steps > 0 && options.data.kind != "mnist")
    throw Error("--pretrain-steps needs --mnist digits: shape scenes have no one-object labels");
  if (options.freeze_encoder && options.pretrain_steps == 0)
    throw Error("--freeze-encoder needs --pretrain-steps: it would keep the random encoder");
  const DigitSplit split = options.data.split();
  const auto train_source =
      options.data.source(options.seed, split.train, HeldOutMode::seen_only, options.distortion());
  const auto valid_source = options.data.source(options.seed + 1000003, split.valid);
  if (!resuming) {
    vocabulary = caption_vocabulary(*train_source);
    size_for(config, *train_source, vocabulary);
    config.seed = options.seed;
    check_fits_in_memory(config, 4, " with their gradients and Adam's moments");
    write_file_atomically(config_path, config_json(config, vocabulary, options).dump() + "\n");
  }
  ShowAttendTell model(config);
  widen_block_cache_for(config, options.batch_size);
  if (!options.quiet)
    log << options.out_dir << ": " << options.data.kind << " scenes " << config.image_height << "x"
        << config.image_width << ", a " << config.grid_height() << "x" << config.grid_width()
        << " grid, vocabulary " << vocabulary.size() << ", " << model.parameter_count()
        << " parameters\n";

  // Pretraining is part of a fresh run's budget, and is not redone on resume: the checkpoint
  // holds the encoder it gave.
  const double pretrain_seconds =
      !resuming && options.pretrain_steps > 0 ? pretrain(model, options, split, log) : 0;
  model.freeze_encoder(options.freeze_encoder);
  const SceneBatches train(*train_source, vocabulary, options.scenes_per_epoch, options.batch_size, false);
  const SceneBatches valid(*valid_source, vocabulary, options.valid_scenes, options.batch_size, true);
  const Evaluate evaluate = [&](int64_t step) {
    const double loss = mean_loss(model, valid);
    const CaptionScores scores = score_captions(model, vocabulary, *valid_source, options.valid_scenes);
    if (!options.quiet)
      log << "step " << step << ": validation loss " << loss << ", exact match " << scores.exact
          << "%, attention correctness " << scores.correctness << " (uniform " << scores.uniform
          << ")\n";
    return EvalRecord{step, loss, scores.exact};
  };
  LoopOptions loop;
  loop.out_dir = options.out_dir;
  loop.steps = options.steps;
  loop.epochs = options.epochs;
  loop.minutes = options.minutes > 0 ? std::max(options.minutes - pretrain_seconds / 60, 1e-9) : 0;
  loop.eval_interval = (options.scenes_per_epoch + options.batch_size - 1) / options.batch_size;
  loop.step = StepOptions{options.label_smoothing, options.clip_norm, false, false};
  loop.average_decay = options.average_decay;
  loop.score_name = "exact_match";
  loop.seed = options.seed;
  const StepDecaySchedule schedule =
      halved_every(options.learning_rate, options.decay_epochs, loop.eval_interval);
  std::ostringstream quiet_log;
  const TrainResult result = run_training(model, schedule, train, evaluate, loop, options.quiet ? quiet_log : log);
  return {result.best_score, result.steps, result.seconds};
}

CaptionModel CaptionModel::load(const std::string& dir) {
  const std::string config_path = dir + "/config.json";
  if (!std::filesystem::is_regular_file(config_path))
    throw Error(dir + " is not a caption model directory (no config.json)");
  const Json saved = Json::parse(read_file(config_path));
  CaptionerConfig config;
  Settings settings = config.settings();
  settings_from_json(settings, saved.at("model"), config_path + ": model");
  CaptionModel loaded;
  loaded.vocabulary = Vocabulary::from_json(saved.at("vocabulary"));
  loaded.data = SceneData::from_json(saved.at("data"), config_path + ": data");
  if (loaded.vocabulary.size() != config.target_vocab)
    throw Error(config_path + ": the vocabulary has " + std::to_string(loaded.vocabulary.size()) +
                " words, the model " + std::to_string(config.target_vocab));
  config.check();
  check_fits_in_memory(config, 1);
  loaded.model = std::make_unique<ShowAttendTell>(config);
  loaded.model->load_state_dict(load_safetensors(dir + "/model.safetensors"));
  loaded.model->eval();
  return loaded;
}

}  // namespace attn
