// Reading and writing WAV files (see wav.h).
#include "train/audio/wav.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "tensor/error.h"
#include "train/io/atomic_file.h"

namespace attn {

namespace {

constexpr int64_t kMaxSampleRate = 384000;
constexpr uint32_t kPcm = 1;
constexpr uint32_t kExtensible = 0xFFFE;
constexpr int64_t kMaxFileBytes = int64_t(1) << 30;  // 1 GiB, see wav.h
constexpr size_t kRiffHeader = 12;                   // "RIFF" <size> "WAVE"
constexpr size_t kChunkHeader = 8;                   // id, size
// A WAV file's sizes are 32 bits: "RIFF"'s counts the 36 bytes of "WAVE" and the "fmt " and
// "data" headers written by format_wav, then 2 bytes a sample.
constexpr int64_t kMaxWrittenSamples = (int64_t(0xFFFFFFFF) - 36) / 2;

std::string plural(int64_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// Little-endian numbers at `at`; the caller has checked the bytes are there.
uint32_t little_endian(std::string_view bytes, size_t at, size_t width) {
  uint32_t value = 0;
  for (size_t i = width; i-- > 0;) value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}
uint32_t u16(std::string_view bytes, size_t at) { return little_endian(bytes, at, 2); }
uint32_t u32(std::string_view bytes, size_t at) { return little_endian(bytes, at, 4); }

// A four-byte chunk id for messages: "LIST" in quotes when it is printable ASCII, else its bytes
// in hex (0x00 0x1F 0x8B 0x08), so a message never carries control characters.
std::string tag_text(std::string_view tag) {
  if (std::all_of(tag.begin(), tag.end(), [](char c) { return c >= 0x20 && c < 0x7F; }))
    return "\"" + std::string(tag) + "\"";
  const char* digits = "0123456789ABCDEF";
  std::string text;
  for (unsigned char byte : tag) text += std::string(text.empty() ? "" : " ") + "0x" +
                                         digits[byte >> 4] + digits[byte & 0xF];
  return text;
}

// The format codes most often met (Microsoft's mmreg.h), for the message that refuses them.
std::string format_name(uint32_t code) {
  switch (code) {
    case 1: return "1 (PCM)";
    case 2: return "2 (Microsoft ADPCM)";
    case 3: return "3 (IEEE float)";
    case 6: return "6 (A-law)";
    case 7: return "7 (mu-law)";
    case 0x11: return "0x11 (IMA ADPCM)";
    case 0x55: return "0x55 (MP3)";
    case kExtensible: return "0xFFFE (extensible)";
    default: return std::to_string(code);
  }
}

void check_sample_rate(int64_t rate, const std::string& name) {
  if (rate < 1 || rate > kMaxSampleRate)
    throw Error(name + ": sample rate " + std::to_string(rate) + " Hz, outside 1 to " +
                std::to_string(kMaxSampleRate));
}

// What "fmt " says about the samples in "data".
struct Format {
  int64_t channels = 0, sample_rate = 0, block_align = 0;
};

// A chunk: its id, where its header starts, its body, and where the next chunk starts.
struct Chunk {
  std::string_view id;
  size_t at = 0;
  std::string_view body;
  size_t next = 0;
};

// The end of the RIFF form (8 + its size), after checking the 12-byte header.
size_t riff_end(std::string_view bytes, const std::string& name) {
  if (bytes.size() < kRiffHeader)
    throw Error(name + ": " + plural(std::ssize(bytes), "byte") +
                ", too short for a WAV header (12 bytes)");
  if (bytes.substr(0, 4) != "RIFF")
    throw Error(name + ": not a WAV file: it starts with " + tag_text(bytes.substr(0, 4)) +
                ", expected \"RIFF\"");
  if (bytes.substr(8, 4) != "WAVE")
    throw Error(name + ": a RIFF file of form " + tag_text(bytes.substr(8, 4)) +
                ", expected \"WAVE\"");
  const int64_t size = u32(bytes, 4);  // 64 bits: 8 + size cannot wrap
  if (size < 4)
    throw Error(name + ": the RIFF header says 8 + " + std::to_string(size) +
                " bytes, too few to hold \"WAVE\"");
  if (8 + size > std::ssize(bytes))
    throw Error(name + ": truncated: the RIFF header says 8 + " + std::to_string(size) +
                " bytes, the file holds " + std::to_string(bytes.size()));
  return static_cast<size_t>(8 + size);
}

// The chunk at `at`, which lies before `end`; its body must lie within `end` too.
Chunk read_chunk(std::string_view bytes, size_t at, size_t end, const std::string& name) {
  const std::string where = " at byte " + std::to_string(at);
  if (end - at < kChunkHeader)
    throw Error(name + ": truncated: a chunk header" + where +
                " needs 8 bytes, the RIFF form has " + std::to_string(end - at) + " left");
  Chunk chunk{bytes.substr(at, 4), at, {}, 0};
  const size_t size = u32(bytes, at + 4), left = end - at - kChunkHeader;
  if (size > left)
    throw Error(name + ": truncated: chunk " + tag_text(chunk.id) + where + " says " +
                plural(static_cast<int64_t>(size), "byte") + ", the RIFF form has " +
                std::to_string(left) + " left");
  chunk.body = bytes.substr(at + kChunkHeader, size);
  // The pad byte after an odd size; std::min lets the last chunk go without it.
  chunk.next = std::min(at + kChunkHeader + size + size % 2, end);
  return chunk;
}

// The 16-byte subformat GUID of WAVE_FORMAT_EXTENSIBLE is the format code in its first 4 bytes,
// then these 12 (KSDATAFORMAT_SUBTYPE_*: 0000xxxx-0000-0010-8000-00AA00389B71).
constexpr std::string_view kGuidSuffix("\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 12);

// WAVE_FORMAT_EXTENSIBLE is read when it holds what format 1 would: PCM, all 16 bits valid.
void check_extensible_pcm(std::string_view fmt, const std::string& name) {
  if (fmt.size() < 40)
    throw Error(name + ": an extensible \"fmt \" chunk of " + plural(std::ssize(fmt), "byte") +
                ", it needs 40");
  if (u16(fmt, 16) < 22)
    throw Error(name + ": extensible format with " + plural(u16(fmt, 16), "extension byte") +
                ", it needs 22");
  if (fmt.substr(28, 12) != kGuidSuffix)
    throw Error(name + ": extensible format whose subformat is not a WAVE format GUID");
  if (u32(fmt, 24) != kPcm)
    throw Error(name + ": format 0xFFFE (extensible) holding " + format_name(u32(fmt, 24)) +
                "; only PCM is read");
  if (u16(fmt, 18) != 16)
    throw Error(name + ": extensible format with " + std::to_string(u16(fmt, 18)) +
                " valid bits in 16-bit samples; only 16 are read");
}

// The "fmt " chunk: format, channels, rate, byte rate, block align, bits, each checked (wav.h).
Format read_format(const Chunk& chunk, const std::string& name) {
  const std::string_view fmt = chunk.body;
  if (fmt.size() < 16)
    throw Error(name + ": a \"fmt \" chunk of " + plural(std::ssize(fmt), "byte") +
                ", PCM needs 16");
  const uint32_t code = u16(fmt, 0);
  if (code == kExtensible)
    check_extensible_pcm(fmt, name);
  else if (code != kPcm)
    throw Error(name + ": format " + format_name(code) + "; only 1 (PCM) is read");
  const Format format{u16(fmt, 2), u32(fmt, 4), u16(fmt, 12)};
  if (u16(fmt, 14) != 16)
    throw Error(name + ": " + std::to_string(u16(fmt, 14)) + " bits per sample; only 16 are read");
  if (format.channels < 1 || format.channels > 2)
    throw Error(name + ": " + plural(format.channels, "channel") +
                "; only 1 (mono) or 2 (stereo) are read");
  check_sample_rate(format.sample_rate, name);
  if (format.block_align != 2 * format.channels)
    throw Error(name + ": block align " + std::to_string(format.block_align) + ", expected " +
                std::to_string(2 * format.channels) + " (" + plural(format.channels, "channel") +
                " of 2 bytes)");
  const int64_t byte_rate = u32(fmt, 8);
  if (byte_rate != format.sample_rate * format.block_align)
    throw Error(name + ": byte rate " + std::to_string(byte_rate) + ", expected " +
                std::to_string(format.sample_rate * format.block_align) + " (" +
                std::to_string(format.sample_rate) + " Hz x " +
                std::to_string(format.block_align) + " bytes)");
  return format;
}

// The samples of "data" as mono floats: int16 / 32768, stereo as (left + right) / 2 / 32768,
// which float holds exactly (17 significant bits).
std::vector<float> decode(std::string_view data, const Format& format, const std::string& name) {
  if (data.size() % static_cast<size_t>(format.block_align) != 0)
    throw Error(name + ": data of " + plural(std::ssize(data), "byte") +
                " is not a whole number of " + std::to_string(format.block_align) +
                "-byte blocks (" + plural(format.channels, "channel") + " of 16 bits)");
  const auto sample = [&](size_t at) { return int32_t(static_cast<int16_t>(u16(data, at))); };
  std::vector<float> samples(data.size() / static_cast<size_t>(format.block_align));
  for (size_t i = 0; i < samples.size(); ++i)
    samples[i] = format.channels == 1 ? float(sample(2 * i)) / 32768.0f
                                      : float(sample(4 * i) + sample(4 * i + 2)) / 65536.0f;
  return samples;
}

// The file's bytes; a file that cannot be read is an attn::Error too, like every WAV failure.
std::string read_bytes(const std::string& path) {
  try {
    return read_file(path);
  } catch (const std::runtime_error& error) {
    throw Error(error.what());
  }
}

void append_le(std::string& bytes, uint32_t value, int width) {
  for (int i = 0; i < width; ++i) bytes += static_cast<char>(value >> (8 * i) & 0xFF);
}

// A sample as int16: clipped, scaled, rounded (see wav.h); the caller has refused NaN.
int16_t to_int16(float sample) {
  const long scaled = std::lround(std::clamp(double(sample), -1.0, 1.0) * 32768.0);
  return static_cast<int16_t>(std::min(scaled, 32767L));
}

}  // namespace

Audio parse_wav(const std::string& bytes, const std::string& name) {
  const size_t end = riff_end(bytes, name);
  std::optional<Format> format;
  std::optional<std::string_view> data;
  // Every chunk is walked, including those after "data", so damage anywhere in the form is
  // found; nothing is kept of the chunks skipped.
  for (size_t at = kRiffHeader; at < end;) {
    const Chunk chunk = read_chunk(bytes, at, end, name);
    const auto where = [&] { return " at byte " + std::to_string(chunk.at); };
    if (chunk.id == "fmt ") {
      if (format) throw Error(name + ": a second \"fmt \" chunk" + where());
      format = read_format(chunk, name);
    } else if (chunk.id == "data") {
      if (!format)
        throw Error(name + ": the \"data\" chunk" + where() + " comes before \"fmt \"");
      if (data) throw Error(name + ": a second \"data\" chunk" + where());
      data = chunk.body;
    }
    at = chunk.next;
  }
  if (!format) throw Error(name + ": no \"fmt \" chunk");
  if (!data) throw Error(name + ": no \"data\" chunk");
  return Audio{format->sample_rate, decode(*data, *format, name)};
}

Audio read_wav(const std::string& path) {
  std::error_code unknown;  // a size that cannot be had is left to read_file to explain
  const uintmax_t size = std::filesystem::file_size(path, unknown);
  if (!unknown && size > static_cast<uintmax_t>(kMaxFileBytes))
    throw Error(path + ": " + std::to_string(size) + " bytes; WAV files up to 1 GiB (" +
                std::to_string(kMaxFileBytes) + " bytes) are read");
  return parse_wav(read_bytes(path), path);
}

std::string format_wav(const Audio& audio) {
  const std::string what = "format_wav";
  check_sample_rate(audio.sample_rate, what);
  const int64_t count = std::ssize(audio.samples);
  if (count > kMaxWrittenSamples)
    throw Error(what + ": " + plural(count, "sample") + ", more than the " +
                std::to_string(kMaxWrittenSamples) + " a WAV file's 32-bit sizes hold");
  for (int64_t i = 0; i < count; ++i)
    if (std::isnan(audio.samples[static_cast<size_t>(i)]))
      throw Error(what + ": sample " + std::to_string(i) + " is NaN");
  const auto data_size = static_cast<uint32_t>(2 * count);
  const auto rate = static_cast<uint32_t>(audio.sample_rate);
  std::string bytes = "RIFF";
  append_le(bytes, 36 + data_size, 4);
  bytes += "WAVEfmt ";
  append_le(bytes, 16, 4);
  append_le(bytes, kPcm, 2);
  append_le(bytes, 1, 2);         // channels
  append_le(bytes, rate, 4);
  append_le(bytes, 2 * rate, 4);  // byte rate
  append_le(bytes, 2, 2);         // block align
  append_le(bytes, 16, 2);        // bits per sample
  bytes += "data";
  append_le(bytes, data_size, 4);
  for (float sample : audio.samples) append_le(bytes, static_cast<uint16_t>(to_int16(sample)), 2);
  return bytes;
}

void write_wav(const std::string& path, const Audio& audio) {
  write_file_atomically(path, format_wav(audio));
}

}  // namespace attn
