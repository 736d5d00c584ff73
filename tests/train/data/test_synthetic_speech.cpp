// Synthetic spoken digits (train/data/synthetic_speech.h): named and ordered like FSDD's, as
// long as real digits, within [-1, 1], the same for a seed, and told apart by their spectra:
// each digit peaks at its own frequency, each speaker at its own pitch.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tensor/error.h"
#include "train/data/synthetic_speech.h"

using namespace attn;

namespace {

// The power of `audio` at `hz`, by Goertzel's recurrence (one DFT bin, no FFT needed):
//   s[n] = x[n] + 2 cos(w) s[n-1] - s[n-2]                        w = 2 pi hz / rate
//   power = s1^2 + s2^2 - 2 cos(w) s1 s2                           s1, s2: the last two s
double power_at(const Audio& audio, double hz) {
  const double coefficient = 2 * std::cos(2 * std::numbers::pi * hz / double(audio.sample_rate));
  double s1 = 0, s2 = 0;
  for (float x : audio.samples) {
    const double s = x + coefficient * s1 - s2;
    s2 = s1, s1 = s;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

// The loudest frequency of `audio` between 200 and 1800 Hz, to 5 Hz: where every vowel lies,
// 300 to 1200 Hz times pitch factors of 0.85 * 0.97 to 1.2 * 1.03.
double peak_frequency(const Audio& audio) {
  double best = 0, best_power = -1;
  for (double hz = 200; hz <= 1800; hz += 5) {
    const double power = power_at(audio, hz);
    if (power > best_power) best = hz, best_power = power;
  }
  return best;
}

// The recording of `speaker` (0..), `digit` and `index` among recordings made with `options`.
const Recording& take(const std::vector<Recording>& recordings,
                      const SyntheticSpeechOptions& options, int64_t speaker, int digit,
                      int64_t index) {
  return recordings.at(
      static_cast<size_t>((speaker * 10 + digit) * options.recordings_per_digit + index));
}

// The mean peak frequency of a speaker's takes of a digit.
double mean_peak(const std::vector<Recording>& recordings, const SyntheticSpeechOptions& options,
                 int64_t speaker, int digit) {
  double sum = 0;
  for (int64_t index = 0; index < options.recordings_per_digit; ++index)
    sum += peak_frequency(take(recordings, options, speaker, digit, index).audio);
  return sum / double(options.recordings_per_digit);
}

}  // namespace

TEST_CASE("synthetic_speech: recordings are named and ordered by speaker, digit and index") {
  SyntheticSpeechOptions options;
  options.speakers = 3;
  options.recordings_per_digit = 2;
  const auto recordings = synthetic_recordings(options, 1);
  REQUIRE(recordings.size() == 60);
  size_t i = 0;
  for (int64_t speaker = 0; speaker < 3; ++speaker)
    for (int digit = 0; digit <= 9; ++digit)
      for (int64_t index = 0; index < 2; ++index, ++i) {
        CHECK(recordings[i].speaker == "s" + std::to_string(speaker));
        CHECK(recordings[i].digit == digit);
        CHECK(recordings[i].index == index);
        CHECK(recordings[i].audio.sample_rate == 8000);
      }
}

TEST_CASE("synthetic_speech: takes last 0.25..0.6 s, peak at 0.3..0.8 and stay within [-1, 1]") {
  for (int64_t rate : {8000, 16000}) {
    SyntheticSpeechOptions options;
    options.speakers = 8;
    options.recordings_per_digit = 4;
    options.sample_rate = rate;
    double shortest = 1, longest = 0;
    for (const Recording& recording : synthetic_recordings(options, 2)) {
      const double seconds = recording.audio.seconds();
      shortest = std::min(shortest, seconds), longest = std::max(longest, seconds);
      float peak = 0;
      for (float sample : recording.audio.samples) peak = std::max(peak, std::abs(sample));
      CHECK(peak >= 0.29f);  // 0.3..0.8, give or take the noise of 0.003
      CHECK(peak <= 0.82f);
    }
    CHECK(shortest >= 0.25);
    CHECK(longest <= 0.6);
    CHECK(longest - shortest > 0.2);  // and they do vary
  }
}

TEST_CASE("synthetic_speech: the same seed gives the same recordings, another seed others") {
  SyntheticSpeechOptions options;
  options.speakers = 2;
  options.recordings_per_digit = 3;
  const auto first = synthetic_recordings(options, 7);
  const auto again = synthetic_recordings(options, 7);
  const auto other = synthetic_recordings(options, 8);
  REQUIRE(first.size() == other.size());
  for (size_t i = 0; i < first.size(); ++i) {
    CHECK(first[i].audio.samples == again[i].audio.samples);
    CHECK(first[i].audio.samples != other[i].audio.samples);
  }
}

TEST_CASE("synthetic_speech: each digit is loudest at its own frequency, for every speaker") {
  SyntheticSpeechOptions options;
  options.speakers = 4;
  options.recordings_per_digit = 2;
  const auto recordings = synthetic_recordings(options, 3);
  for (int64_t speaker = 0; speaker < options.speakers; ++speaker) {
    std::vector<double> peaks;  // one take of each digit
    for (int digit = 0; digit <= 9; ++digit)
      peaks.push_back(peak_frequency(take(recordings, options, speaker, digit, 1).audio));
    std::sort(peaks.begin(), peaks.end());
    for (size_t d = 1; d < peaks.size(); ++d)
      CHECK(peaks[d] / peaks[d - 1] > 1.08);  // vowels 1.17x apart
  }
}

TEST_CASE("synthetic_speech: each speaker says a digit at its own pitch") {
  SyntheticSpeechOptions options;
  options.speakers = 4;
  options.recordings_per_digit = 3;
  const auto recordings = synthetic_recordings(options, 4);
  for (int digit = 0; digit <= 9; ++digit) {
    std::vector<double> peaks;  // each speaker's mean over 3 takes
    for (int64_t speaker = 0; speaker < options.speakers; ++speaker)
      peaks.push_back(mean_peak(recordings, options, speaker, digit));
    std::sort(peaks.begin(), peaks.end());
    for (size_t s = 1; s < peaks.size(); ++s) CHECK(peaks[s] / peaks[s - 1] > 1.04);
  }
}

TEST_CASE("synthetic_speech: bad options are an error naming the values") {
  auto message = [](SyntheticSpeechOptions options) {
    try {
      synthetic_recordings(options, 0);
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  SyntheticSpeechOptions options;
  options.speakers = 0;
  CHECK(message(options) == "synthetic_recordings: speakers must be 1..100, got 0");
  options = {};
  options.recordings_per_digit = 1001;
  CHECK(message(options) == "synthetic_recordings: recordings_per_digit must be 1..1000, got 1001");
  options = {};
  options.sample_rate = 4000;
  CHECK(message(options) == "synthetic_recordings: sample_rate must be 8000..48000 Hz, got 4000");
  options = {};
  options.speakers = 100;
  options.recordings_per_digit = 1000;  // a million takes of up to 0.6 s at 8 kHz
  CHECK(message(options) ==
        "synthetic_recordings: 1000000 recordings of up to 4800 samples exceed the limit of "
        "536870912 samples");
}
