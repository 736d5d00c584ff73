// Where a speech recogniser listens: the characters it spells against time, above the
// spectrogram of the utterance, as SVG (Chan et al. 2016, "Listen, Attend and Spell", Figure 2;
// Chorowski et al. 2015, Figure 2).
//
//        time ──────────────────────────────────────────>
//   t   | ████                                           |   one row per character: its
//   h   |    ███                                         |   attention over the listener's
//   r   |       ███                                      |   steps, each step as wide as the
//   e   |          ████                                  |   frames it summarises (2^P), white
//   e   |              ███                               |   where the model listens
//  ' '  |                 ██                             |
//       +------------------------------------------------+
//       | log-mel spectrogram, low bands at the bottom   |   what it heard: F bands x T frames
//       +------------------------------------------------+
//        0 s        0.5 s        1 s        1.5 s           the frames' time, hop_seconds apart
//
// A good alignment is a staircase: each character listens a little later than the one before,
// each word to the stretch of audio where it was said. Both layers are PNG images inside the SVG
// (png.h), so the picture is one self-contained file; the attention is scaled so that each
// character's largest weight is white, the spectrogram from its smallest to largest value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct SpeechAlignment {
  std::vector<float> spectrogram;             // [frames, bands] row-major, e.g. log-mel
  int64_t frames = 0, bands = 0;
  double hop_seconds = 0.01;                  // between frames
  std::vector<std::string> characters;        // what the model spelled, one per row
  std::vector<std::vector<double>> weights;   // per character, its attention over the U steps
  int64_t frames_per_step = 1;                // frames a listener step covers (2^P)
};

// Throws naming the mismatch when the sizes do not agree (weights of a character over more
// steps than the frames cover, a spectrogram that is not frames x bands, ...).
std::string speech_alignment_svg(const SpeechAlignment& alignment, const std::string& title);

}  // namespace attn
