// Fuzz target: an MNIST IDX file (train/io/idx.h), read both as images (idx3-ubyte) and as
// labels (idx1-ubyte). IDX has one way to write each array, so whatever is accepted must write
// back to exactly its own bytes, and hold as many pixels as its sizes say.
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "tensor/error.h"
#include "tests/fuzz/targets.h"
#include "train/io/idx.h"

namespace attn::fuzz {

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "fuzz idx: %s\n", what);
  std::abort();
}

void check_images(const std::string& input) {
  const IdxImages images = parse_idx_images(input, "fuzz-images-idx3-ubyte");
  if (std::ssize(images.pixels) != images.count * images.rows * images.cols)
    finding("the pixels accepted are not count x rows x cols");
  if (format_idx_images(images) != input) finding("accepted images do not write back to the file");
}

void check_labels(const std::string& input) {
  const std::vector<uint8_t> labels = parse_idx_labels(input, "fuzz-labels-idx1-ubyte");
  if (format_idx_labels(labels) != input) finding("accepted labels do not write back to the file");
}

}  // namespace

void fuzz_idx(const std::string& input) {
  // A file is images or labels, never both: the bytes are refused only when both readers refuse
  // them (the labels reader's error is the one reported).
  try {
    check_images(input);
    return;
  } catch (const Error&) {
  }
  check_labels(input);
}

std::string seed_idx() {
  // Two images of 2 rows x 3 columns: 0 1 2 / 3 4 5, then 250 251 252 / 253 254 255.
  const unsigned char bytes[] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
                                 0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255};
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

}  // namespace attn::fuzz
