// Synthetic recordings of spoken digits (see synthetic_speech.h for the sounds and the voices).
#include "train/data/synthetic_speech.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "tensor/error.h"
#include "tensor/random.h"

namespace attn {

namespace {

const char* const kOp = "synthetic_recordings";

// A tone whose fundamental glides linearly from start_hz to end_hz (a vowel when they are
// equal), over `share` of the word's duration.
struct Part {
  double start_hz, end_hz, share;
};

struct DigitSound {
  std::vector<Part> parts;
  double seconds;
};

// The table of synthetic_speech.h, digit by digit.
const DigitSound kDigitSounds[10] = {
    {{{1100, 1300, 0.30}, {408, 408, 0.70}}, 0.42},
    {{{300, 300, 0.70}, {500, 380, 0.30}}, 0.36},
    {{{1600, 1250, 0.25}, {756, 756, 0.75}}, 0.38},
    {{{1800, 1400, 0.20}, {1029, 1029, 0.80}}, 0.40},
    {{{350, 350, 1.00}}, 0.36},
    {{{555, 555, 0.60}, {700, 950, 0.40}}, 0.42},
    {{{1200, 1200, 0.55}, {900, 700, 0.20}, {1400, 1700, 0.25}}, 0.40},
    {{{1300, 1000, 0.25}, {882, 882, 0.50}, {420, 520, 0.25}}, 0.45},
    {{{648, 648, 1.00}}, 0.35},
    {{{330, 430, 0.20}, {476, 476, 0.55}, {560, 430, 0.25}}, 0.44},
};

constexpr double kHarmonics[] = {1.0, 0.5, 0.25};  // a_1, a_2, a_3
constexpr double kHighestPartial = 0.45;           // times the sample rate: below Nyquist
constexpr double kTakeJitter = 0.15;               // duration factor 1 +- 0.15
constexpr double kPitchJitter = 0.03;              // pitch factor 1 +- 0.03
constexpr double kLowestPeak = 0.3, kHighestPeak = 0.8;
constexpr double kNoise = 0.003;         // standard deviation
constexpr double kLongestSeconds = 0.6;  // 0.45 s * 1.15 (tempo) * 1.15 (take)
constexpr int64_t kMaxSpeakers = 100, kMaxTakes = 1000;

std::string text(int64_t value) { return std::to_string(value); }

double fraction(double x) { return x - std::floor(x); }

// Uniform in [low, high).
double uniform_in(Generator& generator, double low, double high) {
  return low + (high - low) * generator.uniform();
}

// Speaker k's voice: factors on every frequency and every duration, the same under every seed.
struct Voice {
  double pitch, tempo;
};

Voice voice_of(int64_t speaker) {
  const double k = static_cast<double>(speaker);
  return {0.85 + 0.35 * fraction(0.6180339887 * k), 0.85 + 0.30 * fraction(0.5 + 0.4142135624 * k)};
}

void check_options(const SyntheticSpeechOptions& options) {
  check(options.speakers >= 1 && options.speakers <= kMaxSpeakers, kOp,
        "speakers must be 1..100, got " + text(options.speakers));
  check(options.recordings_per_digit >= 1 && options.recordings_per_digit <= kMaxTakes, kOp,
        "recordings_per_digit must be 1..1000, got " + text(options.recordings_per_digit));
  check(options.sample_rate >= 8000 && options.sample_rate <= 48000, kOp,
        "sample_rate must be 8000..48000 Hz, got " + text(options.sample_rate));
  const int64_t longest =
      static_cast<int64_t>(std::ceil(kLongestSeconds * double(options.sample_rate)));
  const int64_t most = options.speakers * 10 * options.recordings_per_digit * longest;
  check(most <= kMaxRecordingSamples, kOp,
        text(options.speakers * 10 * options.recordings_per_digit) + " recordings of up to " +
            text(longest) + " samples exceed the limit of " + text(kMaxRecordingSamples) +
            " samples");
}

// Adds one part, `pitch` times its frequencies, over samples [begin, end) of `samples`.
void add_part(const Part& part, double pitch, int64_t sample_rate, int64_t begin, int64_t end,
              std::vector<float>& samples) {
  const double rate = static_cast<double>(sample_rate);
  const double length = static_cast<double>(end - begin);
  const double highest = std::max(part.start_hz, part.end_hz) * pitch;
  double phase = 0;
  for (int64_t n = begin; n < end; ++n) {
    const double t = (static_cast<double>(n - begin) + 0.5) / length;  // 0..1 through the part
    const double hz = (part.start_hz + (part.end_hz - part.start_hz) * t) * pitch;  // f(n)
    phase += 2 * std::numbers::pi * hz / rate;
    const double hann = std::sin(std::numbers::pi * t);
    const double envelope = hann * hann;
    double tone = 0;
    for (int h = 1; h <= 3; ++h)
      if (h * highest < kHighestPartial * rate) tone += kHarmonics[h - 1] * std::sin(h * phase);
    samples[static_cast<size_t>(n)] += static_cast<float>(envelope * tone);
  }
}

// One take of `digit` by a voice, its duration and pitch factors drawn from `generator`.
Audio speak(int digit, const Voice& voice, int64_t sample_rate, Generator& generator) {
  const DigitSound& sound = kDigitSounds[digit];
  const double seconds =
      sound.seconds * voice.tempo * uniform_in(generator, 1 - kTakeJitter, 1 + kTakeJitter);
  const double pitch = voice.pitch * uniform_in(generator, 1 - kPitchJitter, 1 + kPitchJitter);
  const int64_t length = std::llround(seconds * static_cast<double>(sample_rate));
  Audio audio{sample_rate, std::vector<float>(static_cast<size_t>(length), 0.0f)};
  double start = 0;  // where the part begins, as a share of the word
  for (const Part& part : sound.parts) {
    const int64_t begin = std::llround(start * static_cast<double>(length));
    start += part.share;
    const int64_t end =
        std::min<int64_t>(length, std::llround(start * static_cast<double>(length)));
    add_part(part, pitch, sample_rate, begin, end, audio.samples);
  }
  return audio;
}

// Scales `audio` to a peak amplitude drawn from `generator`, adds the noise and clips.
void record(Audio& audio, Generator& generator) {
  float peak = 0;
  for (float sample : audio.samples) peak = std::max(peak, std::abs(sample));
  const double gain = uniform_in(generator, kLowestPeak, kHighestPeak) / peak;
  for (float& sample : audio.samples) {
    const double noisy = sample * gain + kNoise * generator.normal();
    sample = static_cast<float>(std::clamp(noisy, -1.0, 1.0));
  }
}

}  // namespace

std::vector<Recording> synthetic_recordings(const SyntheticSpeechOptions& options, uint64_t seed) {
  check_options(options);
  Generator generator(seed);
  std::vector<Recording> recordings;
  for (int64_t speaker = 0; speaker < options.speakers; ++speaker) {
    const Voice voice = voice_of(speaker);
    for (int digit = 0; digit <= 9; ++digit)
      for (int64_t index = 0; index < options.recordings_per_digit; ++index) {
        Audio audio = speak(digit, voice, options.sample_rate, generator);
        record(audio, generator);
        recordings.push_back({digit, "s" + text(speaker), index, std::move(audio)});
      }
  }
  return recordings;
}

}  // namespace attn
