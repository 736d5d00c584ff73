// Spoken digits, one word per recording (the Free Spoken Digit Dataset, Jackson et al. 2018, or
// synthetic_speech.h's tones), and connected-digit utterances composed from them: the task of
// TIDIGITS (Leonard 1984) on which a Listen, Attend and Spell recogniser (Chan et al. 2016)
// learns to spell what it hears.
//
//   utterance    ~~~~~~[ three ]~~~~[ nine ]~~~~~~[ one ]~~~~      ~ pause: silence, then noise
//                      |<----->|    |<---->|      |<--->|
//                       span 0       span 1       span 2
//   digits 3 9 1, transcript "three nine one", all spoken by one speaker
//
// Every pause (before, between and after the digits) is silence of a duration drawn uniformly
// in [min_pause, max_pause]; low Gaussian noise then covers the whole utterance, so a pause
// sounds like a quiet room, not like digital zeros that no microphone records and whose log-mel
// energy would be -infinity. All digits of an utterance come from one speaker, as a person
// reads out a number. Seeded: the same recordings, pool, options and seed give the same
// utterances, byte for byte.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tensor/random.h"
#include "train/audio/wav.h"

namespace attn {

// One spoken digit: FSDD's file "7_jackson_32.wav" is digit 7, speaker "jackson", index 32.
struct Recording {
  int digit = 0;        // 0..9, the word spoken
  std::string speaker;  // who spoke it
  int64_t index = 0;    // which of the speaker's takes of this digit
  Audio audio;
};

// The most samples read_recordings or synthetic_recordings hold in all: 2^29, 2 GiB as floats,
// 18.6 hours at 8 kHz (FSDD's 2,700 recordings are 9.6 million samples), so that a folder of
// huge files cannot exhaust memory.
constexpr int64_t kMaxRecordingSamples = int64_t{1} << 29;

// Every "{digit}_{speaker}_{index}.wav" of `folder` (FSDD's naming): digit one of 0..9, the
// speaker a non-empty name without "_", the index a decimal number without a leading zero (at
// most 9 digits, so no two files name one take). Sorted by speaker, digit and index, never in
// directory order. Other files, and folders whose name ends in .wav, are ignored; a .wav file
// named otherwise, a missing folder, a folder without .wav files, recordings of two sample
// rates (naming the first file whose rate differs from the first file's), files holding more than
// kMaxRecordingSamples 16-bit samples in all (2 bytes each, counted before any is read), and
// any WAV file read_wav rejects are errors.
std::vector<Recording> read_recordings(const std::string& folder);

// ---- split ----------------------------------------------------------------------------------

// Recordings, as their indices into a std::vector<Recording>: a split copies no audio.
using RecordingPool = std::vector<int64_t>;

// Every recording of `recordings`: 0 .. size - 1.
RecordingPool every_recording(const std::vector<Recording>& recordings);

// The default held-out speaker: FSDD's theo, whose accent (USA, per FSDD's metadata) jackson
// shares, so training still hears every accent of the six speakers (USA, Belgian French, German,
// Greek) and the unseen test measures a new voice, not a new accent as well.
inline constexpr char kDefaultHeldOutSpeaker[] = "theo";

// The split by speaker and index:
//   training speakers, index mod 10: 0..7 train, 8 valid, 9 test (FSDD's indices 5..49 give 35,
//     5 and 5 takes of each digit and speaker): the same voices, takes training never heard;
//   the held-out speaker, index even: unseen_valid, odd: unseen_test (22 and 23 of each digit):
//     a voice training never heard. None of its takes are trained on, so none need holding back
//     for training, and the largest sample of the new voice measures it best; splitting by
//     parity, not in blocks, gives both halves takes from across the recording sessions.
// An empty held_out_speaker holds nobody out (unseen_valid and unseen_test stay empty).
struct RecordingSplit {
  RecordingPool train, valid, test;         // the training speakers
  RecordingPool unseen_valid, unseen_test;  // the held-out speaker
};

// Throws when held_out_speaker is not empty and speaks none of the recordings (a typo would
// silently train on every speaker), or when an index is negative.
RecordingSplit split_recordings(const std::vector<Recording>& recordings,
                                const std::string& held_out_speaker = kDefaultHeldOutSpeaker);

// ---- utterances -----------------------------------------------------------------------------

// "zero", "one", ..., "nine".
std::string digit_word(int digit);

struct Utterance {
  Audio audio;
  std::vector<int> digits;  // what was said, in order
  std::string transcript;   // the digits' words joined by single spaces: "three nine one"
  std::string speaker;      // who said all of it
  // Samples [begin, end) of each digit in `audio`, and the recording it is (an index into the
  // recordings): what the alignment an attention model finds can be checked against.
  std::vector<std::pair<int64_t, int64_t>> spans;
  std::vector<int64_t> sources;
};

struct UtteranceOptions {
  int64_t min_digits = 1;   // digits per utterance, uniformly min_digits..max_digits,
  int64_t max_digits = 5;   //   1 <= min_digits <= max_digits <= 20
  double min_pause = 0.05;  // seconds of each pause, uniform in [min_pause, max_pause],
  double max_pause = 0.25;  //   0 <= min_pause <= max_pause <= 5: FSDD's takes are trimmed
                            //   close to the word, so the pause is all the silence there is
  double noise = 0.002;     // standard deviation of the Gaussian noise over the whole utterance
                            //   (54 dB below full scale), 0..0.1; 0: none, the takes' own
                            //   samples in digital silence. Samples are clipped to [-1, 1].
};

// Utterances one at a time, from recordings checked once: what an endless source of training
// examples needs. Each utterance draws, in this order: a speaker, uniformly among the pool's
// speakers; the count of digits; each digit, uniformly among the digits that speaker has in the
// pool (all ten for FSDD and synthetic speech; a speaker missing some simply never says them),
// and one of the speaker's takes of it, uniformly; the pauses; the noise.
class UtteranceMaker {
 public:
  // Checks the options and the pool: indices inside `recordings`, digits 0..9, audio not empty,
  // one sample rate of 1..384000 Hz (read_wav's range). Keeps a reference: `recordings` must
  // outlive the maker.
  UtteranceMaker(const std::vector<Recording>& recordings, const RecordingPool& pool,
                 const UtteranceOptions& options);
  // One utterance, drawing from `generator`.
  Utterance utterance(Generator& generator) const;

 private:
  // One speaker's takes in the pool, by digit, and the digits it has at least one take of.
  struct SpeakerTakes {
    std::string name;
    std::array<RecordingPool, 10> takes;
    std::vector<int> digits;
  };

  const std::vector<Recording>& recordings_;
  std::vector<SpeakerTakes> speakers_;  // sorted by name
  UtteranceOptions options_;
  int64_t sample_rate_ = 0;
};

// `count` utterances from the recordings `pool` of `recordings`, drawn by a generator seeded with
// `seed`.
std::vector<Utterance> compose_utterances(const std::vector<Recording>& recordings,
                                          const RecordingPool& pool, int64_t count, uint64_t seed,
                                          const UtteranceOptions& options = {});

}  // namespace attn
