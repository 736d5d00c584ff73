// The PGM and PPM reader and writer (train/io/netpbm.h): hand-written files of each of the four
// formats read to known values (sample / maxval), comments and 16-bit samples included, images
// write and read back, and every broken rule is one attn::Error naming the file.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>

#include "tensor/error.h"
#include "train/io/netpbm.h"

using namespace attn;
namespace fs = std::filesystem;

namespace {

// Bytes written as numbers, so that NULs and high bytes read plainly.
std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out += static_cast<char>(value);
  return out;
}

// The values of channel c, row by row.
std::vector<float> plane(const Image& image, int64_t c) {
  std::vector<float> values;
  for (int64_t y = 0; y < image.height; ++y)
    for (int64_t x = 0; x < image.width; ++x) values.push_back(image.at(c, y, x));
  return values;
}

}  // namespace

TEST_CASE("netpbm: a binary PGM (P5) reads to one channel of sample / maxval") {
  // 3 wide, 2 high: 0 51 255 / 102 204 153.
  const std::string file = "P5\n3 2\n255\n" + bytes({0, 51, 255, 102, 204, 153});
  const Image image = parse_netpbm(file, "grey.pgm");
  CHECK(image.channels == 1);
  CHECK(image.height == 2);
  CHECK(image.width == 3);
  CHECK(plane(image, 0) == std::vector<float>{0.0f, 51 / 255.0f, 1.0f, 102 / 255.0f,
                                              204 / 255.0f, 153 / 255.0f});
  CHECK(format_netpbm(image) == file);  // the writer's header is this one
}

TEST_CASE("netpbm: a plain PGM (P2) reads with comments anywhere whitespace may be") {
  const std::string file =
      "P2\n# drawn by hand\n3 # width\n2\t# height\r\n4\n"
      "0 1 2\n"
      "3 # a comment between samples\n4 4\n";
  const Image image = parse_netpbm(file, "grey.pgm");
  CHECK(image.channels == 1);
  CHECK(image.height == 2);
  CHECK(image.width == 3);
  CHECK(plane(image, 0) == std::vector<float>{0.0f, 0.25f, 0.5f, 0.75f, 1.0f, 1.0f});
}

TEST_CASE("netpbm: a binary PPM (P6) reads its interleaved R G B into three planes") {
  // One row of two pixels: pure red, then (0, 128, 255).
  const std::string file = "P6 2 1 255\n" + bytes({255, 0, 0, 0, 128, 255});
  const Image image = parse_netpbm(file, "colour.ppm");
  CHECK(image.channels == 3);
  CHECK(image.height == 1);
  CHECK(image.width == 2);
  CHECK(plane(image, 0) == std::vector<float>{1.0f, 0.0f});            // red
  CHECK(plane(image, 1) == std::vector<float>{0.0f, 128 / 255.0f});    // green
  CHECK(plane(image, 2) == std::vector<float>{0.0f, 1.0f});            // blue
  CHECK(format_netpbm(image) == "P6\n2 1\n255\n" + bytes({255, 0, 0, 0, 128, 255}));
}

TEST_CASE("netpbm: a plain PPM (P3) reads decimal samples, rows not needing their own lines") {
  const std::string file = "P3\n2 2\n15\n15 0 0   0 15 0  0 0\n15\t3 6 9";  // no final newline
  const Image image = parse_netpbm(file, "colour.ppm");
  CHECK(image.channels == 3);
  CHECK(image.height == 2);
  CHECK(image.width == 2);
  CHECK(plane(image, 0) == std::vector<float>{1.0f, 0.0f, 0.0f, 3 / 15.0f});
  CHECK(plane(image, 1) == std::vector<float>{0.0f, 1.0f, 0.0f, 6 / 15.0f});
  CHECK(plane(image, 2) == std::vector<float>{0.0f, 0.0f, 1.0f, 9 / 15.0f});
}

TEST_CASE("netpbm: a maxval above 255 takes two bytes a sample, most significant first") {
  // 0x03FF = 1023 and 0x0100 = 256, of maxval 1023.
  const Image grey = parse_netpbm("P5 2 1 1023\n" + bytes({0x03, 0xFF, 0x01, 0x00}), "deep.pgm");
  CHECK(plane(grey, 0) == std::vector<float>{1.0f, 256 / 1023.0f});
  // 0xFFFF, 0x0000, 0x8000 = 32768 of maxval 65535.
  const Image colour =
      parse_netpbm("P6 1 1 65535\n" + bytes({0xFF, 0xFF, 0x00, 0x00, 0x80, 0x00}), "deep.ppm");
  CHECK(colour.pixels == std::vector<float>{1.0f, 0.0f, 32768 / 65535.0f});
  // 256 is one byte too many for maxval 255, and its first byte too few for maxval 256.
  CHECK(parse_netpbm("P5 1 1 256\n" + bytes({0x01, 0x00}), "x").pixels == std::vector<float>{1.0f});
}

TEST_CASE("netpbm: one whitespace character, or a comment, ends a binary header") {
  // The raster's first byte is a space (32) or a newline (10): a space after the header is data.
  CHECK(parse_netpbm("P5 2 1 255  \n", "x").pixels == std::vector<float>{32 / 255.0f, 10 / 255.0f});
  CHECK(parse_netpbm("P5\n#c\n1 1\n255#c\n" + bytes({7}), "x").pixels ==
        std::vector<float>{7 / 255.0f});
  // A newline at the end of the file is no second image.
  CHECK(parse_netpbm("P5 1 1 255\n" + bytes({7}) + "\n", "x").pixels ==
        std::vector<float>{7 / 255.0f});
}

TEST_CASE("netpbm: images write and read back exactly at 8 bits, also through a file") {
  Image grey(1, 2, 3);
  Image colour(3, 3, 2);
  for (size_t i = 0; i < grey.pixels.size(); ++i) grey.pixels[i] = float(i * 40) / 255.0f;
  for (size_t i = 0; i < colour.pixels.size(); ++i) colour.pixels[i] = float(i * 13) / 255.0f;
  CHECK(parse_netpbm(format_netpbm(grey), "grey") == grey);
  CHECK(parse_netpbm(format_netpbm(colour), "colour") == colour);

  const fs::path folder = fs::temp_directory_path() / "attn_netpbm_test";
  fs::remove_all(folder);
  fs::create_directories(folder);
  const std::string path = (folder / "colour.ppm").string();
  write_netpbm(path, colour);
  CHECK(read_netpbm(path) == colour);
  const std::string missing = (folder / "none.pgm").string();
  CHECK_THROWS_WITH_AS(read_netpbm(missing),
                       ("cannot open " + missing + ": No such file or directory").c_str(), Error);
  fs::remove_all(folder);
}

TEST_CASE("netpbm: the writer rounds to 8 bits, clamps to [0, 1] and refuses what it cannot write") {
  Image image(1, 1, 4);
  image.pixels = {0.5f, 1.0000001f, -0.25f, 0.1f};
  // round(127.5) = 128; clamped to 255 and 0; round(25.5) = 26 (0.1f is a little above 0.1).
  CHECK(format_netpbm(image) == "P5\n4 1\n255\n" + bytes({128, 255, 0, 26}));
  image.pixels[2] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH_AS(format_netpbm(image), "format_netpbm: pixel (0, 0, 2) is nan", Error);
  CHECK_THROWS_WITH_AS(format_netpbm(Image(2, 1, 1)),
                       "format_netpbm: an image of 2 channels; PGM holds 1 (grey) and PPM 3 (red, "
                       "green, blue)",
                       Error);
  CHECK_THROWS_WITH_AS(format_netpbm(Image(1, 0, 5)),
                       "format_netpbm: an image of height 0 and width 5; both must be 1 to 16384",
                       Error);
  Image short_of_values(3, 2, 2);
  short_of_values.pixels.pop_back();
  CHECK_THROWS_WITH_AS(format_netpbm(short_of_values),
                       "format_netpbm: an image of 3x2x2 holds 11 values", Error);
}

TEST_CASE("netpbm: a broken header is refused in one line naming the file") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "f: not a PGM or PPM file: it starts with '', expected P2, P3, P5 or P6"},
      {"\x89PNG\r\n\x1a\n" + bytes({0, 0, 0, 13}) + "IHDR",
       "f: not a PGM or PPM file: it starts with '\\x89PNG\\x0D\\x0A\\x1A\\x0A\\x00\\x00\\x00\\x0DIHDR', "
       "expected P2, P3, P5 or P6"},
      {"P4 1 1\n\x80", "f: a PBM bitmap (P4); attn reads PGM (P2, P5) and PPM (P3, P6)"},
      {"P7\nWIDTH 1\n", "f: a PAM image (P7); attn reads PGM (P2, P5) and PPM (P3, P6)"},
      {"P512 12 255\n", "f: expected whitespace after the magic number P5, found '12 12 255\\x0A'"},
      {"P5", "f: expected the width, found the end of the file"},
      {"P5 3 # no height\n", "f: expected the height, found the end of the file"},
      {"P5 a 2 255\n", "f: expected the width (a whole number), found 'a'"},
      {"P5 -3 2 255\n", "f: expected the width (a whole number), found '-3'"},
      {"P5 3 2.5 255\n", "f: expected the height (a whole number), found '2.5'"},
      {"P5 0 2 255\n", "f: the width is 0, expected 1 to 16384"},
      {"P6 3 16385 255\n", "f: the height is 16385, expected 1 to 16384"},
      {"P5 123456789012345678901234567890 1 255\n",
       "f: the width is 12345678901234567890..., expected 1 to 16384"},
      {"P5 1 1 0\n", "f: the maxval is 0, expected 1 to 65535"},
      {"P2 1 1 65536\n0\n", "f: the maxval is 65536, expected 1 to 65535"},
  };
  for (const auto& [file, message] : cases) {
    CHECK_THROWS_WITH_AS(parse_netpbm(file, "f"), message.c_str(), Error);
  }
}

TEST_CASE("netpbm: a raster that is short, too large for maxval or followed by more is refused") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"P5 3 2 255\n" + bytes({1, 2, 3, 4, 5}),
       "f: truncated: a PGM raster of width 3, height 2 and maxval 255 is 6 bytes, and 5 bytes "
       "follow the header"},
      {"P5 1 1 255",
       "f: truncated: a PGM raster of width 1, height 1 and maxval 255 is 1 byte, and 0 bytes "
       "follow the header"},
      // The largest header asks for 1.5 GiB: refused from the file's size, before allocating.
      {"P6 16384 16384 65535\n" + bytes({0}),
       "f: truncated: a PPM raster of width 16384, height 16384 and maxval 65535 is 1610612736 "
       "bytes, and 1 byte follows the header"},
      {"P2 2 2 9\n1 2 3",
       "f: truncated: a plain PGM raster of width 2, height 2 and maxval 9 is 4 samples, at least "
       "7 bytes (a digit and a separator each), and 6 bytes follow the header"},
      {"P3 1 2 9\n1 2 3 4 5  \n\n",
       "f: truncated: the file ends before the blue sample at row 1, column 0 (from 0)"},
      {"P2 1 1 9 x", "f: the sample at row 0, column 0 (from 0) is not a whole number: 'x'"},
      {"P5 1 1 1000\n" + bytes({0x03, 0xE9}),  // 1001
       "f: the sample at row 0, column 0 (from 0) is 1001, above the maxval 1000"},
      {"P6 1 1 200\n" + bytes({0, 201, 0}),
       "f: the green sample at row 0, column 0 (from 0) is 201, above the maxval 200"},
      {"P3 1 1 15 0 0 99999999999999999999999",
       "f: the blue sample at row 0, column 0 (from 0) is 99999999999999999999..., above the "
       "maxval 15"},
      {"P5 1 1 255\n" + bytes({7}) + "ab",
       "f: 2 bytes after the image, starting 'ab'; attn reads one image a file"},
      {"P2 1 1 9 1\nP2 1 1 9 1\n",
       "f: 11 bytes after the image, starting 'P2 1 1 9 1\\x0A'; attn reads one image a file"},
  };
  for (const auto& [file, message] : cases) {
    CHECK_THROWS_WITH_AS(parse_netpbm(file, "f"), message.c_str(), Error);
  }
}
