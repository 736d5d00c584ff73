// attn caption's command line: bad options are one line naming them; a model trains on shapes
// or on (here synthetic) IDX digits, then tests on fresh scenes and draws its attention, for a
// generated scene or a PGM/PPM file of the model's size.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/temporary_path.h"
#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/io/atomic_file.h"
#include "train/io/idx.h"
#include "train/io/netpbm.h"

using namespace attn;
using namespace attn::cli;

namespace {

std::string usage_error(const std::vector<std::string>& args) {
  try {
    caption_command(args);
  } catch (const UsageError& error) {
    return error.message;
  }
  return "(no error)";
}

// 60 "digits": 28x28 patches, digit d a filled square of side 6 + d, labelled d.
void write_digits(const std::string& images_path) {
  IdxImages digits{60, 28, 28, std::vector<uint8_t>(60 * 28 * 28, 0)};
  std::vector<uint8_t> labels;
  for (int64_t i = 0; i < 60; ++i) {
    const int64_t d = i % 10, side = 6 + d;
    labels.push_back(static_cast<uint8_t>(d));
    for (int64_t y = 4; y < 4 + side; ++y)
      for (int64_t x = 4; x < 4 + side; ++x) digits.pixels[static_cast<size_t>((i * 28 + y) * 28 + x)] = 200;
  }
  write_file_atomically(images_path, format_idx_images(digits));
  write_file_atomically(labels_path_for(images_path), format_idx_labels(labels));
}

}  // namespace

TEST_CASE("attn caption: bad options and subcommands are one line naming them") {
  CHECK(usage_error({"train", "--out", "o"}) ==
        "attn caption train: give exactly one of --shapes and --mnist IDX_IMAGES");
  CHECK(usage_error({"train", "--shapes", "--out", "o", "--encoder-blocks", "9"}) ==
        "attn caption train: --encoder-blocks must be in 1..8, got 9");
  CHECK(usage_error({"train", "--shapes", "--out", "o", "--pooling", "max"}) ==
        "attn caption train: --pooling must be one of attention, mean, got 'max'");
  CHECK(usage_error({"train", "--shapes", "--out", "o", "--preset", "huge"})
            .find("unknown preset 'huge'") != std::string::npos);
  CHECK(usage_error({"fly"}) == "attn caption: unknown subcommand 'fly' (train, test, show)");
}

TEST_CASE("attn caption: train on shapes, then test, and show a scene and an image file") {
  const std::string out = temporary_path("caption_cli_shapes");
  std::filesystem::remove_all(out);
  CHECK(caption_command({"train", "--shapes", "--out", out, "--preset", "micro", "--epochs", "1",
                         "--scenes-per-epoch", "32", "--valid-scenes", "8", "--batch-size", "16",
                         "--threads", "1", "--quiet"}) == 0);
  CHECK(caption_command({"test", "--model", out, "--scenes", "8", "--seed", "5"}) == 0);
  CHECK(caption_command({"test", "--model", out, "--scenes", "8", "--held-out"}) == 0);
  CHECK(caption_command({"test", "--model", out, "--scenes", "4", "--beam", "3"}) == 0);
  CHECK(caption_command({"show", "--model", out, "--scene", "3", "--out", out + "/scene.svg"}) == 0);
  CHECK(std::filesystem::exists(out + "/scene.svg"));
  write_netpbm(out + "/image.ppm", Image(3, 32, 32));
  CHECK(caption_command({"show", "--model", out, "--image", out + "/image.ppm", "--out",
                         out + "/image.svg"}) == 0);
  write_netpbm(out + "/grey.pgm", Image(1, 32, 32));
  CHECK(usage_error({"show", "--model", out, "--image", out + "/grey.pgm", "--out", out + "/x.svg"}) ==
        "attn caption show: " + out + "/grey.pgm is 1x32x32 (channels x rows x columns); the "
        "model reads 3x32x32");
}

TEST_CASE("attn caption: train on IDX digits, test on digits it never saw") {
  const std::string dir = temporary_path("caption_cli_digits");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  write_digits(dir + "/train-images-idx3-ubyte");
  CHECK(caption_command({"train", "--mnist", dir + "/train-images-idx3-ubyte", "--out", dir + "/m",
                         "--preset", "micro", "--epochs", "1", "--scenes-per-epoch", "16",
                         "--valid-scenes", "8", "--batch-size", "8", "--threads", "1", "--quiet"}) == 0);
  CHECK(caption_command({"test", "--model", dir + "/m", "--scenes", "4"}) == 0);  // 9, 19, ..., 59
  CHECK(caption_command({"test", "--model", dir + "/m", "--scenes", "4", "--digits", "0:10"}) == 0);
  CHECK(usage_error({"test", "--model", dir + "/m", "--digits", "a:b"}) ==
        "attn caption test: --digits expects FIRST:LAST, got 'a:b'");
}
