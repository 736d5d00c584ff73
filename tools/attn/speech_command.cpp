// attn speech: Listen, Attend and Spell on connected spoken digits (train/speech_trainer.h).
//
//   attn speech train      --recordings DIR | --synthetic  --out DIR [options]
//   attn speech test       --model DIR [--recordings DIR] [--seed N] [--utterances N] [--beam K]
//                          [--errors N]
//   attn speech transcribe --model DIR FILE.wav...
//   attn speech attention  --model DIR (FILE.wav | --utterance I [--seed N]) --out align.svg
//
// test composes fresh utterances and prints the word and character error rates, for the
// training speakers' takes the model never heard and for the held-out speaker, and the
// real-time factor. attention draws what the speller listened to for each character.
#include <cstdio>
#include <iostream>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/io/atomic_file.h"
#include "train/report/speech_alignment_svg.h"
#include "train/speech_trainer.h"

namespace attn::cli {

namespace {

const char* kUsage =
    "usage: attn speech train      --recordings DIR | --synthetic  --out DIR [options]\n"
    "       attn speech test       --model DIR [--recordings DIR] [--seed N] [--utterances N]\n"
    "                              [--beam K] [--errors N]\n"
    "       attn speech transcribe --model DIR FILE.wav...\n"
    "       attn speech attention  --model DIR (FILE.wav | --utterance I [--seed N]) --out align.svg\n"
    "\n"
    "Speech recognition with attention (Chan et al. 2016, Listen, Attend and Spell) of connected\n"
    "spoken digits. train composes utterances of 1 to 5 digits of one speaker from a folder of\n"
    "single-digit recordings named {digit}_{speaker}_{index}.wav (the Free Spoken Digit\n"
    "Dataset's naming), or from synthetic tones (--synthetic). One speaker is held out\n"
    "(--held-out-speaker); of the others' takes, index mod 10 = 8 validate and 9 test. test\n"
    "prints WER and CER on fresh utterances: of the model's own folder, from the test takes and\n"
    "the held-out speaker; of another folder (--recordings), from every take, the held-out\n"
    "speaker's apart. transcribe prints what the model hears in WAV files (16-bit PCM at the\n"
    "model's sample rate); attention draws characters against time over the spectrogram, for a\n"
    "file or for utterance I composed from the test takes.\n";

std::string help_text() {
  SpeechOptions defaults;
  std::string help = kUsage;
  help += "\ntrain: the data\n";
  help += "  --held-out-speaker NAME      never trained on (default theo; --synthetic: s3; \"\": nobody)\n";
  help += "train: the model\n";
  help += "  --preset NAME                micro | tiny | small (default tiny)\n";
  help += settings_help(defaults.model.settings());
  help += "train: data and optimisation (saved with the model)\n";
  help += settings_help(defaults.saved_settings());
  help += "train: this run\n";
  help += settings_help(defaults.run_settings());
  return help;
}

SpeechOptions parse_train(const std::vector<std::string>& args) {
  SpeechOptions options;
  Settings model = options.model.settings(), saved = options.saved_settings(),
           run = options.run_settings();
  std::set<std::string> with_value = {"recordings", "out", "preset", "held-out-speaker"};
  for (const Settings* settings : {&model, &saved, &run})
    for (const std::string& name : option_names(*settings)) with_value.insert(name);
  const Arguments a("speech train", args, with_value, {"synthetic", "quiet"});
  if (a.has("synthetic") == a.has("recordings"))
    throw UsageError{"attn speech train: give exactly one of --recordings DIR and --synthetic"};
  const bool synthetic = a.has("synthetic");
  options.data.kind = synthetic ? "synthetic" : "recordings";
  options.data.recordings = a.text("recordings");
  options.data.held_out_speaker = a.text("held-out-speaker", synthetic ? "s3" : kDefaultHeldOutSpeaker);
  options.out_dir = a.required("out");
  try {
    options.model.apply_preset(a.text("preset", "tiny"));
  } catch (const std::exception& error) {
    throw UsageError{std::string("attn speech train: --preset: ") + error.what()};
  }
  options.explicit_settings = apply_training_settings(a, model, saved, run);
  options.quiet = a.has("quiet");
  return options;
}

int train(const std::vector<std::string>& args) {
  const SpeechOptions options = parse_train(args);
  const SpeechTrainResult result = train_recogniser(options, std::cerr);
  std::cout << options.out_dir << ": validation WER " << 100 - result.best_word_accuracy << "%, "
            << result.steps << " steps, " << static_cast<int64_t>(result.seconds) << " s\n";
  return 0;
}

void print_scores(const std::string& what, const SpeechScores& scores) {
  for (const auto& [heard, reference] : scores.wrong)
    std::cout << "  heard:     " << heard << "\n  reference: " << reference << "\n";
  char line[256];
  std::snprintf(line, sizeof(line),
                "%s: WER %.2f%%, CER %.2f%% on %lld utterances (%lld words), real-time factor %.4f\n",
                what.c_str(), 100 * scores.words.rate(), 100 * scores.characters.rate(),
                static_cast<long long>(scores.utterances),
                static_cast<long long>(scores.words.reference_length),
                scores.audio_seconds > 0 ? scores.decoding_seconds / scores.audio_seconds : 0.0);
  std::cout << line;
  if (scores.checked_letters == 0) return;
  std::snprintf(line, sizeof(line),
                "%s: attention on the letter's word %.3f (uniform attention: %.3f) over %lld letters\n",
                what.c_str(), scores.on_word, scores.uniform,
                static_cast<long long>(scores.checked_letters));
  std::cout << line;
}

int test(const std::vector<std::string>& args) {
  const Arguments a("speech test", args,
                    {"model", "recordings", "seed", "utterances", "beam", "errors"}, {});
  SpeechModel loaded = SpeechModel::load(a.required("model"));
  const uint64_t seed = static_cast<uint64_t>(whole_number(a, "seed", 1, 0));
  const int64_t count = whole_number(a, "utterances", 1000, 1);
  const int64_t beam = whole_number(a, "beam", 1, 1);
  const int64_t errors = whole_number(a, "errors", 0, 0);
  SpeechData data = loaded.data;
  const bool other_folder = a.has("recordings") && a.text("recordings") != data.recordings;
  if (other_folder) {
    const std::string held_out = data.held_out_speaker;
    data = SpeechData();
    data.recordings = a.text("recordings");
    data.held_out_speaker = held_out;
    if (data.sample_rate() != loaded.data.sample_rate())
      throw Error(data.recordings + ": recordings at " + std::to_string(data.sample_rate()) +
                  " Hz; the model hears " + std::to_string(loaded.data.sample_rate()) + " Hz");
  }
  const LogMel log_mel(data.sample_rate(), loaded.features);
  // The model's folder: its test takes and the held-out speaker's. Another folder: every take,
  // each counted with the training speakers or as the held-out speaker's.
  RecordingPool seen, unseen;
  if (other_folder) {
    for (int64_t i : every_recording(data.load()))
      (data.load()[static_cast<size_t>(i)].speaker == data.held_out_speaker ? unseen : seen).push_back(i);
  } else {
    const RecordingSplit parts = split_recordings(data.load(), data.held_out_speaker);
    seen = parts.test;
    unseen = parts.unseen_test;
  }
  const std::vector<std::pair<std::string, RecordingPool>> sets = {
      {"training speakers, unheard takes", seen}, {"held-out speaker " + data.held_out_speaker, unseen}};
  for (const auto& [what, pool] : sets) {
    if (pool.empty()) continue;
    const UtteranceSource source(data.shared(), pool, loaded.utterances, seed);
    print_scores(what, score_transcripts(*loaded.model, loaded.vocabulary, source, log_mel, count,
                                         beam, errors));
  }
  return 0;
}

// The WAV files named after the options, read and checked against the model's sample rate.
std::vector<Audio> read_clips(const std::vector<std::string>& paths, const SpeechModel& loaded,
                              const std::string& command) {
  if (paths.empty()) throw UsageError{"attn speech " + command + ": give at least one FILE.wav"};
  const int64_t rate = loaded.data.sample_rate();
  std::vector<Audio> clips;
  for (const std::string& path : paths) {
    clips.push_back(read_wav(path));
    if (clips.back().sample_rate != rate)
      throw Error(path + ": " + std::to_string(clips.back().sample_rate) +
                  " Hz; the model hears " + std::to_string(rate) + " Hz");
    if (clips.back().samples.empty()) throw Error(path + ": holds no samples");
  }
  return clips;
}

int transcribe_files(const std::vector<std::string>& args) {
  const Arguments a("speech transcribe", args, {"model", "beam"}, {}, true);
  SpeechModel loaded = SpeechModel::load(a.required("model"));
  const std::vector<Audio> clips = read_clips(a.positional(), loaded, "transcribe");
  const LogMel log_mel(loaded.data.sample_rate(), loaded.features);
  const int64_t beam = whole_number(a, "beam", 1, 1);
  for (size_t i = 0; i < clips.size(); ++i) {
    const Transcript heard = transcribe(*loaded.model, loaded.vocabulary, {clips[i]}, log_mel, beam)[0];
    std::cout << a.positional()[i] << "\t" << heard.text() << "\n";
  }
  return 0;
}

int attention(const std::vector<std::string>& args) {
  const Arguments a("speech attention", args, {"model", "out", "utterance", "seed"}, {}, true);
  SpeechModel loaded = SpeechModel::load(a.required("model"));
  const std::string out = a.required("out");
  if (a.positional().size() != (a.has("utterance") ? 0 : 1))
    throw UsageError{"attn speech attention: give exactly one FILE.wav, or --utterance I"};
  std::string title = "heard: ";
  Audio clip;
  if (a.has("utterance")) {  // composed from the test takes, as `attn speech test` does
    const UtteranceSource source(loaded.data.shared(), loaded.data.split().test, loaded.utterances,
                                 static_cast<uint64_t>(whole_number(a, "seed", 1, 0)));
    Utterance utterance =
        source.utterance(static_cast<uint64_t>(whole_number(a, "utterance", 0, 0)));
    title = "said: " + utterance.transcript + "; heard: ";
    clip = std::move(utterance.audio);
  } else {
    clip = read_clips(a.positional(), loaded, "attention")[0];
  }
  const LogMel log_mel(loaded.data.sample_rate(), loaded.features);
  const Transcript heard = transcribe(*loaded.model, loaded.vocabulary, {clip}, log_mel)[0];
  write_file_atomically(
      out, speech_alignment_svg(speech_alignment(*loaded.model, heard, clip, log_mel), title + heard.text()));
  std::cout << heard.text() << "\nwrote " << out << "\n";
  return 0;
}

}  // namespace

int speech_command(const std::vector<std::string>& args) {
  return run_subcommand("speech", args, help_text(),
                        {{"train", train},
                         {"test", test},
                         {"transcribe", transcribe_files},
                         {"attention", attention}});
}

}  // namespace attn::cli
