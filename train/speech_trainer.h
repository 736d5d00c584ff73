// Training and testing the Listen, Attend and Spell recogniser: what `attn speech` runs.
//
// Data that cannot rot: connected-digit utterances composed in attn (train/data/speech_data.h)
// from a folder of single-digit recordings named like the Free Spoken Digit Dataset's
// ({digit}_{speaker}_{index}.wav; --recordings DIR), or from synthetic tone "recordings" made
// in memory (--synthetic; tests and the curriculum). The recordings are split (spoken_digits.h):
// one speaker is held out entirely; of the others, index mod 10 = 8 validates, 9 tests, the rest
// train. `attn speech test` by default composes from the test takes of the training speakers,
// takes the model never heard, and from the held-out speaker's; or from any other folder.
//
// Features: 40 log-mel bands every 10 ms over 25 ms Hann windows, normalised per utterance
// (train/audio/log_mel.h; Chan et al. 2016, §4).
//
// Training: Adam with the training loop's settings, the rate halved every decay_epochs epochs if
// asked, batches of fresh utterances, the gradients' norm clipped, cross-entropy of the spelled
// characters. Every epoch validates: loss, and the word error rate of greedy transcripts of the
// validation takes (the best weights by word accuracy, 100 - WER, are kept). The model directory
// is `attn train`'s: config.json ({"model", "vocabulary", "data", "training"}),
// model.safetensors, checkpoint.safetensors, metrics.jsonl, loss.svg; a run resumes exactly, and
// a changed setting on resume is refused.
//
// Measuring: word error rate and character error rate (train/metrics/edit_distance.h), the
// real-time factor of transcription (decoding seconds per second of audio), and how much of each
// letter's attention lies on its word's stretch of audio (train/metrics/attention_in_time.h).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/las/las.h"
#include "nn/settings.h"
#include "train/audio/log_mel.h"
#include "train/data/speech_data.h"
#include "train/io/json.h"
#include "train/metrics/edit_distance.h"
#include "train/report/speech_alignment_svg.h"
#include "train/text/vocabulary.h"

namespace attn {

// Where recordings come from (saved in config.json "data").
struct SpeechData {
  std::string kind = "recordings";  // "recordings" (a folder) or "synthetic"
  std::string recordings;           // recordings: the folder
  std::string held_out_speaker = kDefaultHeldOutSpeaker;  // synthetic: "s3"

  // Saved with the rate the model hears, so that a model directory serves without its
  // recordings (transcribe) and another folder of another rate is refused.
  Json to_json() const;
  static SpeechData from_json(const Json& json, const std::string& where);
  // The recordings, read once (synthetic: made once, 4 speakers x 10 digits x 20 takes).
  const std::vector<Recording>& load() const;
  std::shared_ptr<const std::vector<Recording>> shared() const;
  RecordingSplit split() const;
  int64_t sample_rate() const;  // the saved one, else the recordings'

 private:
  mutable std::shared_ptr<const std::vector<Recording>> recordings_;
  mutable int64_t sample_rate_ = 0;
};

struct SpeechOptions {
  SpeechData data;
  std::string out_dir;
  LasConfig model;

  // ---- data and optimisation (saved with the model) ----
  real learning_rate = 1e-3;      // Adam
  int64_t decay_epochs = 0;       // the rate halves every this many epochs (0: constant)
  int64_t batch_size = 32;
  int64_t utterances_per_epoch = 2048;
  int64_t valid_utterances = 256;
  real clip_norm = 5;
  int64_t min_digits = 1;         // digits per utterance
  int64_t max_digits = 5;
  real noise = 0.002;             // Gaussian noise over each training utterance
  uint64_t seed = 1;

  // ---- this run only ----
  int64_t epochs = 0;   // 0: no limit (then 10 epochs unless --minutes or --steps)
  int64_t steps = 0;    // 0: no limit
  double minutes = 0;   // 0: no limit
  int64_t threads = 0;  // 0: ATTN_NUM_THREADS or all cores
  bool quiet = false;
  std::set<std::string> explicit_settings;

  Settings saved_settings();
  Settings run_settings();
  UtteranceOptions utterance_options() const;
};

struct SpeechTrainResult {
  double best_word_accuracy = 0;  // 100 - validation WER of the kept weights
  int64_t steps = 0;
  double seconds = 0;
};

SpeechTrainResult train_recogniser(SpeechOptions options, std::ostream& log);

// A trained model directory.
struct SpeechModel {
  std::unique_ptr<ListenAttendSpell> model;
  Vocabulary vocabulary;
  SpeechData data;
  UtteranceOptions utterances;  // how its training utterances were composed
  LogMelOptions features;
  static SpeechModel load(const std::string& dir);
};

// What the model spelled for one clip, and with greedy decoding each character's attention
// over the listener's steps [U].
struct Transcript {
  std::vector<std::string> characters;
  std::vector<std::vector<double>> attention;
  std::string text() const;
};

// Greedy (beam 1) or beam transcripts of clips; attention only with greedy.
std::vector<Transcript> transcribe(ListenAttendSpell& model, const Vocabulary& vocabulary,
                                   const std::vector<Audio>& clips, const LogMel& log_mel,
                                   int64_t beam = 1);

// The picture of one clip's transcript (train/report/speech_alignment_svg.h): its log-mel
// features as the model hears them, and each character's attention over the listener's steps.
SpeechAlignment speech_alignment(const ListenAttendSpell& model, const Transcript& transcript,
                                 const Audio& clip, const LogMel& log_mel);

struct SpeechScores {
  ErrorCount words, characters;
  int64_t utterances = 0;
  // Greedy only: over the letters of the utterances heard exactly right, the mean share of each
  // letter's attention on the stretch of audio where its word was said (attention_in_time.h),
  // and what uniform attention would score.
  double on_word = 0, uniform = 0;
  int64_t checked_letters = 0;
  double audio_seconds = 0, decoding_seconds = 0;  // real-time factor: decoding / audio
  std::vector<std::pair<std::string, std::string>> wrong;  // (heard, reference), the first few
};

// Transcribes utterances 0 .. count-1 of `source` and scores them.
SpeechScores score_transcripts(ListenAttendSpell& model, const Vocabulary& vocabulary,
                               const UtteranceSource& source, const LogMel& log_mel,
                               int64_t count, int64_t beam = 1, int64_t keep_wrong = 0);

}  // namespace attn
