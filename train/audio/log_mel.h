// Log-mel filterbank features: what a speech recogniser hears. Listen, Attend and Spell (Chan et
// al. 2016, §4) reads "40-dimensional log-mel filter bank features" every 10 ms.
//
//   samples --25 ms frames, every 10 ms--> x_t[n]               n = 0 .. W-1   (W = window)
//     x_t[n] * hann[n], zero-padded to N = the next power of two >= W
//     --FFT--> P_t[k] = |X_t[k]|^2                              k = 0 .. N/2   (fft.h)
//     --mel filters--> E_t[b] = sum_k filter_b[k] P_t[k]        b = 0 .. B-1
//     --> features[t, b] = log(max(E_t[b], floor))              [T, B]
//
// The mel scale (HTK Book, Young et al., §5.4 "Filterbank Analysis"; after Stevens & Volkmann
// 1940) spaces pitch as listeners hear it, near linear below 1 kHz and logarithmic above:
//
//   mel(f) = 2595 log10(1 + f / 700),   f(mel) = 700 (10^(mel / 2595) - 1)
//
// Filterbanks on it come from Davis & Mermelstein 1980 ("Comparison of parametric representations
// for monosyllabic word recognition", IEEE Trans. ASSP 28(4)). Here, as in HTK and Kaldi: B + 2
// edges equally spaced in mel from low_hz to high_hz; filter b is a triangle in mel, rising from
// edge b to 1 at edge b + 1 (its centre) and falling to 0 at edge b + 2, so neighbours cross at
// 1/2 and between the first and last centres the weights sum to 1. No area normalisation: a
// filter's height is 1 whatever its width.
//
//      1 |   /\  /\  /\     filters 0, 1, 2 (B = 3)
//        |  /  \/  \/  \    evenly spaced in mel, so wider and wider in Hz
//      0 |_/___/\__/\___\_____
//          e0 e1 e2 e3 e4   edges
//
// The window is the periodic Hann, hann[n] = 0.5 - 0.5 cos(2 pi n / W): one period of a cosine,
// which is what the DFT assumes it sees (Harris 1978, "On the use of windows for harmonic
// analysis with the discrete Fourier transform", Proc. IEEE 66(1): "DFT-even"). Its spectrum
// is then exactly three bins, and copies W/2 apart sum to a constant; the symmetric Hann
// (W - 1 in the denominator) is for filter design and zeroes both ends. librosa and PyTorch use
// the periodic one too.
//
// Frames (Kaldi's "snip edges"): frame t reads samples [t hop, t hop + W); there are
// 1 + (samples - W) / hop of them (integer division: a tail shorter than a hop is dropped), a
// clip shorter than one window gives one frame, zero-padded, and an empty clip none.
// Left out, as LAS §4 names none of them: dithering, DC removal, pre-emphasis and deltas.
#pragma once

#include <cstdint>
#include <vector>

#include "train/audio/wav.h"

namespace attn {

struct LogMelOptions {
  double window_ms = 25;  // frame length: W = round(window_ms * sample_rate / 1000), 2 to 65536
  double hop_ms = 10;     // frame shift: round(hop_ms * sample_rate / 1000), 1 to 65536
  int64_t bands = 40;     // mel filters B, 1 to 256 (LAS §4: 40)
  double low_hz = 20;     // the first filter's lower edge, >= 0 (Kaldi's default: below 20 Hz
                          // is rumble, not speech)
  double high_hz = 0;     // the last filter's upper edge, <= sample_rate / 2; 0: sample_rate / 2
  // Energies below are raised to it before the log, so that silence is log(floor), not -inf.
  // 1e-10 lies below what int16 rounding noise alone puts in a band (about 1e-8 for 25 ms at
  // 16 kHz, samples in [-1, 1)): only digital silence reaches it.
  double floor = 1e-10;
};

// Features of one clip, [frames, bands] row-major.
struct Features {
  int64_t frames = 0, bands = 0;
  std::vector<float> values;  // [frames, bands]
  // Throws attn::Error outside [0, frames) x [0, bands).
  float at(int64_t t, int64_t b) const;
};

// The mel scale and its inverse (HTK Book §5.4).
double hz_to_mel(double hz);
double mel_to_hz(double mel);

// The periodic Hann window of n samples: 0.5 - 0.5 cos(2 pi i / n), i = 0 .. n-1.
std::vector<double> periodic_hann(int64_t n);

// Frames of `samples` samples: 0 for none, 1 for 1 .. window - 1 (zero-padded), else
// 1 + (samples - window) / hop.
int64_t frame_count(int64_t samples, int64_t window, int64_t hop);

// The window and the filterbank for one sample rate and options, computed once and applied to
// every clip (a trainer computes the features of each utterance). Throws attn::Error naming the
// option that is out of range, and when a filter is so narrow that it holds no FFT bin (it
// would be log(floor) for ever): then fewer bands, a longer window or a higher low_hz help.
class LogMel {
 public:
  explicit LogMel(int64_t sample_rate, const LogMelOptions& options = {});

  // The features of a clip at this sample rate (an attn::Error for another rate).
  Features operator()(const Audio& audio) const;

  int64_t sample_rate() const { return sample_rate_; }
  int64_t window() const { return window_; }      // W, in samples
  int64_t hop() const { return hop_; }            // in samples
  int64_t fft_size() const { return fft_size_; }  // N, the next power of two >= W
  int64_t bands() const { return bands_; }
  int64_t frames(int64_t samples) const { return frame_count(samples, window_, hop_); }
  // Where filter b peaks, in Hz.
  double centre_hz(int64_t band) const;
  // Filter b's triangle at a frequency: 0 outside its edges, 1 at its centre. Its value at FFT
  // bin k's frequency, k sample_rate / N, is the filterbank's weight filter_b[k].
  double weight(int64_t band, double hz) const;

 private:
  void check_band(int64_t band) const;
  std::vector<double> filterbank() const;

  int64_t sample_rate_, window_, hop_, fft_size_, bands_;
  double floor_;
  std::vector<double> edges_mel_;  // [bands + 2]: filter b spans edges b .. b + 2
  std::vector<double> hann_;       // [window]
  std::vector<double> filters_;    // [bands, fft_size / 2 + 1]: filter_b[k]
};

// LogMel(audio.sample_rate, options)(audio), for a single clip.
Features log_mel(const Audio& audio, const LogMelOptions& options = {});

// Each band to mean 0 and variance 1 over the clip's frames (per-utterance cepstral mean and
// variance normalisation, as speech recognisers apply it to features): x = (x - mean) / std,
// std the biased one (over T). A band whose std is below 1e-4 (a 0.01% change in energy, far
// above float rounding and far below speech) carries nothing and is only centred, to 0, rather
// than divided by its rounding noise. Features of no frames are left as they are.
void normalise_per_utterance(Features& features);

}  // namespace attn
