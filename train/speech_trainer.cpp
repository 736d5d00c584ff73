// Training and testing the Listen, Attend and Spell recogniser (see speech_trainer.h).
#include "train/speech_trainer.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <utility>

#include "autograd/variable.h"
#include "models/decoding/beam_search.h"
#include "models/decoding/greedy.h"
#include "tensor/error.h"
#include "tensor/thread_pool.h"
#include "train/data/synthetic_speech.h"
#include "train/io/atomic_file.h"
#include "train/io/directory_lock.h"
#include "train/io/safetensors.h"
#include "train/io/settings_json.h"
#include "train/metrics/attention_in_time.h"
#include "train/optim/schedule.h"
#include "train/training_loop.h"

namespace attn {

namespace {

constexpr uint64_t kSyntheticSeed = 2016;   // the synthetic recordings, the same for every run
constexpr uint64_t kValidSeed = 1000003;    // validation utterances: seed + this
constexpr int64_t kCharactersPerDigit = 6;  // "seven" and its space: the longest word
constexpr int64_t kCharactersPerStep = 2;   // the most a transcript may spell per listener step

// The features a model of `config` hears: LAS's 25 ms windows every 10 ms, its bands.
LogMelOptions features_for(const LasConfig& config) {
  LogMelOptions options;
  options.bands = config.features;
  return options;
}

}  // namespace

// ---- the data ---------------------------------------------------------------------------------

Json SpeechData::to_json() const {
  Json json;
  json["kind"] = Json(kind);
  json["recordings"] = Json(recordings);
  json["held_out_speaker"] = Json(held_out_speaker);
  json["sample_rate"] = Json(static_cast<double>(sample_rate()));
  return json;
}

SpeechData SpeechData::from_json(const Json& json, const std::string& where) {
  SpeechData data;
  data.kind = json.at("kind").as_string();
  data.recordings = json.at("recordings").as_string();
  data.held_out_speaker = json.at("held_out_speaker").as_string();
  const double rate = json.at("sample_rate").as_number();
  if (!(rate >= 1 && rate <= 384000 && rate == static_cast<double>(static_cast<int64_t>(rate))))
    throw Error(where + ": sample_rate must be a whole number of 1..384000 Hz");
  data.sample_rate_ = static_cast<int64_t>(rate);
  if (data.kind != "recordings" && data.kind != "synthetic")
    throw Error(where + ": kind must be recordings or synthetic, got '" + data.kind + "'");
  return data;
}

std::shared_ptr<const std::vector<Recording>> SpeechData::shared() const {
  if (recordings_) return recordings_;
  if (kind == "synthetic") {
    SyntheticSpeechOptions options;
    options.recordings_per_digit = 20;
    recordings_ = std::make_shared<const std::vector<Recording>>(
        synthetic_recordings(options, kSyntheticSeed));
  } else {
    recordings_ = std::make_shared<const std::vector<Recording>>(read_recordings(recordings));
  }
  return recordings_;
}

const std::vector<Recording>& SpeechData::load() const { return *shared(); }

RecordingSplit SpeechData::split() const { return split_recordings(load(), held_out_speaker); }

int64_t SpeechData::sample_rate() const {
  if (sample_rate_ == 0) sample_rate_ = load().front().audio.sample_rate;
  return sample_rate_;
}

// ---- options ----------------------------------------------------------------------------------

Settings SpeechOptions::saved_settings() {
  return {
      number_setting("learning_rate", learning_rate, "Adam's learning rate", 1e-9, 10).with_option("lr"),
      integer_setting("decay_epochs", decay_epochs, "the rate halves every N epochs (0: never)", 0,
                      1000000),
      integer_setting("batch_size", batch_size, "utterances per batch", 1, 4096),
      integer_setting("utterances_per_epoch", utterances_per_epoch, "fresh utterances per epoch",
                      1, 1 << 30),
      integer_setting("valid_utterances", valid_utterances,
                      "validation utterances (the same every epoch)", 1, 1 << 20),
      number_setting("clip_norm", clip_norm, "the gradients' norm at most (0: off)", 0, 1e9),
      integer_setting("min_digits", min_digits, "digits per utterance, at least", 1, 20),
      integer_setting("max_digits", max_digits, "digits per utterance, at most", 1, 20),
      number_setting("noise", noise, "Gaussian noise over each utterance, its standard deviation",
                     0, 0.1),
      seed_setting("seed", seed, "seeds the weights, the utterances and the data order"),
  };
}

Settings SpeechOptions::run_settings() {
  return {
      integer_setting("epochs", epochs, "passes of utterances_per_epoch (0: no limit)", 0, 1000000),
      integer_setting("steps", steps, "... or optimiser steps (0: no limit)", 0, 1LL << 40),
      number_setting("minutes", minutes, "... or minutes of training (0: no limit)", 0, 1e7),
      integer_setting("threads", threads, "threads (0: ATTN_NUM_THREADS or all cores)", 0, 1024),
  };
}

UtteranceOptions SpeechOptions::utterance_options() const {
  UtteranceOptions options;
  options.min_digits = min_digits;
  options.max_digits = max_digits;
  options.noise = noise;
  return options;
}

// ---- transcripts and their scores -------------------------------------------------------------

std::string Transcript::text() const { return unspelled(characters); }

std::vector<Transcript> transcribe(ListenAttendSpell& model, const Vocabulary& vocabulary,
                                   const std::vector<Audio>& clips, const LogMel& log_mel,
                                   int64_t beam) {
  NoGradGuard no_grad;
  EvalModeGuard eval(model);
  const Source source = frames_source(clips, log_mel);
  // At most two characters per listener step (one per 40 ms; speech says about one per 80),
  // as ESPnet bounds decoding by the encoder's length: a speller caught in a loop ("five five
  // five ...") stops there rather than at a fixed length.
  int64_t steps = 1;
  for (const Audio& clip : clips)
    steps = std::max(steps, model.listener().steps_for(log_mel.frames(std::ssize(clip.samples))));
  const int64_t max_length = kCharactersPerStep * steps + kCharactersPerDigit;
  Tensor tokens, attention;  // [B, n], and with greedy [B, n, 1, 1, U]
  if (beam > 1) {
    BeamSearchOptions options;
    options.beam_size = beam;
    options.max_length = max_length;
    tokens = beam_search(model, source, options);
  } else {
    GreedyOptions options;
    options.max_length = max_length;
    options.keep_attention = true;
    const Decoded decoded = greedy_decode(model, source, options);
    tokens = decoded.tokens;
    attention = decoded.attention;
  }
  std::vector<Transcript> transcripts(clips.size());
  for (int64_t b = 0; b < static_cast<int64_t>(clips.size()); ++b) {
    Transcript& transcript = transcripts[static_cast<size_t>(b)];
    for (int64_t t = 0; t < tokens.size(1); ++t) {
      const auto id = static_cast<int64_t>(tokens.at({b, t}));
      if (id == Vocabulary::eos || id == Vocabulary::pad) break;
      transcript.characters.push_back(vocabulary.token(id));
      if (!attention.defined()) continue;
      const int64_t U = attention.size(-1);
      std::vector<double> weights(static_cast<size_t>(U));
      for (int64_t u = 0; u < U; ++u) weights[static_cast<size_t>(u)] = attention.at({b, t, 0, 0, u});
      transcript.attention.push_back(std::move(weights));
    }
  }
  return transcripts;
}

SpeechAlignment speech_alignment(const ListenAttendSpell& model, const Transcript& transcript,
                                 const Audio& clip, const LogMel& log_mel) {
  Features features = log_mel(clip);
  normalise_per_utterance(features);
  SpeechAlignment alignment;
  alignment.spectrogram = std::move(features.values);
  alignment.frames = features.frames;
  alignment.bands = features.bands;
  alignment.hop_seconds = static_cast<double>(log_mel.hop()) / static_cast<double>(log_mel.sample_rate());
  alignment.characters = transcript.characters;
  alignment.weights = transcript.attention;
  alignment.frames_per_step = int64_t{1} << model.las_config().pyramid;
  return alignment;
}

namespace {

// Adds to `scores` the attention on each letter's word, for an utterance heard exactly right.
void score_attention(const Transcript& heard, const Utterance& utterance, const StepTiming& timing,
                     SpeechScores& scores) {
  size_t word = 0;
  for (size_t i = 0; i < heard.characters.size() && i < heard.attention.size(); ++i) {
    if (heard.characters[i] == " ") {
      ++word;
      continue;
    }
    if (word >= utterance.spans.size()) return;
    const auto steps = static_cast<int64_t>(heard.attention[i].size());
    scores.on_word += attention_on_span(heard.attention[i], timing, utterance.spans[word]);
    scores.uniform += uniform_attention_on_span(steps, timing, utterance.spans[word]);
    scores.checked_letters += 1;
  }
}

}  // namespace

SpeechScores score_transcripts(ListenAttendSpell& model, const Vocabulary& vocabulary,
                               const UtteranceSource& source, const LogMel& log_mel,
                               int64_t count, int64_t beam, int64_t keep_wrong) {
  SpeechScores scores;
  const StepTiming timing{int64_t{1} << model.las_config().pyramid, log_mel.hop(), log_mel.window()};
  const int64_t kChunk = 32;
  for (int64_t first = 0; first < count; first += kChunk) {
    std::vector<Utterance> utterances;
    std::vector<Audio> clips;
    for (int64_t i = first; i < std::min(count, first + kChunk); ++i) {
      utterances.push_back(source.utterance(static_cast<uint64_t>(i)));
      scores.audio_seconds += utterances.back().audio.seconds();
      clips.push_back(utterances.back().audio);
    }
    const auto start = std::chrono::steady_clock::now();
    const std::vector<Transcript> heard = transcribe(model, vocabulary, clips, log_mel, beam);
    scores.decoding_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (size_t i = 0; i < heard.size(); ++i) {
      const std::string text = heard[i].text(), reference = utterances[i].transcript;
      scores.words.add(word_errors(text, reference));
      scores.characters.add(character_errors(text, reference));
      if (text == reference) score_attention(heard[i], utterances[i], timing, scores);
      if (text != reference && static_cast<int64_t>(scores.wrong.size()) < keep_wrong)
        scores.wrong.emplace_back(text, reference);
    }
  }
  scores.utterances = count;
  if (scores.checked_letters > 0) {
    scores.on_word /= static_cast<double>(scores.checked_letters);
    scores.uniform /= static_cast<double>(scores.checked_letters);
  }
  return scores;
}

// ---- training ---------------------------------------------------------------------------------

namespace {

Json config_json(LasConfig config, const Vocabulary& vocabulary, SpeechOptions options) {
  Json json = run_config_json(config.settings(), vocabulary.to_json(), options.saved_settings());
  json["data"] = options.data.to_json();
  return json;
}

// The validation score: 100 - WER in percent, at least 0 (higher is better, as the loop keeps).
double word_accuracy(const SpeechScores& scores) {
  return std::max(0.0, 100.0 * (1.0 - scores.words.rate()));
}

}  // namespace

SpeechTrainResult train_recogniser(SpeechOptions options, std::ostream& log) {
  if (options.out_dir.empty()) throw Error("--out DIR is required");
  if (options.threads > 0) set_num_threads(static_cast<int>(options.threads));
  std::filesystem::create_directories(options.out_dir);
  const DirectoryLock lock(options.out_dir);
  const std::string config_path = options.out_dir + "/config.json";
  const bool resuming = std::filesystem::exists(options.out_dir + "/checkpoint.safetensors");

  LasConfig config = options.model;
  Vocabulary vocabulary = speech_vocabulary();
  if (resuming) {
    const Json saved = Json::parse(read_file(config_path));
    SpeechOptions asked = options;
    Settings model = config.settings(), training = options.saved_settings();
    resume_settings(saved, config_path, model, training, asked.model.settings(),
                    asked.saved_settings(), options.explicit_settings);
    options.data = SpeechData::from_json(saved.at("data"), config_path + ": data");
    vocabulary = Vocabulary::from_json(saved.at("vocabulary"));
  }
  const RecordingSplit split = options.data.split();
  const LogMel log_mel(options.data.sample_rate(), features_for(config));
  const UtteranceSource train_source(options.data.shared(), split.train, options.utterance_options(),
                                     options.seed);
  const UtteranceSource valid_source(options.data.shared(), split.valid, options.utterance_options(),
                                     options.seed + kValidSeed);
  if (!resuming) {
    config.target_vocab = vocabulary.size();
    config.seed = options.seed;
    check_fits_in_memory(config, 4, " with their gradients and Adam's moments");
    write_file_atomically(config_path, config_json(config, vocabulary, options).dump() + "\n");
  }
  ListenAttendSpell model(config);
  if (!options.quiet)
    log << options.out_dir << ": " << options.data.load().size() << " recordings ("
        << split.train.size() << " train, " << split.valid.size() << " validate), "
        << config.features << " log-mel bands, listener steps of " << (10 << config.pyramid)
        << " ms, " << model.parameter_count() << " parameters\n";

  const UtteranceBatches train(train_source, log_mel, vocabulary, options.utterances_per_epoch,
                               options.batch_size, false);
  const UtteranceBatches valid(valid_source, log_mel, vocabulary, options.valid_utterances,
                               options.batch_size, true);
  const Evaluate evaluate = [&](int64_t step) {
    const double loss = mean_loss(model, valid);
    const SpeechScores scores =
        score_transcripts(model, vocabulary, valid_source, log_mel, options.valid_utterances);
    if (!options.quiet)
      log << "step " << step << ": validation loss " << loss << ", WER "
          << 100 * scores.words.rate() << "%, CER " << 100 * scores.characters.rate() << "%\n";
    return EvalRecord{step, loss, word_accuracy(scores)};
  };
  LoopOptions loop;
  loop.out_dir = options.out_dir;
  loop.steps = options.steps;
  loop.epochs = options.epochs;
  loop.minutes = options.minutes;
  loop.eval_interval = (options.utterances_per_epoch + options.batch_size - 1) / options.batch_size;
  loop.step = StepOptions{0, options.clip_norm, false, false};
  loop.score_name = "word_accuracy";
  loop.seed = options.seed;
  const StepDecaySchedule schedule =
      halved_every(options.learning_rate, options.decay_epochs, loop.eval_interval);
  std::ostringstream quiet_log;
  const TrainResult result =
      run_training(model, schedule, train, evaluate, loop, options.quiet ? quiet_log : log);
  return {result.best_score, result.steps, result.seconds};
}

SpeechModel SpeechModel::load(const std::string& dir) {
  const std::string config_path = dir + "/config.json";
  if (!std::filesystem::is_regular_file(config_path))
    throw Error(dir + " is not a speech model directory (no config.json)");
  const Json saved = Json::parse(read_file(config_path));
  LasConfig config;
  Settings settings = config.settings();
  settings_from_json(settings, saved.at("model"), config_path + ": model");
  SpeechOptions training;
  Settings training_settings = training.saved_settings();
  settings_from_json(training_settings, saved.at("training"), config_path + ": training");
  SpeechModel loaded;
  loaded.vocabulary = Vocabulary::from_json(saved.at("vocabulary"));
  loaded.data = SpeechData::from_json(saved.at("data"), config_path + ": data");
  loaded.utterances = training.utterance_options();
  loaded.features = features_for(config);
  if (loaded.vocabulary.size() != config.target_vocab)
    throw Error(config_path + ": the vocabulary has " + std::to_string(loaded.vocabulary.size()) +
                " characters, the model " + std::to_string(config.target_vocab));
  config.check();
  check_fits_in_memory(config, 1);
  loaded.model = std::make_unique<ListenAttendSpell>(config);
  loaded.model->load_state_dict(load_safetensors(dir + "/model.safetensors"));
  loaded.model->eval();
  return loaded;
}

}  // namespace attn
