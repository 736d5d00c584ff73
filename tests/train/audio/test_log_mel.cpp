// Log-mel features (train/audio/log_mel.h): the mel scale and the Hann window by hand, frame
// counts for known lengths, a tiny filterbank whose triangles are checked against hand-computed
// values, a pure tone heard in the right band, silence at the floor, per-utterance
// normalisation, and every option out of range refused by name.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "tensor/error.h"
#include "train/audio/log_mel.h"

using namespace attn;

namespace {

// `seconds` of a sine of `hz` and amplitude 0.5 at `sample_rate`.
Audio tone(double hz, int64_t sample_rate, double seconds) {
  Audio audio;
  audio.sample_rate = sample_rate;
  const auto count = static_cast<int64_t>(seconds * double(sample_rate));
  for (int64_t n = 0; n < count; ++n)
    audio.samples.push_back(static_cast<float>(
        0.5 * std::sin(2 * std::numbers::pi * hz * double(n) / double(sample_rate))));
  return audio;
}

// The band of `features` with the most energy in frame t.
int64_t loudest_band(const Features& features, int64_t t) {
  int64_t loudest = 0;
  for (int64_t b = 1; b < features.bands; ++b)
    if (features.at(t, b) > features.at(t, loudest)) loudest = b;
  return loudest;
}

// Mean and biased variance of band b over the frames.
std::pair<double, double> band_moments(const Features& features, int64_t b) {
  double mean = 0, variance = 0;
  for (int64_t t = 0; t < features.frames; ++t) mean += features.at(t, b);
  mean /= double(features.frames);
  for (int64_t t = 0; t < features.frames; ++t)
    variance += (features.at(t, b) - mean) * (features.at(t, b) - mean);
  return {mean, variance / double(features.frames)};
}

}  // namespace

TEST_CASE("log_mel: the mel scale is 2595 log10(1 + f / 700), and mel_to_hz undoes it") {
  CHECK(hz_to_mel(0) == 0);
  CHECK(hz_to_mel(700) == doctest::Approx(781.17));  // 2595 log10(2) = 2595 x 0.30103
  CHECK(hz_to_mel(6300) == doctest::Approx(2595));   // 1 + 6300 / 700 = 10
  CHECK(mel_to_hz(2595) == doctest::Approx(6300));
  CHECK(mel_to_hz(hz_to_mel(1234.5)) == doctest::Approx(1234.5));
}

TEST_CASE("log_mel: the periodic Hann window, and its copies half a window apart sum to 1") {
  // 0.5 - 0.5 cos(2 pi n / 4) for n = 0..3: cos = 1, 0, -1, 0, so 0, 0.5, 1, 0.5.
  const std::vector<double> four = periodic_hann(4);
  REQUIRE(four.size() == 4);
  CHECK(four[0] == doctest::Approx(0));
  CHECK(four[1] == doctest::Approx(0.5));
  CHECK(four[2] == doctest::Approx(1));
  CHECK(four[3] == doctest::Approx(0.5));
  // cos(x + pi) = -cos(x): hann[n] + hann[n + W/2] = 1.
  const std::vector<double> window = periodic_hann(400);
  for (size_t n = 0; n < 200; ++n) CHECK(window[n] + window[n + 200] == doctest::Approx(1));
}

TEST_CASE("log_mel: frame counts for known lengths, 25 ms windows every 10 ms") {
  // At 8 kHz: a window of 0.025 x 8000 = 200 samples, a hop of 80, FFT size 256.
  const LogMel eight(8000);
  CHECK(eight.window() == 200);
  CHECK(eight.hop() == 80);
  CHECK(eight.fft_size() == 256);
  CHECK(eight.bands() == 40);
  CHECK(eight.frames(0) == 0);     // an empty clip has no frame
  CHECK(eight.frames(1) == 1);     // shorter than a window: one frame, zero-padded
  CHECK(eight.frames(199) == 1);
  CHECK(eight.frames(200) == 1);   // 1 + 0 / 80
  CHECK(eight.frames(279) == 1);   // 1 + 79 / 80 = 1 + 0: the tail is dropped
  CHECK(eight.frames(280) == 2);   // 1 + 80 / 80
  CHECK(eight.frames(8000) == 98);  // 1 + 7800 / 80 = 1 + 97 (97.5 rounded down)
  // At 16 kHz: 400 samples, a hop of 160, FFT size 512; one second is 1 + 15600 / 160 = 98.
  const LogMel sixteen(16000);
  CHECK(sixteen.window() == 400);
  CHECK(sixteen.hop() == 160);
  CHECK(sixteen.fft_size() == 512);
  CHECK(sixteen.frames(16000) == 98);
  // At 22050 Hz: 551.25 rounds to 551 (FFT 1024), 220.5 to 221.
  const LogMel cd(22050);
  CHECK(cd.window() == 551);
  CHECK(cd.hop() == 221);
  CHECK(cd.fft_size() == 1024);

  const Features features = eight(tone(1000, 8000, 1.0));
  CHECK(features.frames == 98);
  CHECK(features.bands == 40);
  CHECK(features.values.size() == 98 * 40);
  CHECK(frame_count(10, 4, 3) == 3);  // frames at 0, 3, 6; the next, at 9, would need 13 samples
}

TEST_CASE("log_mel: the filterbank's triangles peak at 1 at their centres and neighbours cross") {
  // 2 bands from 0 Hz to 6300 Hz (the Nyquist frequency of 12600 Hz), where mel = 2595: edges at
  // 0, 865, 1730 and 2595 mel. Centres: 700 (10^(865/2595) - 1) = 700 (10^(1/3) - 1) = 808.10 Hz
  // and 700 (10^(2/3) - 1) = 2549.11 Hz. The filters cross halfway, at 1297.5 mel =
  // 700 (10^(1/2) - 1) = 1513.59 Hz, each at 1/2.
  LogMelOptions options;
  options.bands = 2;
  options.low_hz = 0;
  const LogMel filters(12600, options);
  CHECK(filters.centre_hz(0) == doctest::Approx(808.10));
  CHECK(filters.centre_hz(1) == doctest::Approx(2549.11));
  CHECK(filters.weight(0, filters.centre_hz(0)) == doctest::Approx(1));
  // Band 1 starts where band 0 peaks (0 but for the rounding of mel -> Hz -> mel).
  CHECK(filters.weight(1, filters.centre_hz(0)) < 1e-12);
  CHECK(filters.weight(1, filters.centre_hz(1)) == doctest::Approx(1));
  CHECK(filters.weight(0, filters.centre_hz(1)) < 1e-12);
  CHECK(filters.weight(0, 1513.59) == doctest::Approx(0.5).epsilon(1e-5));
  CHECK(filters.weight(1, 1513.59) == doctest::Approx(0.5).epsilon(1e-5));
  // 700 Hz is 2595 log10(2) mel, up band 0's rising side of 865 mel: 3 log10(2) = 0.90309.
  CHECK(filters.weight(0, 700) == doctest::Approx(0.90309));
  CHECK(filters.weight(0, 0) == 0);
  CHECK(filters.weight(1, 6300) == 0);
  // Between the centres the two triangles sum to 1 (they are linear in mel).
  for (double hz = 850; hz < 2500; hz += 50)
    CHECK(filters.weight(0, hz) + filters.weight(1, hz) == doctest::Approx(1));
  CHECK_THROWS_WITH_AS(filters.weight(2, 1000), "log_mel: band 2 of 2", Error);
}

TEST_CASE("log_mel: a pure 1 kHz tone is loudest in the band whose centre is nearest 1 kHz") {
  for (int64_t sample_rate : {8000, 16000}) {
    CAPTURE(sample_rate);
    const LogMel log_mel_of(sample_rate);
    int64_t nearest = 0;
    for (int64_t b = 1; b < log_mel_of.bands(); ++b)
      if (std::abs(log_mel_of.centre_hz(b) - 1000) <
          std::abs(log_mel_of.centre_hz(nearest) - 1000))
        nearest = b;
    const Features features = log_mel_of(tone(1000, sample_rate, 0.5));
    REQUIRE(features.frames == 48);  // 1 + (0.5 s - 25 ms) / 10 ms = 1 + 47.5, rounded down
    for (int64_t t = 0; t < features.frames; ++t) CHECK(loudest_band(features, t) == nearest);
  }
}

TEST_CASE("log_mel: silence is log(floor) in every band of every frame") {
  const Audio silence{8000, std::vector<float>(1000, 0.0f)};
  const Features features = log_mel(silence);
  CHECK(features.frames == 11);  // 1 + 800 / 80
  for (float value : features.values) CHECK(value == static_cast<float>(std::log(1e-10)));
  LogMelOptions options;
  options.floor = 1e-3;
  for (float value : log_mel(silence, options).values)
    CHECK(value == static_cast<float>(std::log(1e-3)));  // -6.9078
}

TEST_CASE("log_mel: a clip shorter than a window is one zero-padded frame; an empty clip none") {
  const Audio short_clip = tone(440, 8000, 0.01);  // 80 samples, less than the 200 of a window
  Audio padded = short_clip;
  padded.samples.resize(200, 0.0f);
  const Features features = log_mel(short_clip);
  CHECK(features.frames == 1);
  CHECK(features.values == log_mel(padded).values);
  const Features none = log_mel(Audio{8000, {}});
  CHECK(none.frames == 0);
  CHECK(none.bands == 40);
  CHECK(none.values.empty());
}

TEST_CASE("log_mel: a LogMel made once gives each clip what log_mel gives it") {
  const LogMel log_mel_of(16000);
  for (double hz : {300.0, 2500.0}) {
    const Audio clip = tone(hz, 16000, 0.3);
    CHECK(log_mel_of(clip).values == log_mel(clip).values);
  }
  CHECK_THROWS_WITH_AS(log_mel_of(tone(300, 8000, 0.1)),
                       "log_mel: audio at 8000 Hz, these features are set up for 16000 Hz", Error);
}

TEST_CASE("log_mel: normalisation gives each band mean 0 and variance 1, a constant band 0") {
  // Band 0: 1 2 3 4, mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25, std 1.1180:
  // -1.5 / 1.1180 = -1.3416, -0.5 / 1.1180 = -0.4472, then 0.4472, 1.3416. Band 1: 7 throughout.
  Features features{4, 2, {1, 7, 2, 7, 3, 7, 4, 7}};
  normalise_per_utterance(features);
  const std::vector<double> band0 = {-1.3416, -0.4472, 0.4472, 1.3416};
  for (int64_t t = 0; t < 4; ++t) {
    CHECK(features.at(t, 0) == doctest::Approx(band0[static_cast<size_t>(t)]).epsilon(1e-4));
    CHECK(features.at(t, 1) == 0);
  }

  // Real features of a tone over silence: every band that varies ends at mean 0, variance 1.
  Audio clip = tone(1000, 8000, 0.5);
  clip.samples.resize(8000, 0.0f);
  Features real = log_mel(clip);
  normalise_per_utterance(real);
  for (int64_t b = 0; b < real.bands; ++b) {
    CAPTURE(b);
    const auto [mean, variance] = band_moments(real, b);
    CHECK(std::abs(mean) < 1e-5);
    CHECK(variance == doctest::Approx(1).epsilon(1e-4));
  }
  Features empty{0, 40, {}};
  normalise_per_utterance(empty);
  CHECK(empty.values.empty());
  CHECK_THROWS_WITH_AS(real.at(real.frames, 0),
                       "Features::at: frame 98, band 0 outside 98 frames of 40 bands", Error);
}

TEST_CASE("log_mel: options out of range are refused, naming the option") {
  const auto refusal = [](int64_t sample_rate, auto change) {
    LogMelOptions options;
    change(options);
    try {
      LogMel(sample_rate, options);
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  const auto same = [](LogMelOptions&) {};
  CHECK(refusal(0, same) == "log_mel: sample rate 0 Hz; it must be 1 or more");
  CHECK(refusal(1, same) == "log_mel: window_ms 25 is 0 samples at 1 Hz; it must be 2 to 65536");
  CHECK(refusal(8000, [](LogMelOptions& o) { o.window_ms = 0.1; }) ==
        "log_mel: window_ms 0.1 is 1 sample at 8000 Hz; it must be 2 to 65536");
  CHECK(refusal(8000, [](LogMelOptions& o) { o.window_ms = 10000; }) ==
        "log_mel: window_ms 10000 is 80000 samples at 8000 Hz; it must be 2 to 65536");
  CHECK(refusal(8000, [](LogMelOptions& o) { o.window_ms = std::nan(""); }) ==
        "log_mel: window_ms nan is nan samples at 8000 Hz; it must be 2 to 65536");
  CHECK(refusal(8000, [](LogMelOptions& o) { o.hop_ms = 0; }) ==
        "log_mel: hop_ms 0 is 0 samples at 8000 Hz; it must be 1 to 65536");
  CHECK(refusal(8000, [](LogMelOptions& o) { o.bands = 0; }) ==
        "log_mel: bands 0; it must be 1 to 256");
  CHECK(refusal(8000, [](LogMelOptions& o) { o.bands = 257; }) ==
        "log_mel: bands 257; it must be 1 to 256");
  CHECK(refusal(8000, [](LogMelOptions& o) { o.low_hz = -1; }) ==
        "log_mel: low_hz -1 must be 0 or more");
  CHECK(refusal(8000, [](LogMelOptions& o) { o.high_hz = 4001; }) ==
        "log_mel: high_hz 4001 is above the Nyquist frequency, 4000 Hz at 8000 Hz");
  CHECK(refusal(8000, [](LogMelOptions& o) { o.low_hz = 4000; }) ==
        "log_mel: low_hz 4000 must be below high_hz 4000");
  CHECK(refusal(8000, [](LogMelOptions& o) {
          o.low_hz = 300;
          o.high_hz = 200;
        }) ==
        "log_mel: low_hz 300 must be below high_hz 200");
  CHECK(refusal(8000, [](LogMelOptions& o) { o.floor = 0; }) ==
        "log_mel: floor 0 must be positive and finite (log(0) is -inf)");
  CHECK(refusal(8000, [](LogMelOptions& o) { o.high_hz = 3000; }) == "accepted");
}

TEST_CASE("log_mel: a band too narrow to hold an FFT bin is refused") {
  // 128 bands from 20 Hz (31.76 mel) to 4000 Hz (2146.06 mel) are 2114.30 / 129 = 16.39 mel
  // apart. Band 4 spans edges 4 to 6, 31.76 + 4 x 16.39 = 97.32 mel = 63.13 Hz to 130.10 mel =
  // 85.65 Hz: between the 256-point FFT's bins at 62.5 and 93.75 Hz. Bands 0 to 3 each hold one
  // (band 3, 52.6 to 74.3 Hz, holds 62.5).
  LogMelOptions options;
  options.bands = 128;
  CHECK_THROWS_WITH_AS(LogMel(8000, options),
                       "log_mel: mel band 4 (63.1265 to 85.649 Hz) holds no FFT bin, the bins "
                       "being 31.25 Hz apart; use fewer bands, a longer window or a higher low_hz",
                       Error);
}
