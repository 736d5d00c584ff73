// Training the speech recogniser (train/speech_trainer.h) on synthetic tones: the batches it
// reads, a model directory like attn train's, exact resume, a changed setting refused on resume,
// transcripts with their attention, and the scores of `attn speech test`.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>

#include "tests/temporary_path.h"
#include "tests/train/metrics_file.h"
#include "train/io/atomic_file.h"
#include "train/speech_trainer.h"

using namespace attn;
using attn::test::metrics_without_timings;

namespace {

SpeechOptions micro_options(const std::string& out) {
  SpeechOptions options;
  options.data.kind = "synthetic";
  options.data.held_out_speaker = "s3";
  options.out_dir = out;
  options.model.apply_preset("micro");
  options.utterances_per_epoch = 24;
  options.valid_utterances = 8;
  options.batch_size = 8;
  options.max_digits = 3;
  options.epochs = 2;
  options.quiet = true;
  return options;
}

}  // namespace

TEST_CASE("speech data: utterance i is made again from its number; batches are frames and characters") {
  SpeechData data;
  data.kind = "synthetic";
  data.held_out_speaker = "s3";
  const RecordingSplit split = data.split();
  const UtteranceSource source(data.shared(), split.train, {}, 7);
  CHECK(source.utterance(5).audio.samples == source.utterance(5).audio.samples);
  CHECK(source.utterance(5).transcript != "");

  const Vocabulary vocabulary = speech_vocabulary();
  CHECK(vocabulary.size() == 4 + 16);  // the specials, 15 letters of "zero" .. "nine", space
  const LogMel log_mel(data.sample_rate());
  const UtteranceBatches fixed(source, log_mel, vocabulary, 10, 4, true);
  const Batch batch = fixed.batch({0, 1});
  const Utterance first = source.utterance(0), second = source.utterance(1);
  const int64_t T = std::max(log_mel.frames(std::ssize(first.audio.samples)),
                             log_mel.frames(std::ssize(second.audio.samples)));
  CHECK(batch.source.input.shape() == Shape{2, T, 40});
  CHECK(batch.source.mask.shape() == Shape{2, T});
  CHECK(batch.source.mask.at({0, log_mel.frames(std::ssize(first.audio.samples)) - 1}) == 1);
  const std::vector<std::string> characters = spelled(first.transcript);
  CHECK(batch.target_in.at({0, 0}) == Vocabulary::bos);
  CHECK(batch.target_in.at({0, 1}) == vocabulary.id(characters[0]));
  CHECK(batch.target_out.at({0, std::ssize(characters)}) == Vocabulary::eos);
  CHECK(unspelled(characters) == first.transcript);
}

TEST_CASE("speech data: an epoch of fresh utterances is batched by length, each utterance once") {
  SpeechData data;
  data.kind = "synthetic";
  data.held_out_speaker = "s3";
  const UtteranceSource source(data.shared(), data.split().train, {}, 7);
  const LogMel log_mel(data.sample_rate());
  const UtteranceBatches fresh(source, log_mel, speech_vocabulary(), 20, 6, false);
  Generator order(2), again(2);
  const auto epoch = fresh.epoch(order);
  CHECK(epoch == fresh.epoch(again));  // a resumed run replays it
  REQUIRE(epoch.size() == 4);          // 6 + 6 + 6 + 2
  std::vector<std::pair<size_t, size_t>> ranges;  // each batch's shortest and longest
  std::set<size_t> numbers;
  for (const auto& batch : epoch) {
    size_t shortest = SIZE_MAX, longest = 0;
    for (size_t number : batch) {
      numbers.insert(number);
      const size_t samples = source.utterance(number).audio.samples.size();
      shortest = std::min(shortest, samples), longest = std::max(longest, samples);
    }
    ranges.emplace_back(shortest, longest);
  }
  CHECK(numbers.size() == 20);
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) CHECK(ranges[i - 1].second <= ranges[i].first);
}

TEST_CASE("speech trainer: a model directory that loads, resumes exactly, refuses a change") {
  const std::string whole = temporary_path("speech_whole"), halves = temporary_path("speech_halves");
  for (const std::string& dir : {whole, halves}) std::filesystem::remove_all(dir);
  std::ostringstream log;
  train_recogniser(micro_options(whole), log);
  SpeechOptions first = micro_options(halves);
  first.epochs = 1;
  train_recogniser(first, log);
  train_recogniser(micro_options(halves), log);  // resumes at epoch 1
  CHECK(metrics_without_timings(whole) == metrics_without_timings(halves));
  CHECK(read_file(whole + "/model.safetensors") == read_file(halves + "/model.safetensors"));

  SpeechOptions changed = micro_options(whole);
  changed.learning_rate = 0.5;
  changed.explicit_settings = {"learning_rate"};
  CHECK_THROWS_WITH(train_recogniser(changed, log),
                    doctest::Contains("--lr 0.5 differs from the run being resumed (0.001 in"));
}

TEST_CASE("speech trainer: transcripts carry each character's attention; scores count errors") {
  SpeechOptions options = micro_options(temporary_path("speech_scores"));
  std::filesystem::remove_all(options.out_dir);
  options.epochs = 1;
  std::ostringstream log;
  train_recogniser(options, log);
  SpeechModel loaded = SpeechModel::load(options.out_dir);
  CHECK(loaded.data.kind == "synthetic");
  CHECK(loaded.utterances.max_digits == 3);
  const RecordingSplit split = loaded.data.split();
  const UtteranceSource source(loaded.data.shared(), split.test, loaded.utterances, 3);
  const LogMel log_mel(loaded.data.sample_rate(), loaded.features);
  const Utterance utterance = source.utterance(0);
  const std::vector<Transcript> heard =
      transcribe(*loaded.model, loaded.vocabulary, {utterance.audio}, log_mel);
  REQUIRE(heard.size() == 1);
  CHECK(heard[0].attention.size() == heard[0].characters.size());
  const int64_t steps = loaded.model->listener().steps_for(log_mel.frames(std::ssize(utterance.audio.samples)));
  for (const auto& weights : heard[0].attention) CHECK(std::ssize(weights) == steps);

  const SpeechScores scores = score_transcripts(*loaded.model, loaded.vocabulary, source, log_mel, 6, 1, 2);
  CHECK(scores.utterances == 6);
  CHECK(scores.words.reference_length >= 6);
  CHECK(scores.audio_seconds > 0);
  CHECK(scores.wrong.size() <= 2);
  const SpeechScores beam = score_transcripts(*loaded.model, loaded.vocabulary, source, log_mel, 6, 3);
  CHECK(beam.words.reference_length == scores.words.reference_length);
}
