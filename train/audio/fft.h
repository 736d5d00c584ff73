// The discrete Fourier transform, fast: attn's own radix-2 FFT, for the spectra of speech frames.
//
//   X[k] = sum_{n=0}^{N-1} x[n] exp(-2 pi i k n / N),   k = 0 .. N-1   (no 1/N: the inverse has it)
//
// Cooley & Tukey 1965 ("An algorithm for the machine calculation of complex Fourier series",
// Math. Comp. 19): for N a power of two, split x into its even and odd samples, whose N/2-point
// transforms E and O give the whole in N/2 "butterflies":
//
//   X[k] = E[k] + w^k O[k],   X[k + N/2] = E[k] - w^k O[k],   w = exp(-2 pi i / N)
//
// Done iteratively: the samples are first put in bit-reversed order (where the recursion's
// splitting would leave them), then log2 N passes combine blocks of 2, 4, ..., N. O(N log N)
// against the direct sum's O(N^2), which stays here as the reference twin the tests compare with.
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

namespace attn {

// True for 1, 2, 4, 8, ...
bool is_power_of_two(int64_t n);

// X of x, in place. Throws attn::Error unless the size is a power of two. Each twiddle factor
// w^k is computed afresh from cos and sin, not by repeated multiplication, whose rounding would
// grow with N.
void fft(std::vector<std::complex<double>>& values);

// X of x by the direct sum, any size (the reference twin of fft).
std::vector<std::complex<double>> dft(const std::vector<std::complex<double>>& values);

// The power spectrum of a real frame of power-of-two length N: |X[k]|^2 for k = 0 .. N/2, the
// N/2 + 1 bins from 0 Hz to the Nyquist frequency (bin k is k / N of the sample rate; the other
// half of a real signal's spectrum mirrors this one). Unscaled, as Kaldi's filterbanks use it.
std::vector<double> power_spectrum(const std::vector<double>& frame);

// The same into `power`, with `work` as the FFT's buffer: once both have their sizes, no
// allocation, for a loop over many frames.
void power_spectrum(const std::vector<double>& frame, std::vector<std::complex<double>>& work,
                    std::vector<double>& power);

}  // namespace attn
