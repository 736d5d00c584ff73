// WAV files: the RIFF container holding uncompressed PCM audio (Microsoft/IBM 1991, "Multimedia
// Programming Interface and Data Specifications 1.0", "WAVE"), what speech corpora such as the
// Free Spoken Digit Dataset ship.
//
//   "RIFF" <u32 size> "WAVE"                 size: the bytes after these 8
//     "fmt " <u32 16..> format 1 (PCM), channels, sample rate, byte rate, block align, 16 bits
//     ...    other chunks ("LIST", "fact", ...), skipped
//     "data" <u32 n> n bytes of little-endian int16 samples, channels interleaved
//
// Every number is little-endian. A chunk of odd size is followed by one pad byte, which its size
// does not count (the spec's "word alignment"); after the last chunk the pad may be missing, as
// many writers leave it out.
//
// Read here: PCM, 16 bits, 1 or 2 channels (stereo is mixed down to mono by the mean), any sample
// rate from 1 Hz to 384 kHz; also WAVE_FORMAT_EXTENSIBLE (0xFFFE) when its subformat GUID is PCM
// and all 16 bits are valid (the channel mask is ignored). Exactly one "fmt " chunk and one
// "data" chunk, "fmt " first. The header's redundant fields must agree: block align = 2 x
// channels and byte rate = sample rate x block align. The data is a whole number of blocks (one
// sample per channel): a torn last block means a damaged file, so it is refused, not cut off.
// A data chunk of 0 bytes is an empty clip, and is read. Bytes after the RIFF form (beyond
// 8 + size; an appended tag, say) are ignored.
//
// Anything else (another encoding, bit depth or channel count, a header that contradicts
// itself, a chunk that runs past the RIFF form or the file, a missing, repeated or misplaced
// "fmt " or "data") is an attn::Error "PATH: what is wrong". Every size is checked against the
// bytes present before it is used, so what is allocated is bounded by the file: one float for
// each 2 bytes of mono data (4 of stereo).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

// Mono audio: samples in [-1, 1) (int16 / 32768) at sample_rate per second.
struct Audio {
  int64_t sample_rate = 0;
  std::vector<float> samples;
  double seconds() const {
    return sample_rate > 0 ? double(samples.size()) / double(sample_rate) : 0;
  }
};

// The audio of WAV bytes; `name` is what errors call them (the path).
Audio parse_wav(const std::string& bytes, const std::string& name);
// The audio of a WAV file. Files over 1 GiB (about 9 hours of 16 kHz mono) are refused before
// anything is read; a file that cannot be read is an attn::Error too.
Audio read_wav(const std::string& path);

// The bytes of a 16-bit mono PCM WAV file of `audio`: each sample clipped to [-1, 1], times 32768,
// rounded to the nearest integer (halves away from zero) and held to int16's -32768..32767.
// What parse_wav reads back, within half a step (0.5 / 32768); a sample that is k / 32768 comes
// back exactly. Throws attn::Error for a sample rate the reader would refuse, a NaN sample, or
// more samples than the 32-bit sizes hold.
std::string format_wav(const Audio& audio);
void write_wav(const std::string& path, const Audio& audio);

}  // namespace attn
