// Fuzz target: a WAV file (train/audio/wav.h), 16-bit PCM, mono or stereo, plain or extensible,
// with any chunks around. Whatever is accepted must have a sample rate the reader allows and every
// sample in [-1, 1), and survive the writer: written as mono 16-bit it reads back within half a
// step (0.5 / 32768) of itself (exactly, unless stereo was mixed down to a half step), and that
// file writes back to exactly its own bytes.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/targets.h"
#include "train/audio/wav.h"

namespace attn::fuzz {

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "fuzz wav: %s\n", what);
  std::abort();
}

void check_audio(const Audio& audio) {
  if (audio.sample_rate < 1 || audio.sample_rate > 384000)
    finding("the sample rate accepted lies outside 1 to 384000 Hz");
  for (float sample : audio.samples)
    if (!(sample >= -1.0f && sample < 1.0f)) finding("a sample accepted lies outside [-1, 1)");
}

}  // namespace

void fuzz_wav(const std::string& input) {
  const Audio audio = parse_wav(input, "fuzz.wav");
  check_audio(audio);
  const std::string file = format_wav(audio);
  const Audio back = parse_wav(file, "fuzz.wav");
  if (back.sample_rate != audio.sample_rate || back.samples.size() != audio.samples.size())
    finding("the audio written reads back with another rate or length");
  for (size_t i = 0; i < audio.samples.size(); ++i)
    if (std::fabs(back.samples[i] - audio.samples[i]) > 0.5f / 32768)
      finding("a sample written reads back more than half a step away");
  if (format_wav(back) != file) finding("a 16-bit mono file does not write back to its own bytes");
}

std::string seed_wav() {
  // Stereo at 8000 Hz, a 3-byte "LIST" chunk (and its pad byte) before "data", two blocks:
  // (100, 300) and (-32768, 32767).
  const unsigned char bytes[] = {
      'R', 'I', 'F', 'F', 56, 0, 0, 0, 'W', 'A', 'V', 'E',
      'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 2, 0, 0x40, 0x1F, 0, 0, 0, 0x7D, 0, 0, 4, 0, 16, 0,
      'L', 'I', 'S', 'T', 3, 0, 0, 0, 'a', 'b', 'c', 0,
      'd', 'a', 't', 'a', 8, 0, 0, 0, 100, 0, 0x2C, 1, 0, 0x80, 0xFF, 0x7F};
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

}  // namespace attn::fuzz
