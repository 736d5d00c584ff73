// The WAV reader and writer (train/audio/wav.h): hand-written files read to known samples, audio
// writes and reads back, stereo is mixed down, unknown chunks are skipped (pad bytes included),
// and every broken rule is one attn::Error naming the file with the numbers involved.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>

#include "tensor/error.h"
#include "train/audio/wav.h"

using namespace attn;
namespace fs = std::filesystem;

namespace {

// Bytes written as numbers, so that NULs and high bytes read plainly.
std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out += static_cast<char>(value);
  return out;
}

// A little-endian number of `width` bytes.
std::string le(int64_t value, int width) {
  std::string out;
  for (int i = 0; i < width; ++i) out += static_cast<char>(value >> (8 * i) & 0xFF);
  return out;
}

// int16 samples, little-endian.
std::string pcm(std::initializer_list<int> samples) {
  std::string out;
  for (int sample : samples) out += le(sample, 2);
  return out;
}

// A chunk: id, size, body, and the pad byte after an odd size.
std::string chunk(const std::string& id, const std::string& body) {
  return id + le(std::ssize(body), 4) + body + (body.size() % 2 ? std::string(1, '\0') : "");
}

// The 16 bytes of a "fmt " body, every field given.
std::string fmt_body(int format, int channels, int rate, int byte_rate, int block_align,
                     int bits) {
  return le(format, 2) + le(channels, 2) + le(rate, 4) + le(byte_rate, 4) + le(block_align, 2) +
         le(bits, 2);
}

// A consistent 16-bit PCM "fmt " chunk.
std::string pcm_fmt(int channels, int rate) {
  return chunk("fmt ", fmt_body(1, channels, rate, rate * 2 * channels, 2 * channels, 16));
}

// The RIFF form around chunks, its size counting them.
std::string riff(const std::string& chunks) {
  return "RIFF" + le(4 + std::ssize(chunks), 4) + "WAVE" + chunks;
}

// The 40-byte body of an extensible "fmt " for mono 16-bit audio at 8 kHz holding `subformat`.
std::string extensible_body(int subformat, int valid_bits, int extension_bytes = 22) {
  return fmt_body(0xFFFE, 1, 8000, 16000, 2, 16) + le(extension_bytes, 2) + le(valid_bits, 2) +
         le(4, 4) /* channel mask: front centre */ + le(subformat, 4) +
         bytes({0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71});
}

}  // namespace

TEST_CASE("wav: a hand-written mono file reads to int16 / 32768") {
  // 44 bytes of header, then six samples: 0, 1, -1, 16384, 32767, -32768.
  const std::string file = bytes({'R', 'I', 'F', 'F', 48, 0, 0, 0, 'W', 'A', 'V', 'E',
                                  'f', 'm', 't', ' ', 16, 0, 0, 0,
                                  1, 0,              // format 1, PCM
                                  1, 0,              // 1 channel
                                  0x40, 0x1F, 0, 0,  // 8000 Hz
                                  0x80, 0x3E, 0, 0,  // 16000 bytes a second
                                  2, 0, 16, 0,       // block align 2, 16 bits
                                  'd', 'a', 't', 'a', 12, 0, 0, 0,
                                  0, 0, 1, 0, 0xFF, 0xFF, 0, 0x40, 0xFF, 0x7F, 0, 0x80});
  const Audio audio = parse_wav(file, "tiny.wav");
  CHECK(audio.sample_rate == 8000);
  CHECK(audio.samples == std::vector<float>{0, 1 / 32768.0f, -1 / 32768.0f, 0.5f,
                                            32767 / 32768.0f, -1});
  CHECK(audio.seconds() == doctest::Approx(6 / 8000.0));
  CHECK(format_wav(audio) == file);  // the writer writes this very layout
}

TEST_CASE("wav: audio writes and reads back exactly, also through a file") {
  Audio audio;
  audio.sample_rate = 16000;
  for (int i = 0; i < 1000; ++i)  // k / 32768 for k spread over -32768 .. 32767
    audio.samples.push_back(float((i * 977) % 65536 - 32768) / 32768);
  const Audio back = parse_wav(format_wav(audio), "made-up");
  CHECK(back.sample_rate == 16000);
  CHECK(back.samples == audio.samples);  // k / 32768 is written as k and read as k / 32768

  const fs::path folder = fs::temp_directory_path() / "attn_wav_test";
  fs::remove_all(folder);
  fs::create_directories(folder);
  const std::string path = (folder / "clip.wav").string();
  write_wav(path, audio);
  CHECK(read_wav(path).samples == audio.samples);
  const std::string missing = (folder / "missing.wav").string();
  CHECK_THROWS_WITH_AS(read_wav(missing),
                       ("cannot open " + missing + ": No such file or directory").c_str(), Error);
  fs::remove_all(folder);
}

TEST_CASE("wav: the writer clips to [-1, 1] and rounds to the nearest step, halves away from 0") {
  Audio audio;
  audio.sample_rate = 8000;
  const float step = 1 / 32768.0f, inf = std::numeric_limits<float>::infinity();
  // x 32768: 49152 and 32768 clip to 32767; -65536 and -inf to -32768; 0.6 rounds to 1,
  // 0.4 to 0, -0.5 to -1 and 2.5 to 3.
  audio.samples = {1.5f, 1.0f, -2.0f, -inf, inf, 0.6f * step, 0.4f * step, -0.5f * step,
                   2.5f * step};
  const std::string file = format_wav(audio);
  CHECK(file.substr(44) == pcm({32767, 32767, -32768, -32768, 32767, 1, 0, -1, 3}));
}

TEST_CASE("wav: stereo is mixed down to mono by the mean of its channels") {
  // (left, right): (100, 300) -> 200; (32767, -32768) -> -0.5; both -32768 -> -32768.
  const std::string file =
      riff(pcm_fmt(2, 44100) + chunk("data", pcm({100, 300, 32767, -32768, -32768, -32768})));
  const Audio audio = parse_wav(file, "stereo.wav");
  CHECK(audio.sample_rate == 44100);
  CHECK(audio.samples == std::vector<float>{200 / 32768.0f, -0.5f / 32768, -1});
}

TEST_CASE("wav: unknown chunks are skipped, minding the pad byte after an odd size") {
  // A 3-byte "LIST" before "fmt " and a 5-byte "fact" before "data", each followed by its pad
  // byte (which a reader that forgot it would take for the next chunk's id); a 1-byte "junk"
  // last, whose pad many writers leave out; and, after the RIFF form, bytes it does not count.
  const std::string chunks = chunk("LIST", "abc") + pcm_fmt(1, 8000) + chunk("fact", "12345") +
                             chunk("data", pcm({7, -7}));
  const std::string last = "junk" + le(1, 4) + "z";  // no pad byte
  const std::string file = riff(chunks + last) + "ID3 tag after the form";
  const Audio audio = parse_wav(file, "chunky.wav");
  CHECK(audio.samples == std::vector<float>{7 / 32768.0f, -7 / 32768.0f});
  // The pad byte of a last chunk is read too when the RIFF size counts it.
  CHECK(parse_wav(riff(chunks + chunk("junk", "z")), "padded.wav").samples == audio.samples);
}

TEST_CASE("wav: an empty data chunk is an empty clip") {
  const Audio audio = parse_wav(riff(pcm_fmt(1, 16000) + chunk("data", "")), "empty.wav");
  CHECK(audio.sample_rate == 16000);
  CHECK(audio.samples.empty());
  CHECK(audio.seconds() == 0);
  CHECK(parse_wav(format_wav(audio), "empty.wav").samples.empty());
}

TEST_CASE("wav: WAVE_FORMAT_EXTENSIBLE is read when it holds 16-bit PCM") {
  const std::string data = chunk("data", pcm({1000}));
  CHECK(parse_wav(riff(chunk("fmt ", extensible_body(1, 16)) + data), "ext.wav").samples ==
        std::vector<float>{1000 / 32768.0f});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {extensible_body(3, 16),
       "f: format 0xFFFE (extensible) holding 3 (IEEE float); only PCM is read"},
      {extensible_body(1, 12),
       "f: extensible format with 12 valid bits in 16-bit samples; only 16 are read"},
      {extensible_body(1, 16, 0), "f: extensible format with 0 extension bytes, it needs 22"},
      {extensible_body(1, 16).substr(0, 39) + "x",  // the GUID's last byte changed
       "f: extensible format whose subformat is not a WAVE format GUID"},
      {extensible_body(1, 16).substr(0, 18),
       "f: an extensible \"fmt \" chunk of 18 bytes, it needs 40"},
  };
  for (const auto& [body, message] : cases) {
    CHECK_THROWS_WITH_AS(parse_wav(riff(chunk("fmt ", body) + data), "f"), message.c_str(), Error);
  }
}

TEST_CASE("wav: sample rates from 1 Hz to 384 kHz are read, others refused by reader and writer") {
  const std::string data = chunk("data", pcm({1, 2}));
  CHECK(parse_wav(riff(pcm_fmt(1, 1) + data), "slow.wav").sample_rate == 1);
  CHECK(parse_wav(riff(pcm_fmt(1, 384000) + data), "fast.wav").sample_rate == 384000);
  CHECK_THROWS_WITH_AS(parse_wav(riff(pcm_fmt(1, 0) + data), "zero.wav"),
                       "zero.wav: sample rate 0 Hz, outside 1 to 384000", Error);
  CHECK_THROWS_WITH_AS(parse_wav(riff(pcm_fmt(1, 384001) + data), "fast.wav"),
                       "fast.wav: sample rate 384001 Hz, outside 1 to 384000", Error);
  CHECK_THROWS_WITH_AS(format_wav(Audio{0, {0.5f}}),
                       "format_wav: sample rate 0 Hz, outside 1 to 384000", Error);
  CHECK_THROWS_WITH_AS(format_wav(Audio{8000, {0, 0, std::nanf("")}}),
                       "format_wav: sample 2 is NaN", Error);
}

TEST_CASE("wav: other encodings, bit depths and channel counts are refused, naming them") {
  const std::string data = chunk("data", pcm({0, 0, 0, 0, 0, 0}));
  const auto fmt = [](int format, int channels, int bits) {
    const int block = channels * bits / 8;
    return chunk("fmt ", fmt_body(format, channels, 8000, 8000 * block, block, bits));
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {fmt(3, 1, 32), "f: format 3 (IEEE float); only 1 (PCM) is read"},
      {fmt(7, 1, 8), "f: format 7 (mu-law); only 1 (PCM) is read"},
      {fmt(6, 1, 8), "f: format 6 (A-law); only 1 (PCM) is read"},
      {fmt(0x55, 1, 16), "f: format 0x55 (MP3); only 1 (PCM) is read"},
      {fmt(99, 1, 16), "f: format 99; only 1 (PCM) is read"},
      {fmt(1, 1, 8), "f: 8 bits per sample; only 16 are read"},
      {fmt(1, 1, 24), "f: 24 bits per sample; only 16 are read"},
      {fmt(1, 2, 32), "f: 32 bits per sample; only 16 are read"},
      {fmt(1, 3, 16), "f: 3 channels; only 1 (mono) or 2 (stereo) are read"},
      {fmt(1, 0, 16), "f: 0 channels; only 1 (mono) or 2 (stereo) are read"},
  };
  for (const auto& [format, message] : cases) {
    CHECK_THROWS_WITH_AS(parse_wav(riff(format + data), "f"), message.c_str(), Error);
  }
}

TEST_CASE("wav: a header whose block align or byte rate contradicts the rest is refused") {
  const std::string data = chunk("data", pcm({0, 0}));
  CHECK_THROWS_WITH_AS(
      parse_wav(riff(chunk("fmt ", fmt_body(1, 2, 8000, 32000, 2, 16)) + data), "f"),
      "f: block align 2, expected 4 (2 channels of 2 bytes)", Error);
  CHECK_THROWS_WITH_AS(
      parse_wav(riff(chunk("fmt ", fmt_body(1, 1, 8000, 8000, 2, 16)) + data), "f"),
      "f: byte rate 8000, expected 16000 (8000 Hz x 2 bytes)", Error);
}

TEST_CASE("wav: a file or chunk shorter than its sizes is refused with both numbers") {
  const std::string fmt = pcm_fmt(1, 8000), data = chunk("data", pcm({1, 2}));
  const std::string whole = riff(fmt + data);  // 12 + 24 + 12 = 48 bytes
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "f: 0 bytes, too short for a WAV header (12 bytes)"},
      {"RIFF", "f: 4 bytes, too short for a WAV header (12 bytes)"},
      {whole.substr(0, 47), "f: truncated: the RIFF header says 8 + 40 bytes, the file holds 47"},
      {"RIFF" + le(2, 4) + "WAVE", "f: the RIFF header says 8 + 2 bytes, too few to hold \"WAVE\""},
      {riff(fmt + data + "LIS"),
       "f: truncated: a chunk header at byte 48 needs 8 bytes, the RIFF form has 3 left"},
      {riff(fmt + "data" + le(100, 4) + pcm({1, 2})),
       "f: truncated: chunk \"data\" at byte 36 says 100 bytes, the RIFF form has 4 left"},
      {riff(chunk("fmt ", fmt_body(1, 1, 8000, 16000, 2, 16).substr(0, 14)) + data),
       "f: a \"fmt \" chunk of 14 bytes, PCM needs 16"},
      {riff(fmt + chunk("data", "abc")),
       "f: data of 3 bytes is not a whole number of 2-byte blocks (1 channel of 16 bits)"},
      {riff(pcm_fmt(2, 8000) + chunk("data", pcm({1, 2, 3}))),
       "f: data of 6 bytes is not a whole number of 4-byte blocks (2 channels of 16 bits)"},
  };
  for (const auto& [file, message] : cases) {
    CHECK_THROWS_WITH_AS(parse_wav(file, "f"), message.c_str(), Error);
  }
}

TEST_CASE("wav: a file that is not RIFF WAVE, or lacks, repeats or misorders its chunks") {
  const std::string fmt = pcm_fmt(1, 8000), data = chunk("data", pcm({1, 2}));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"RIFX" + riff(fmt + data).substr(4),  // big-endian RIFF
       "f: not a WAV file: it starts with \"RIFX\", expected \"RIFF\""},
      {bytes({0x1F, 0x8B, 8, 0}) + std::string(20, 'x'),  // a gzip file
       "f: not a WAV file: it starts with 0x1F 0x8B 0x08 0x00, expected \"RIFF\""},
      {"RIFF" + le(4, 4) + "AVI ", "f: a RIFF file of form \"AVI \", expected \"WAVE\""},
      {riff(""), "f: no \"fmt \" chunk"},
      {riff(fmt), "f: no \"data\" chunk"},
      {riff(chunk("LIST", "x") + data + fmt),
       "f: the \"data\" chunk at byte 22 comes before \"fmt \""},
      {riff(fmt + fmt + data), "f: a second \"fmt \" chunk at byte 36"},
      {riff(fmt + data + data), "f: a second \"data\" chunk at byte 48"},
  };
  for (const auto& [file, message] : cases) {
    CHECK_THROWS_WITH_AS(parse_wav(file, "f"), message.c_str(), Error);
  }
}

TEST_CASE("wav: read_wav refuses a file over 1 GiB before reading it") {
  const fs::path folder = fs::temp_directory_path() / "attn_wav_size_test";
  fs::remove_all(folder);
  fs::create_directories(folder);
  const std::string path = (folder / "huge.wav").string();
  std::ofstream(path, std::ios::binary) << riff(pcm_fmt(1, 8000) + chunk("data", ""));
  fs::resize_file(path, (uintmax_t(1) << 30) + 1);  // sparse: no disk is written
  CHECK_THROWS_WITH_AS(read_wav(path),
                       (path + ": 1073741825 bytes; WAV files up to 1 GiB (1073741824 bytes) "
                               "are read").c_str(),
                       Error);
  fs::remove_all(folder);
}
