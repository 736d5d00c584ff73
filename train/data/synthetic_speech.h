// Synthetic "recordings of spoken digits": a stand-in for the Free Spoken Digit Dataset that
// unit tests and the curriculum example make in memory, in milliseconds, from a seed.
//
// Why tones, not speech: a test must be self-contained (a user's clone has no recordings) and
// fast, and a model learning from it must face the same kind of task as on real speech: tell
// ten words apart from their log-mel spectrogram whatever the voice. So each digit is a fixed,
// learnable sound pattern, and the speakers and takes vary it the way voices and repetitions
// vary a word. This is not speech and nothing measured on it says how well real speech works.
//
// A word is 1 to 3 parts in a row, each a steady tone (a "vowel") or a glide from one
// frequency to another (a "transition"), each with a Hann envelope, sin^2(pi n / L) over its L
// samples, so it fades in and out without a click:
//
//   part(n) = sin^2(pi (n + 1/2) / L) * sum_h a_h sin(h * phase(n)),   h = 1, 2, 3
//   phase(n) = sum_{k <= n} 2 pi f(k) / sample_rate,   f gliding linearly from start to end
//   a_1, a_2, a_3 = 1, 1/2, 1/4   (a harmonic is left out when it would reach 0.45 * rate)
//
// Frequencies of the fundamental in Hz before the speaker's pitch, and each part's share of the
// word's duration. The vowels lie 1.17x apart (300 * 4^(k/9)), so each digit's loudest, longest
// tone is its own, while the glides give each digit a shape that survives any voice:
//
//   digit  parts                                          seconds
//   0      glide 1100->1300 (0.30)  vowel 408 (0.70)        0.42
//   1      vowel 300 (0.70)  glide 500->380 (0.30)          0.36
//   2      glide 1600->1250 (0.25)  vowel 756 (0.75)        0.38
//   3      glide 1800->1400 (0.20)  vowel 1029 (0.80)       0.40
//   4      vowel 350 (1.00)                                 0.36
//   5      vowel 555 (0.60)  glide 700->950 (0.40)          0.42
//   6      vowel 1200 (0.55)  glide 900->700 (0.20)  glide 1400->1700 (0.25)   0.40
//   7      glide 1300->1000 (0.25)  vowel 882 (0.50)  glide 420->520 (0.25)    0.45
//   8      vowel 648 (1.00)                                 0.35
//   9      glide 330->430 (0.20)  vowel 476 (0.55)  glide 560->430 (0.25)      0.44
//
// Speaker k ("s0", "s1", ...) is a voice: every frequency times a pitch factor in 0.85..1.20
// and every duration times a tempo factor in 0.85..1.15, spread evenly over those ranges by the
// golden-ratio sequence (pitch = 0.85 + 0.35 frac(0.618034 k), tempo = 0.85 + 0.30 frac(0.5 +
// 0.414214 k)), so that any number of speakers differ and speaker k has the same voice under
// every seed: recordings of "s3" made with seed 1 and seed 2 are two sessions of one voice.
// Each take then varies its duration by a factor in 0.85..1.15 (so words last 0.25..0.6 s,
// like FSDD's), its pitch by 0.97..1.03 and its peak amplitude in 0.3..0.8, all uniform, and
// carries Gaussian noise of standard deviation 0.003; samples are clipped to [-1, 1].
#pragma once

#include <cstdint>
#include <vector>

#include "train/data/spoken_digits.h"

namespace attn {

struct SyntheticSpeechOptions {
  int64_t speakers = 4;               // "s0".."s3", 1..100
  int64_t recordings_per_digit = 10;  // takes of each digit by each speaker, indices 0.., 1..1000
  int64_t sample_rate = 8000;         // Hz, FSDD's rate; 8000..48000, where every vowel fits
};

// Every digit 0..9 spoken recordings_per_digit times by each speaker, ordered by speaker, digit
// and index, drawn by a generator seeded with `seed`: the same options and seed give the same
// recordings, sample for sample. At most 2^29 samples in all (kMaxRecordingSamples).
std::vector<Recording> synthetic_recordings(const SyntheticSpeechOptions& options, uint64_t seed);

}  // namespace attn
