// PNG encoding: checksums and base64 against their specs' vectors, and files taken apart again.
#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <vector>

#include "tensor/error.h"
#include "train/report/png.h"

using namespace attn;

namespace {

uint32_t read_u32(const std::string& bytes, size_t at) {  // big-endian
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(bytes.at(at + i));
  return value;
}

uint32_t read_u16_little(const std::string& bytes, size_t at) {
  return static_cast<unsigned char>(bytes.at(at)) |
         static_cast<uint32_t>(static_cast<unsigned char>(bytes.at(at + 1))) << 8;
}

struct Chunk {
  std::string type, data;
};

// The chunks after the signature, each with its CRC checked against crc32 of type + data.
std::vector<Chunk> chunks_of(const std::string& png) {
  REQUIRE(png.size() >= 8);
  CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n"));
  std::vector<Chunk> chunks;
  for (size_t at = 8; at < png.size();) {
    const uint32_t length = read_u32(png, at);
    REQUIRE(at + 12 + length <= png.size());
    Chunk chunk{png.substr(at + 4, 4), png.substr(at + 8, length)};
    CHECK(read_u32(png, at + 8 + length) == crc32(chunk.type + chunk.data));
    chunks.push_back(chunk);
    at += 12 + length;
  }
  return chunks;
}

// The bytes a zlib stream of stored blocks holds, checking its header, each block's LEN / NLEN
// and the Adler-32 trailer; `blocks` counts the stored blocks.
std::string inflate_stored(const std::string& zlib, int& blocks) {
  REQUIRE(zlib.size() >= 6);
  CHECK(static_cast<unsigned char>(zlib[0]) == 0x78);
  CHECK((static_cast<unsigned char>(zlib[0]) * 256 + static_cast<unsigned char>(zlib[1])) % 31 ==
        0);
  std::string raw;
  size_t at = 2;
  blocks = 0;
  for (bool final = false; !final;) {
    REQUIRE(at + 5 <= zlib.size());
    const auto header = static_cast<unsigned char>(zlib[at]);
    CHECK((header & 0x06) == 0);  // BTYPE 00: stored
    final = (header & 1) != 0;
    const uint32_t length = read_u16_little(zlib, at + 1);
    CHECK(read_u16_little(zlib, at + 3) == (~length & 0xFFFF));
    REQUIRE(at + 5 + length <= zlib.size());
    raw += zlib.substr(at + 5, length);
    at += 5 + length;
    ++blocks;
  }
  REQUIRE(at + 4 == zlib.size());
  CHECK(read_u32(zlib, at) == adler32(raw));
  return raw;
}

}  // namespace

TEST_CASE("png: CRC-32 and Adler-32 give their specs' check values") {
  CHECK(crc32("123456789") == 0xCBF43926u);  // the CRC catalogue's "check" value for CRC-32
  CHECK(crc32("") == 0u);
  CHECK(crc32("IEND") == 0xAE426082u);       // the trailer of every PNG file's last chunk
  CHECK(adler32("Wikipedia") == 0x11E60398u);
  CHECK(adler32("") == 1u);
}

TEST_CASE("png: base64 encodes RFC 4648's test vectors") {
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foob") == "Zm9vYg==");
  CHECK(base64("fooba") == "Zm9vYmE=");
  CHECK(base64("foobar") == "Zm9vYmFy");
  CHECK(base64(std::string("\xFF\xFE\x00", 3)) == "//4A");  // the last two letters, and a zero
}

TEST_CASE("png: a 2x2 RGB image's file holds its header fields, filter bytes and pixels") {
  Image image(3, 2, 2);
  // Pixel (y, x) as (R, G, B): (0,0) red, (0,1) green, (1,0) blue, (1,1) grey 0.5 -> 128.
  image.at(0, 0, 0) = 1;
  image.at(1, 0, 1) = 1;
  image.at(2, 1, 0) = 1;
  for (int64_t c = 0; c < 3; ++c) image.at(c, 1, 1) = 0.5f;
  const std::string png = encode_png(image);
  const std::vector<Chunk> chunks = chunks_of(png);
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[0].type == "IHDR");
  CHECK(chunks[1].type == "IDAT");
  CHECK(chunks[2].type == "IEND");
  CHECK(chunks[2].data.empty());
  const std::string& ihdr = chunks[0].data;
  REQUIRE(ihdr.size() == 13);
  CHECK(read_u32(ihdr, 0) == 2);  // width
  CHECK(read_u32(ihdr, 4) == 2);  // height
  CHECK(ihdr.substr(8) == std::string("\x08\x02\x00\x00\x00", 5));  // 8 bits, RGB, 0, 0, 0
  int blocks = 0;
  const std::string raw = inflate_stored(chunks[1].data, blocks);
  CHECK(blocks == 1);
  // Two rows of filter byte 0 + 2 pixels x 3 bytes.
  CHECK(raw == std::string("\x00\xFF\x00\x00\x00\xFF\x00"
                           "\x00\x00\x00\xFF\x80\x80\x80", 14));
  CHECK(png.size() == 8 + (12 + 13) + (12 + 2 + 5 + 14 + 4) + 12);
}

TEST_CASE("png: the channels pick grey, grey + alpha, RGB or RGBA") {
  for (int64_t channels = 1; channels <= 4; ++channels) {
    CAPTURE(channels);
    Image image(channels, 1, 3);
    for (int64_t x = 0; x < 3; ++x)
      for (int64_t c = 0; c < channels; ++c) image.at(c, 0, x) = 0.25f * static_cast<float>(x);
    const std::vector<Chunk> chunks = chunks_of(encode_png(image));
    const int colour_type[] = {0, 4, 2, 6};
    CHECK(chunks[0].data[9] == colour_type[channels - 1]);
    int blocks = 0;
    const std::string raw = inflate_stored(chunks[1].data, blocks);
    // 0.25 -> round(63.75) = 64, 0.5 -> round(127.5) = 128, each repeated per channel.
    std::string expected(1, '\0');
    for (char value : {'\x00', '\x40', '\x80'}) expected += std::string(channels, value);
    CHECK(raw == expected);
  }
}

TEST_CASE("png: values outside [0, 1] are clamped, as rounding leaves them") {
  Image image(1, 1, 2);
  image.at(0, 0, 0) = -0.001f;
  image.at(0, 0, 1) = 1.0000001f;
  int blocks = 0;
  CHECK(inflate_stored(chunks_of(encode_png(image))[1].data, blocks) ==
        std::string("\x00\x00\xFF", 3));
}

TEST_CASE("png: an image over 65535 bytes spans several stored blocks, all but the last full") {
  Image image(3, 100, 300);  // 100 rows of 1 + 900 bytes: 90100 bytes, two blocks
  for (size_t i = 0; i < image.pixels.size(); ++i)
    image.pixels[i] = static_cast<float>(i % 256) / 255.0f;
  const std::vector<Chunk> chunks = chunks_of(encode_png(image));
  int blocks = 0;
  const std::string raw = inflate_stored(chunks[1].data, blocks);
  CHECK(blocks == 2);
  REQUIRE(raw.size() == 90100);
  CHECK(read_u16_little(chunks[1].data, 3) == 65535);  // the first block's LEN
  // Row 90, column 10, blue: byte 90 * 901 + 1 + 10 * 3 + 2, past the first block's end; it
  // shows value number (2 * 100 + 90) * 300 + 10 of the planar pixels, mod 256.
  const size_t at = 90 * 901 + 1 + 10 * 3 + 2;
  CHECK(at > 65535);
  CHECK(raw[90 * 901] == '\0');
  CHECK(static_cast<unsigned char>(raw[at]) == (2 * 30000 + 90 * 300 + 10) % 256);
}

TEST_CASE("png: a data URI is the file in base64") {
  Image image(1, 1, 1);
  const std::string uri = png_data_uri(image);
  CHECK(uri == "data:image/png;base64," + base64(encode_png(image)));
  CHECK(uri.rfind("data:image/png;base64,iVBORw0KGgo", 0) == 0);  // the signature, in base64
}

TEST_CASE("png: an image it cannot write is refused, naming what is wrong") {
  CHECK_THROWS_WITH_AS(encode_png(Image(5, 1, 1)),
                       "encode_png: image of 5 channels: a PNG holds 1 (grey), 2 (grey + alpha), "
                       "3 (RGB) or 4 (RGBA)",
                       Error);
  CHECK_THROWS_WITH_AS(encode_png(Image(1, 0, 4)),
                       "encode_png: image of 0x4 pixels: a PNG has 1 to 2^31 - 1 rows and columns",
                       Error);
  Image short_of_pixels(3, 2, 2);
  short_of_pixels.pixels.pop_back();
  CHECK_THROWS_WITH_AS(encode_png(short_of_pixels), "encode_png: image 3x2x2 holds 11 values",
                       Error);
  Image huge;  // sizes whose product overflows, and no pixels
  huge.channels = 4, huge.height = 0x7FFFFFFF, huge.width = 0x7FFFFFFF;
  CHECK_THROWS_WITH_AS(encode_png(huge), "encode_png: image 4x2147483647x2147483647 holds 0 values",
                       Error);
  Image with_nan(1, 2, 2);
  with_nan.at(0, 1, 0) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH_AS(encode_png(with_nan), "encode_png: pixel (0, 1, 0) is nan", Error);
}
