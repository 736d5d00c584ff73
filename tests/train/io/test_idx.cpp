// The IDX reader and writer (train/io/idx.h): hand-written headers read to known sizes and bytes,
// images and labels write and read back, and every broken rule is one attn::Error naming the file
// with the numbers involved.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>

#include "tensor/error.h"
#include "train/io/idx.h"

using namespace attn;
namespace fs = std::filesystem;

namespace {

// Bytes written as numbers, so that NULs and high bytes read plainly.
std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out += static_cast<char>(value);
  return out;
}

// The header of an images file of count x rows x cols, each size one byte in the low end.
std::string images_header(int count, int rows, int cols) {
  return bytes({0, 0, 8, 3, 0, 0, 0, count, 0, 0, 0, rows, 0, 0, 0, cols});
}

}  // namespace

TEST_CASE("idx: hand-written images read to their sizes and pixels, row-major") {
  // Two images of 2 rows x 3 columns: 0 1 2 / 3 4 5, then 250 251 252 / 253 254 255.
  const std::string file =
      images_header(2, 2, 3) + bytes({0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255});
  const IdxImages images = parse_idx_images(file, "tiny-images-idx3-ubyte");
  CHECK(images.count == 2);
  CHECK(images.rows == 2);
  CHECK(images.cols == 3);
  REQUIRE(images.pixels.size() == 12);
  CHECK(images.image(0)[4] == 4);    // row 1, column 1 of image 0
  CHECK(images.image(1)[0] == 250);  // the second image starts 6 bytes in
  CHECK(images.image(1)[5] == 255);
  CHECK(format_idx_images(images) == file);
}

TEST_CASE("idx: hand-written labels read to their bytes") {
  const std::string file = bytes({0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1});
  CHECK(parse_idx_labels(file, "tiny-labels-idx1-ubyte") == std::vector<uint8_t>{7, 2, 1});
  CHECK(format_idx_labels({7, 2, 1}) == file);
}

TEST_CASE("idx: images and labels write and read back, also through a file") {
  IdxImages images;
  images.count = 3;
  images.rows = 1;
  images.cols = 300;  // a size above one byte: 0x00 0x00 0x01 0x2C
  for (int i = 0; i < 900; ++i) images.pixels.push_back(static_cast<uint8_t>(i * 7));
  const std::string file = format_idx_images(images);
  CHECK(file.substr(12, 4) == bytes({0, 0, 1, 0x2C}));
  CHECK(parse_idx_images(file, "made-up") == images);
  const std::vector<uint8_t> labels = {0, 9, 255, 4};
  CHECK(parse_idx_labels(format_idx_labels(labels), "made-up") == labels);

  const fs::path folder = fs::temp_directory_path() / "attn_idx_test";
  fs::remove_all(folder);
  fs::create_directories(folder);
  const std::string path = (folder / "t10k-images-idx3-ubyte").string();
  std::ofstream(path, std::ios::binary) << file;
  CHECK(read_idx_images(path) == images);
  std::ofstream(labels_path_for(path), std::ios::binary) << format_idx_labels(labels);
  CHECK(read_idx_labels((folder / "t10k-labels-idx1-ubyte").string()) == labels);
  const std::string missing = (folder / "train-images-idx3-ubyte").string();
  CHECK_THROWS_WITH_AS(read_idx_images(missing),
                       ("cannot open " + missing + ": No such file or directory").c_str(), Error);
  fs::remove_all(folder);
}

TEST_CASE("idx: a body shorter or longer than the header's sizes is refused with both numbers") {
  const std::string header = images_header(2, 2, 3);  // 12 bytes of pixels
  CHECK_THROWS_WITH_AS(parse_idx_images(header + std::string(11, 'x'), "short"),
                       "short: truncated: the header says 2 images of 2x3 pixels, 12 bytes, and "
                       "11 bytes follow the header",
                       Error);
  CHECK_THROWS_WITH_AS(parse_idx_images(header + std::string(14, 'x'), "long"),
                       "long: 2 trailing bytes: the header says 2 images of 2x3 pixels, 12 bytes, "
                       "and 14 bytes follow the header",
                       Error);
  CHECK_THROWS_WITH_AS(parse_idx_labels(bytes({0, 0, 8, 1, 0, 0, 0, 3, 7}), "labels"),
                       "labels: truncated: the header says 3 labels, 3 bytes, and 1 byte follows "
                       "the header",
                       Error);
  CHECK_THROWS_WITH_AS(parse_idx_labels(bytes({0, 0, 8, 1, 0, 0, 0, 1, 7, 7}), "labels"),
                       "labels: 1 trailing byte: the header says 1 label, 1 byte, and 2 bytes "
                       "follow the header",
                       Error);
}

TEST_CASE("idx: sizes whose product wraps around in 32 bits are refused, not read as small") {
  // 65536 images of 256 x 256 are 2^32 bytes: 0 in 32-bit arithmetic, which an empty body would
  // match. 4294967295 images of 4096 x 4096 are 2^56 - 2^24 bytes.
  const std::string wraps = bytes({0, 0, 8, 3, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0});
  CHECK_THROWS_WITH_AS(parse_idx_images(wraps, "wraps"),
                       "wraps: truncated: the header says 65536 images of 256x256 pixels, "
                       "4294967296 bytes, and 0 bytes follow the header",
                       Error);
  const std::string largest =
      bytes({0, 0, 8, 3, 255, 255, 255, 255, 0, 0, 16, 0, 0, 0, 16, 0}) + "x";
  CHECK_THROWS_WITH_AS(parse_idx_images(largest, "largest"),
                       "largest: truncated: the header says 4294967295 images of 4096x4096 "
                       "pixels, 72057594021150720 bytes, and 1 byte follows the header",
                       Error);
  const std::string wide = bytes({0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 16, 1});  // 4097
  CHECK_THROWS_WITH_AS(parse_idx_images(wide, "wide"),
                       "wide: images of 1x4097 pixels; rows and columns must be 1 to 4096", Error);
  const std::string huge = bytes({0, 0, 8, 3, 0, 0, 0, 1, 255, 255, 255, 255, 0, 0, 0, 1});
  CHECK_THROWS_WITH_AS(parse_idx_images(huge, "huge"),
                       "huge: images of 4294967295x1 pixels; rows and columns must be 1 to 4096",
                       Error);
}

TEST_CASE("idx: a wrong magic, element type or number of dimensions is refused, naming it") {
  const std::string pixels(12, 'x');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "f: 0 bytes, too short for an IDX header (16 bytes)"},
      {bytes({0, 0, 8}), "f: 3 bytes, too short for an IDX header (16 bytes)"},
      {bytes({0x1F, 0x8B, 8, 3}) + pixels,  // a gzip file, not yet unpacked
       "f: not an IDX file: it starts with 0x1F 0x8B, expected 0x00 0x00"},
      {bytes({0, 0, 0x0D, 3}) + pixels,
       "f: element type 0x0D (32-bit float), only 0x08 (unsigned byte) is read"},
      {bytes({0, 0, 0x0B, 3}) + pixels,
       "f: element type 0x0B (16-bit integer), only 0x08 (unsigned byte) is read"},
      {bytes({0, 0, 0x07, 3}) + pixels,
       "f: element type 0x07 (not an IDX type), only 0x08 (unsigned byte) is read"},
      {bytes({0, 0, 8, 1, 0, 0, 0, 1, 5}),  // a labels file
       "f: 1 dimension, an images file has 3"},
      {bytes({0, 0, 8, 0}), "f: 0 dimensions, an images file has 3"},
      {bytes({0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0}),
       "f: truncated: the header of an images file is 16 bytes, the file holds 14"},
      {images_header(0, 2, 3), "f: 0 images; an IDX file holds 1 to 4294967295"},
      {images_header(1, 0, 3), "f: images of 0x3 pixels; rows and columns must be 1 to 4096"},
  };
  for (const auto& [file, message] : cases) {
    CHECK_THROWS_WITH_AS(parse_idx_images(file, "f"), message.c_str(), Error);
  }
  CHECK_THROWS_WITH_AS(parse_idx_labels(images_header(1, 1, 1) + "x", "l"),
                       "l: 3 dimensions, a labels file has 1", Error);
  CHECK_THROWS_WITH_AS(parse_idx_labels(bytes({0, 0, 8, 1, 0, 0, 0, 0}), "l"),
                       "l: 0 labels; an IDX file holds 1 to 4294967295", Error);
}

TEST_CASE("idx: the writers refuse what the readers would") {
  IdxImages images;
  images.count = 2;
  images.rows = 2;
  images.cols = 2;
  images.pixels.assign(7, 0);
  CHECK_THROWS_WITH_AS(format_idx_images(images), "format_idx_images: 7 pixels for 2 images of 2x2",
                       Error);
  images.rows = 5000;
  CHECK_THROWS_WITH_AS(format_idx_images(images),
                       "format_idx_images: images of 5000x2 pixels; rows and columns must be 1 to "
                       "4096",
                       Error);
  CHECK_THROWS_WITH_AS(format_idx_images(IdxImages{}),
                       "format_idx_images: 0 images; an IDX file holds 1 to 4294967295", Error);
  CHECK_THROWS_WITH_AS(format_idx_labels({}),
                       "format_idx_labels: 0 labels; an IDX file holds 1 to 4294967295", Error);
}

TEST_CASE("idx: the labels file beside an images file follows MNIST's names") {
  CHECK(labels_path_for("train-images-idx3-ubyte") == "train-labels-idx1-ubyte");
  CHECK(labels_path_for("/data/mnist/t10k-images-idx3-ubyte") ==
        "/data/mnist/t10k-labels-idx1-ubyte");
  // Only the file's name changes, not a folder that happens to look like one.
  CHECK(labels_path_for("x-images-idx3-ubyte/train-images-idx3-ubyte.bin") ==
        "x-images-idx3-ubyte/train-labels-idx1-ubyte.bin");
  CHECK_THROWS_WITH_AS(labels_path_for("/data/train-images-idx3-ubyte/digits"),
                       "/data/train-images-idx3-ubyte/digits: not named like MNIST's images "
                       "files (NAME-images-idx3-ubyte), so its labels file is unknown",
                       Error);
  CHECK_THROWS_WITH_AS(labels_path_for("train-labels-idx1-ubyte"),
                       "train-labels-idx1-ubyte: not named like MNIST's images files "
                       "(NAME-images-idx3-ubyte), so its labels file is unknown",
                       Error);
}
