// Log-mel filterbank features (see log_mel.h).
#include "train/audio/log_mel.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>

#include "tensor/error.h"
#include "train/audio/fft.h"

namespace attn {

namespace {

constexpr int64_t kMaxWindow = 65536;  // samples; also the hop's limit (log_mel.h)
constexpr int64_t kMaxBands = 256;
constexpr double kConstantBand = 1e-4;  // a band's std below this is no variation (log_mel.h)

// A number for messages: 25, 0.1, 31.25 (six significant digits at most).
std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

// A duration in milliseconds as a whole number of samples, checked to be first .. kMaxWindow.
// `option` names it in the message: "window_ms".
int64_t samples_of(double ms, int64_t sample_rate, int64_t first, const std::string& option) {
  const double samples = std::round(ms * double(sample_rate) / 1000);
  if (!(samples >= double(first) && samples <= double(kMaxWindow)))  // NaN fails too
    throw Error("log_mel: " + option + " " + number(ms) + " is " + number(samples) +
                (samples == 1 ? " sample" : " samples") + " at " + std::to_string(sample_rate) +
                " Hz; it must be " + std::to_string(first) + " to " + std::to_string(kMaxWindow));
  return static_cast<int64_t>(samples);
}

int64_t checked_sample_rate(int64_t sample_rate) {
  if (sample_rate < 1)
    throw Error("log_mel: sample rate " + std::to_string(sample_rate) +
                " Hz; it must be 1 or more");
  return sample_rate;
}

int64_t checked_bands(int64_t bands) {
  if (bands < 1 || bands > kMaxBands)
    throw Error("log_mel: bands " + std::to_string(bands) + "; it must be 1 to " +
                std::to_string(kMaxBands));
  return bands;
}

double checked_floor(double floor) {
  if (!(floor > 0 && std::isfinite(floor)))
    throw Error("log_mel: floor " + number(floor) +
                " must be positive and finite (log(0) is -inf)");
  return floor;
}

int64_t next_power_of_two(int64_t n) {
  int64_t power = 1;
  while (power < n) power *= 2;
  return power;
}

// The filters' upper edge, after checking both edges against each other and the Nyquist
// frequency.
double checked_high_hz(const LogMelOptions& options, int64_t sample_rate) {
  const double nyquist = double(sample_rate) / 2;
  const double high = options.high_hz == 0 ? nyquist : options.high_hz;
  if (!(options.low_hz >= 0))
    throw Error("log_mel: low_hz " + number(options.low_hz) + " must be 0 or more");
  if (!(high <= nyquist))
    throw Error("log_mel: high_hz " + number(high) + " is above the Nyquist frequency, " +
                number(nyquist) + " Hz at " + std::to_string(sample_rate) + " Hz");
  if (!(options.low_hz < high))
    throw Error("log_mel: low_hz " + number(options.low_hz) + " must be below high_hz " +
                number(high));
  return high;
}

// B + 2 points equally spaced in mel from low_hz to high_hz.
std::vector<double> mel_edges(double low_hz, double high_hz, int64_t bands) {
  const double low = hz_to_mel(low_hz), step = (hz_to_mel(high_hz) - low) / double(bands + 1);
  std::vector<double> edges(static_cast<size_t>(bands + 2));
  for (size_t i = 0; i < edges.size(); ++i) edges[i] = low + double(i) * step;
  return edges;
}

// frame[n] = samples[start + n] hann[n] for the window's samples there are, zeros beyond: past
// the end of a clip shorter than a window, and from the window's end to the FFT size.
void windowed_frame(const std::vector<float>& samples, int64_t start,
                    const std::vector<double>& hann, std::vector<double>& frame) {
  std::fill(frame.begin(), frame.end(), 0.0);
  const int64_t present = std::min(std::ssize(hann), std::ssize(samples) - start);
  for (int64_t n = 0; n < present; ++n)
    frame[static_cast<size_t>(n)] =
        double(samples[static_cast<size_t>(start + n)]) * hann[static_cast<size_t>(n)];
}

}  // namespace

float Features::at(int64_t t, int64_t b) const {
  if (t < 0 || t >= frames || b < 0 || b >= bands)
    throw Error("Features::at: frame " + std::to_string(t) + ", band " + std::to_string(b) +
                " outside " + std::to_string(frames) + " frames of " + std::to_string(bands) +
                " bands");
  return values[static_cast<size_t>(t * bands + b)];
}

double hz_to_mel(double hz) { return 2595 * std::log10(1 + hz / 700); }
double mel_to_hz(double mel) { return 700 * (std::pow(10.0, mel / 2595) - 1); }

std::vector<double> periodic_hann(int64_t n) {
  std::vector<double> window(static_cast<size_t>(std::max<int64_t>(n, 0)));
  for (size_t i = 0; i < window.size(); ++i)
    window[i] = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * double(i) / double(n));
  return window;
}

int64_t frame_count(int64_t samples, int64_t window, int64_t hop) {
  if (samples <= 0) return 0;
  if (samples < window) return 1;
  return 1 + (samples - window) / hop;
}

// ---- LogMel: the window and the filterbank, once ----

// Members in the order they are declared, each checked as it is made: a sample rate of 0 is
// refused before any duration is converted with it.
LogMel::LogMel(int64_t sample_rate, const LogMelOptions& options)
    : sample_rate_(checked_sample_rate(sample_rate)),
      window_(samples_of(options.window_ms, sample_rate, 2, "window_ms")),  // 1-sample Hann: 0
      hop_(samples_of(options.hop_ms, sample_rate, 1, "hop_ms")),
      fft_size_(next_power_of_two(window_)),
      bands_(checked_bands(options.bands)),
      floor_(checked_floor(options.floor)),
      edges_mel_(mel_edges(options.low_hz, checked_high_hz(options, sample_rate), bands_)),
      hann_(periodic_hann(window_)),
      filters_(filterbank()) {}

// filter_b[k] = weight(b, k sample_rate / N), [bands, N/2 + 1]; each filter must hold a bin.
std::vector<double> LogMel::filterbank() const {
  const int64_t bins = fft_size_ / 2 + 1;
  const double bin_hz = double(sample_rate_) / double(fft_size_);
  std::vector<double> filters(static_cast<size_t>(bands_ * bins));
  for (int64_t b = 0; b < bands_; ++b) {
    double total = 0;
    for (int64_t k = 0; k < bins; ++k) {
      filters[static_cast<size_t>(b * bins + k)] = weight(b, double(k) * bin_hz);
      total += filters[static_cast<size_t>(b * bins + k)];
    }
    if (total == 0)
      throw Error("log_mel: mel band " + std::to_string(b) + " (" +
                  number(mel_to_hz(edges_mel_[static_cast<size_t>(b)])) + " to " +
                  number(mel_to_hz(edges_mel_[static_cast<size_t>(b + 2)])) +
                  " Hz) holds no FFT bin, the bins being " + number(bin_hz) +
                  " Hz apart; use fewer bands, a longer window or a higher low_hz");
  }
  return filters;
}

void LogMel::check_band(int64_t band) const {
  if (band < 0 || band >= bands_)
    throw Error("log_mel: band " + std::to_string(band) + " of " + std::to_string(bands_));
}

double LogMel::centre_hz(int64_t band) const {
  check_band(band);
  return mel_to_hz(edges_mel_[static_cast<size_t>(band + 1)]);
}

double LogMel::weight(int64_t band, double hz) const {
  check_band(band);
  const double left = edges_mel_[static_cast<size_t>(band)];
  const double centre = edges_mel_[static_cast<size_t>(band + 1)];
  const double right = edges_mel_[static_cast<size_t>(band + 2)];
  const double mel = hz_to_mel(hz);
  if (!(mel > left && mel < right)) return 0;
  return mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre);
}

// ---- LogMel: the features of a clip ----

Features LogMel::operator()(const Audio& audio) const {
  if (audio.sample_rate != sample_rate_)
    throw Error("log_mel: audio at " + std::to_string(audio.sample_rate) +
                " Hz, these features are set up for " + std::to_string(sample_rate_) + " Hz");
  const int64_t samples = std::ssize(audio.samples), bins = fft_size_ / 2 + 1;
  Features features;
  features.frames = frames(samples);
  features.bands = bands_;
  features.values.resize(static_cast<size_t>(features.frames * bands_));
  // Buffers for every frame, sized once.
  std::vector<double> frame(static_cast<size_t>(fft_size_)), power;
  std::vector<std::complex<double>> work;
  for (int64_t t = 0; t < features.frames; ++t) {
    windowed_frame(audio.samples, t * hop_, hann_, frame);
    power_spectrum(frame, work, power);  // P_t[k] = |X_t[k]|^2, [bins]
    for (int64_t b = 0; b < bands_; ++b) {
      const double* filter = filters_.data() + b * bins;
      double energy = 0;  // E_t[b] = sum_k filter_b[k] P_t[k]
      for (int64_t k = 0; k < bins; ++k) energy += filter[k] * power[static_cast<size_t>(k)];
      features.values[static_cast<size_t>(t * bands_ + b)] =
          static_cast<float>(std::log(std::max(energy, floor_)));
    }
  }
  return features;
}

Features log_mel(const Audio& audio, const LogMelOptions& options) {
  return LogMel(audio.sample_rate, options)(audio);
}

// ---- Per-utterance normalisation ----

void normalise_per_utterance(Features& features) {
  if (features.frames == 0) return;
  const double frames = double(features.frames);
  for (int64_t b = 0; b < features.bands; ++b) {
    // Band b is the column values[t * bands + b], t = 0 .. frames-1.
    const auto value = [&](int64_t t) -> float& {
      return features.values[static_cast<size_t>(t * features.bands + b)];
    };
    double mean = 0, variance = 0;
    for (int64_t t = 0; t < features.frames; ++t) mean += value(t);
    mean /= frames;
    for (int64_t t = 0; t < features.frames; ++t) variance += (value(t) - mean) * (value(t) - mean);
    const double deviation = std::sqrt(variance / frames);
    const double scale = deviation < kConstantBand ? 1 : 1 / deviation;  // constant: only centred
    for (int64_t t = 0; t < features.frames; ++t)
      value(t) = static_cast<float>((value(t) - mean) * scale);
  }
}

}  // namespace attn
