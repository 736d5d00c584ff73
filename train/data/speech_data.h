// Spoken-digit utterances as a speech recogniser trains on them: log-mel frames and characters,
// batched.
//
// An UtteranceSource is a numbered, endless supply of connected-digit utterances
// (numbered_examples.h; spoken_digits.h composes them): utterance i is drawn by a generator
// seeded from (seed, i). Each becomes 40 log-mel features every 10 ms (train/audio/log_mel.h),
// normalised per utterance, and its transcript is spelled one character at a time, spaces
// included, as Listen, Attend and Spell emits it (Chan et al. 2016, §2):
//
//   source.input  frames                    [B, T, F]   padded with zeros
//   source.mask   1 = a real frame          [B, T]
//   target_in     <bos> t h r e e ' ' n ..  [B, L]      padded with <pad>
//   target_out    t h r e e ' ' n .. <eos>  [B, L]
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "train/audio/log_mel.h"
#include "train/data/numbered_examples.h"
#include "train/data/spoken_digits.h"
#include "train/text/vocabulary.h"

namespace attn {

class UtteranceSource {
 public:
  // Keeps the recordings it is given (shared, so sources over parts of one folder share one
  // copy); `pool` picks the recordings it composes from.
  UtteranceSource(std::shared_ptr<const std::vector<Recording>> recordings, RecordingPool pool,
                  const UtteranceOptions& options, uint64_t seed);
  Utterance utterance(uint64_t index) const;

 private:
  std::shared_ptr<const std::vector<Recording>> recordings_;
  RecordingPool pool_;
  UtteranceMaker maker_;  // over *recordings_ and pool_
  uint64_t seed_;
};

// "three nine" -> "t" "h" "r" "e" "e" " " "n" "i" "n" "e": what the speller emits.
std::vector<std::string> spelled(const std::string& transcript);
// The reverse: characters joined.
std::string unspelled(const std::vector<std::string>& characters);

// The characters any transcript of digits uses: the letters of "zero" .. "nine" and the space.
Vocabulary speech_vocabulary();

// Log-mel features of each clip, normalised per utterance, padded into frames [B, T, F] and
// their mask [B, T].
Source frames_source(const std::vector<Audio>& clips, const LogMel& log_mel);

// Utterances and their spelled transcripts as a padded batch for teacher forcing.
Batch speech_batch(const std::vector<Utterance>& utterances, const LogMel& log_mel,
                   const Vocabulary& vocabulary);

// A source's utterances as the training loop's data: `per_epoch` an epoch in batches of
// `batch_size`; fixed: always utterances 0 .. per_epoch - 1 (validation), else fresh ones.
// Fresh ones are batched by length: an utterance lasts from half a second to four, and a batch
// is as long as its longest row, so a random batch is mostly padding, which the listener's
// LSTMs would step through for nothing. Each epoch's utterances are sorted by length, cut into
// batches, and the batches shuffled (as train/data/batching.h does for sentences).
class UtteranceBatches : public NumberedExamples {
 public:
  UtteranceBatches(const UtteranceSource& source, const LogMel& log_mel,
                   const Vocabulary& vocabulary, int64_t per_epoch, int64_t batch_size, bool fixed);
  std::vector<std::vector<size_t>> epoch(Generator& order) const override;
  Batch batch(const std::vector<size_t>& indices) const override;

 private:
  const UtteranceSource& source_;
  const LogMel& log_mel_;
  const Vocabulary& vocabulary_;
};

}  // namespace attn
