// The IDX format of the MNIST handwritten digits (LeCun et al. 1998; the format is described on
// the MNIST page, yann.lecun.com/exdb/mnist): a big-endian header, then the bytes of the array.
//
//   bytes 0-1   0x00 0x00
//   byte  2     the element type: 0x08 unsigned byte (the only one MNIST uses, and the only one
//               read here)
//   byte  3     the number of dimensions d: 3 for images [N, rows, cols], 1 for labels [N]
//   then d      32-bit big-endian sizes
//   then        N * rows * cols (or N) bytes, row-major; an image's 0 is background, 255 ink
//
// MNIST's naming puts the labels beside the images: train-images-idx3-ubyte and
// train-labels-idx1-ubyte (labels_path_for gives the one from the other).
//
// The reader trusts nothing in the header: the sizes must multiply, without overflow, to exactly
// the bytes that follow, so nothing larger than the file is ever allocated. A file holds at least
// one image (or label), and an image's rows and columns are each 1 to 4096, a sanity limit far
// above MNIST's 28 that keeps one image under 16 MiB. A file that breaks a rule is an attn::Error
// "PATH: what is wrong"; the writers refuse what the readers would.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

// N grey images of rows x cols bytes, one after another.
struct IdxImages {
  int64_t count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // [count, rows, cols]
  // The first byte of image i.
  const uint8_t* image(int64_t i) const { return pixels.data() + i * rows * cols; }
  bool operator==(const IdxImages&) const = default;
};

// An idx3-ubyte file of images; `name` is what errors call it (the path).
IdxImages parse_idx_images(const std::string& bytes, const std::string& name);
IdxImages read_idx_images(const std::string& path);

// An idx1-ubyte file of labels, one byte each.
std::vector<uint8_t> parse_idx_labels(const std::string& bytes, const std::string& name);
std::vector<uint8_t> read_idx_labels(const std::string& path);

// The IDX bytes of images or labels: what the readers read back.
std::string format_idx_images(const IdxImages& images);
std::string format_idx_labels(const std::vector<uint8_t>& labels);

// "DIR/train-images-idx3-ubyte" -> "DIR/train-labels-idx1-ubyte" (also "t10k-..."): the labels
// file beside an images file, by MNIST's naming; an error when the name does not follow it.
std::string labels_path_for(const std::string& images_path);

}  // namespace attn
