// Fuzz target: a PGM or PPM image (train/io/netpbm.h), plain or binary, 8 or 16 bits. Whatever is
// accepted must have the sizes it claims, every value in [0, 1], and survive the writer: written
// at 8 bits it reads back within half a step (0.5 / 255) of itself, and that 8-bit image writes
// and reads back exactly.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "tests/fuzz/targets.h"
#include "train/io/netpbm.h"

namespace attn::fuzz {

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "fuzz netpbm: %s\n", what);
  std::abort();
}

bool same_sizes(const Image& a, const Image& b) {
  return a.channels == b.channels && a.height == b.height && a.width == b.width;
}

void check_image(const Image& image) {
  if ((image.channels != 1 && image.channels != 3) || image.height < 1 || image.width < 1 ||
      std::ssize(image.pixels) != image.channels * image.height * image.width)
    finding("the image accepted has sizes that do not match its values");
  for (float value : image.pixels)
    if (!(value >= 0.0f && value <= 1.0f)) finding("a value accepted lies outside [0, 1]");
}

}  // namespace

void fuzz_netpbm(const std::string& input) {
  const Image image = parse_netpbm(input, "fuzz.pgm");
  check_image(image);
  const Image eight_bits = parse_netpbm(format_netpbm(image), "fuzz.pgm");
  if (!same_sizes(eight_bits, image)) finding("the image written reads back with other sizes");
  for (size_t i = 0; i < image.pixels.size(); ++i)
    if (std::fabs(eight_bits.pixels[i] - image.pixels[i]) > 0.5f / 255 + 1e-6f)
      finding("a value written at 8 bits reads back more than half a step away");
  if (!(parse_netpbm(format_netpbm(eight_bits), "fuzz.pgm") == eight_bits))
    finding("an 8-bit image does not write and read back exactly");
}

std::string seed_netpbm() {
  // 2 x 2 colour pixels: red, green / blue, a grey of 128; with a comment in the header.
  const unsigned char raster[] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128};
  return "P6\n# attn fuzz seed\n2 2\n255\n" +
         std::string(reinterpret_cast<const char*>(raster), sizeof raster);
}

}  // namespace attn::fuzz
