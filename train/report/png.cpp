// PNG encoding with stored deflate blocks, base64 and data URIs (see png.h).
#include "train/report/png.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"

namespace attn {

namespace {

constexpr int64_t kMaxSide = 0x7FFFFFFF;    // PNG §11.2.2: width and height fit in 31 bits
constexpr uint32_t kMaxChunk = 0x7FFFFFFF;  // PNG §5.3: so does a chunk's length
constexpr size_t kMaxStoredBlock = 65535;   // RFC 1951 §3.2.4: LEN is 16 bits

void append_u32(std::string& out, uint32_t value) {  // big-endian, "network byte order" (§7.1)
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xFF);
}

void append_u16_little(std::string& out, uint32_t value) {  // deflate counts are little-endian
  out += static_cast<char>(value & 0xFF);
  out += static_cast<char>((value >> 8) & 0xFF);
}

// length | type | data | CRC-32 of type + data
std::string chunk(const std::string& type, const std::string& data) {
  std::string out;
  append_u32(out, static_cast<uint32_t>(data.size()));
  out += type + data;
  append_u32(out, crc32(type + data));
  return out;
}

void check_image(const Image& image) {
  check(image.channels >= 1 && image.channels <= 4, "encode_png",
        "image of " + std::to_string(image.channels) +
            " channels: a PNG holds 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA)");
  const std::string size = std::to_string(image.height) + "x" + std::to_string(image.width);
  check(image.height >= 1 && image.width >= 1 && image.height <= kMaxSide &&
            image.width <= kMaxSide,
        "encode_png", "image of " + size + " pixels: a PNG has 1 to 2^31 - 1 rows and columns");
  // c * w fits (at most 4 * 2^31); c * h * w might not, so h is compared by division.
  const auto row = static_cast<size_t>(image.channels * image.width);
  check(image.pixels.size() % row == 0 &&
            image.pixels.size() / row == static_cast<size_t>(image.height),
        "encode_png", "image " + std::to_string(image.channels) + "x" + size + " holds " +
                          std::to_string(image.pixels.size()) + " values");
}

// One 8-bit sample: round(255 v), v clamped to [0, 1].
char sample(const Image& image, int64_t c, int64_t y, int64_t x) {
  const float value = image.at(c, y, x);
  check(!std::isnan(value), "encode_png",
        "pixel (" + std::to_string(c) + ", " + std::to_string(y) + ", " + std::to_string(x) +
            ") is nan");
  return static_cast<char>(std::lround(255.0 * std::clamp(value, 0.0f, 1.0f)));
}

// The scanlines: per row, filter byte 0 then each pixel's channels side by side. The image is
// planar ([C, H, W]); PNG interleaves the channels of a pixel (R G B R G B ...).
std::string scanlines(const Image& image) {
  std::string raw;
  raw.reserve(static_cast<size_t>(image.height * (1 + image.channels * image.width)));
  for (int64_t y = 0; y < image.height; ++y) {
    raw += '\0';  // filter type 0: the row as it is
    for (int64_t x = 0; x < image.width; ++x)
      for (int64_t c = 0; c < image.channels; ++c) raw += sample(image, c, y, x);
  }
  return raw;
}

// A zlib stream (RFC 1950) holding `raw` in stored deflate blocks.
std::string zlib_stored(const std::string& raw) {
  // CMF 0x78: deflate with a 32 KiB window; FLG 0x01: no dictionary, "fastest" level, and
  // 0x7801 a multiple of 31, as the FCHECK bits require.
  std::string out = "\x78\x01";
  size_t at = 0;
  do {
    const size_t length = std::min(kMaxStoredBlock, raw.size() - at);
    const bool final = at + length == raw.size();
    out += static_cast<char>(final ? 1 : 0);  // BFINAL in bit 0, BTYPE 00 (stored) in bits 1-2
    append_u16_little(out, static_cast<uint32_t>(length));
    append_u16_little(out, static_cast<uint32_t>(~length & 0xFFFF));
    out.append(raw, at, length);
    at += length;
  } while (at < raw.size());
  append_u32(out, adler32(raw));
  return out;
}

}  // namespace

std::string encode_png(const Image& image) {
  check_image(image);
  const char colour_types[] = {0, 4, 2, 6};  // grey, grey + alpha, RGB, RGBA
  std::string header;
  append_u32(header, static_cast<uint32_t>(image.width));
  append_u32(header, static_cast<uint32_t>(image.height));
  header += '\x08';                            // bit depth: 8 bits per sample
  header += colour_types[image.channels - 1];  // colour type
  header += std::string(3, '\0');              // compression, filter, interlace: all 0
  const std::string data = zlib_stored(scanlines(image));
  check(data.size() <= kMaxChunk, "encode_png",
        "image " + std::to_string(image.height) + "x" + std::to_string(image.width) +
            " needs " + std::to_string(data.size()) + " bytes of IDAT, over a chunk's 2^31 - 1");
  return "\x89PNG\r\n\x1a\n" + chunk("IHDR", header) + chunk("IDAT", data) + chunk("IEND", "");
}

std::string png_data_uri(const Image& image) {
  return "data:image/png;base64," + base64(encode_png(image));
}

std::string base64(const std::string& bytes) {
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t at = 0; at < bytes.size(); at += 3) {
    // Up to 3 bytes as one 24-bit group, read as four 6-bit indices; missing bytes are zeros,
    // and the characters that would stand only for them are written as '='.
    const size_t count = std::min<size_t>(3, bytes.size() - at);
    uint32_t group = 0;
    for (size_t i = 0; i < 3; ++i)
      group = group << 8 | (i < count ? static_cast<unsigned char>(bytes[at + i]) : 0u);
    for (size_t i = 0; i < 4; ++i)
      out += i <= count ? alphabet[(group >> (18 - 6 * i)) & 0x3F] : '=';
  }
  return out;
}

uint32_t crc32(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFF;
  for (char byte : bytes) {
    crc ^= static_cast<unsigned char>(byte);
    for (int bit = 0; bit < 8; ++bit)  // polynomial division, one bit at a time
      crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  return ~crc;
}

uint32_t adler32(const std::string& bytes) {
  uint32_t a = 1, b = 0;
  for (char byte : bytes) {
    a = (a + static_cast<unsigned char>(byte)) % 65521;
    b = (b + a) % 65521;
  }
  return b << 16 | a;
}

}  // namespace attn
