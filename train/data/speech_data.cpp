// Spoken-digit utterances, batched (see speech_data.h).
#include "train/data/speech_data.h"

#include <algorithm>
#include <map>
#include <utility>

#include "tensor/error.h"
#include "train/data/batching.h"
#include "train/io/utf8.h"

namespace attn {

UtteranceSource::UtteranceSource(std::shared_ptr<const std::vector<Recording>> recordings,
                                 RecordingPool pool, const UtteranceOptions& options, uint64_t seed)
    : recordings_(std::move(recordings)),
      pool_(std::move(pool)),
      maker_(*recordings_, pool_, options),
      seed_(seed) {}

Utterance UtteranceSource::utterance(uint64_t index) const {
  Generator generator(numbered_seed(seed_, index));
  return maker_.utterance(generator);
}

std::vector<std::string> spelled(const std::string& transcript) {
  return utf8_characters(transcript);
}

std::string unspelled(const std::vector<std::string>& characters) {
  std::string text;
  for (const std::string& c : characters) text += c;
  return text;
}

Vocabulary speech_vocabulary() {
  std::map<std::string, int64_t> counts;
  for (int digit = 0; digit <= 9; ++digit)
    for (const std::string& c : spelled(digit_word(digit))) counts[c] += 1;
  counts[" "] += 1;
  return Vocabulary::from_counts(counts);
}

Source frames_source(const std::vector<Audio>& clips, const LogMel& log_mel) {
  check(!clips.empty(), "frames_source", "no clips");
  std::vector<Features> features;
  int64_t T = 1;
  for (const Audio& clip : clips) {
    features.push_back(log_mel(clip));
    normalise_per_utterance(features.back());
    T = std::max(T, features.back().frames);
  }
  const int64_t B = static_cast<int64_t>(clips.size()), F = log_mel.bands();
  Source source{Tensor::zeros({B, T, F}), Tensor::zeros({B, T})};  // [B, T, F], [B, T]
  for (int64_t b = 0; b < B; ++b) {
    const Features& f = features[static_cast<size_t>(b)];
    std::copy(f.values.begin(), f.values.end(), source.input.data() + b * T * F);
    std::fill(source.mask.data() + b * T, source.mask.data() + b * T + f.frames, real(1));
  }
  return source;
}

Batch speech_batch(const std::vector<Utterance>& utterances, const LogMel& log_mel,
                   const Vocabulary& vocabulary) {
  std::vector<Audio> clips;
  std::vector<std::vector<int64_t>> characters;
  for (const Utterance& utterance : utterances) {
    clips.push_back(utterance.audio);
    characters.push_back(vocabulary.encode(spelled(utterance.transcript)));
  }
  Batch batch;
  batch.source = frames_source(clips, log_mel);
  set_targets(batch, characters);
  return batch;
}

UtteranceBatches::UtteranceBatches(const UtteranceSource& source, const LogMel& log_mel,
                                   const Vocabulary& vocabulary, int64_t per_epoch,
                                   int64_t batch_size, bool fixed)
    : NumberedExamples(per_epoch, batch_size, fixed, "UtteranceBatches"),
      source_(source),
      log_mel_(log_mel),
      vocabulary_(vocabulary) {}

std::vector<std::vector<size_t>> UtteranceBatches::epoch(Generator& order) const {
  std::vector<std::vector<size_t>> batches = NumberedExamples::epoch(order);
  if (fixed()) return batches;
  std::vector<std::pair<size_t, size_t>> by_length;  // (samples, number)
  for (const std::vector<size_t>& batch : batches)
    for (size_t number : batch) by_length.emplace_back(source_.utterance(number).audio.samples.size(), number);
  std::sort(by_length.begin(), by_length.end());
  const auto size = static_cast<size_t>(batch_size());
  batches.assign((by_length.size() + size - 1) / size, {});
  for (size_t i = 0; i < by_length.size(); ++i) batches[i / size].push_back(by_length[i].second);
  std::vector<size_t> shuffled(batches.size());
  for (size_t i = 0; i < shuffled.size(); ++i) shuffled[i] = i;
  shuffle(shuffled, order);
  std::vector<std::vector<size_t>> epoch;
  for (size_t i : shuffled) epoch.push_back(std::move(batches[i]));
  return epoch;
}

Batch UtteranceBatches::batch(const std::vector<size_t>& indices) const {
  std::vector<Utterance> utterances;
  for (size_t index : indices) utterances.push_back(source_.utterance(index));
  return speech_batch(utterances, log_mel_, vocabulary_);
}

}  // namespace attn
