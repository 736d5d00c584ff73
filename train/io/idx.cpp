// Reading and writing MNIST's IDX files (see idx.h).
#include "train/io/idx.h"

#include <iterator>
#include <stdexcept>
#include <string_view>

#include "tensor/error.h"
#include "train/io/atomic_file.h"

namespace attn {

namespace {

constexpr unsigned char kUnsignedByte = 0x08;
constexpr int64_t kMaxSide = 4096;          // rows and columns, see idx.h
constexpr int64_t kMaxCount = 0xFFFFFFFF;  // what 32 bits hold

// Numbers in messages about header bytes: "0x0D".
std::string hex_byte(unsigned char byte) {
  const char* digits = "0123456789ABCDEF";
  return std::string("0x") + digits[byte >> 4] + digits[byte & 0xF];
}

// The IDX element types (MNIST page), for the message that refuses all but 0x08.
std::string type_name(unsigned char type) {
  switch (type) {
    case 0x09: return "signed byte";
    case 0x0B: return "16-bit integer";
    case 0x0C: return "32-bit integer";
    case 0x0D: return "32-bit float";
    case 0x0E: return "64-bit float";
    default: return "not an IDX type";
  }
}

std::string plural(int64_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// A 32-bit big-endian size at `at`; the caller has checked the four bytes are there.
int64_t big_endian_u32(std::string_view bytes, size_t at) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// Checks the magic, the type and the number of dimensions, and returns the `dims` sizes.
// `what` names the array for messages: "an images file" or "a labels file".
std::vector<int64_t> read_header(std::string_view bytes, const std::string& name, int dims,
                                 const std::string& what) {
  const size_t header_size = 4 + 4 * static_cast<size_t>(dims);
  if (bytes.size() < 4)
    throw Error(name + ": " + plural(std::ssize(bytes), "byte") +
                ", too short for an IDX header (" + std::to_string(header_size) + " bytes)");
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (byte(0) != 0 || byte(1) != 0)
    throw Error(name + ": not an IDX file: it starts with " + hex_byte(byte(0)) + " " +
                hex_byte(byte(1)) + ", expected 0x00 0x00");
  if (byte(2) != kUnsignedByte)
    throw Error(name + ": element type " + hex_byte(byte(2)) + " (" + type_name(byte(2)) +
                "), only 0x08 (unsigned byte) is read");
  if (byte(3) != dims)
    throw Error(name + ": " + plural(byte(3), "dimension") + ", " + what + " has " +
                std::to_string(dims));
  if (bytes.size() < header_size)
    throw Error(name + ": truncated: the header of " + what + " is " +
                std::to_string(header_size) + " bytes, the file holds " +
                std::to_string(bytes.size()));
  std::vector<int64_t> sizes;
  for (int d = 0; d < dims; ++d) sizes.push_back(big_endian_u32(bytes, 4 + 4 * static_cast<size_t>(d)));
  return sizes;
}

// Checks that exactly `expected` bytes follow the header. `says` is what the header says, for the
// message: "2 images of 28x28 pixels".
void check_body_size(std::string_view bytes, size_t header_size, int64_t expected,
                     const std::string& name, const std::string& says) {
  const int64_t present = std::ssize(bytes) - static_cast<int64_t>(header_size);
  if (present == expected) return;
  const std::string sizes = "the header says " + says + ", " + plural(expected, "byte") +
                            ", and " + plural(present, "byte") +
                            (present == 1 ? " follows" : " follow") + " the header";
  if (present < expected) throw Error(name + ": truncated: " + sizes);
  throw Error(name + ": " + plural(present - expected, "trailing byte") + ": " + sizes);
}

// The rules of idx.h on sizes, for the reader and the writers alike, so that whatever one writes
// the other reads. Within them, count * rows * cols is at most 2^32 * 2^12 * 2^12 = 2^56: the
// product cannot overflow 64 bits.
void check_image_sizes(int64_t count, int64_t rows, int64_t cols, const std::string& name) {
  if (count < 1 || count > kMaxCount)
    throw Error(name + ": " + plural(count, "image") + "; an IDX file holds 1 to " +
                std::to_string(kMaxCount));
  if (rows < 1 || rows > kMaxSide || cols < 1 || cols > kMaxSide)
    throw Error(name + ": images of " + std::to_string(rows) + "x" + std::to_string(cols) +
                " pixels; rows and columns must be 1 to " + std::to_string(kMaxSide));
}

void check_label_count(int64_t count, const std::string& name) {
  if (count < 1 || count > kMaxCount)
    throw Error(name + ": " + plural(count, "label") + "; an IDX file holds 1 to " +
                std::to_string(kMaxCount));
}

// The header of an unsigned-byte array with these sizes, each already checked to fit 32 bits.
std::string format_header(const std::vector<int64_t>& sizes) {
  std::string bytes = {0, 0, static_cast<char>(kUnsignedByte), static_cast<char>(sizes.size())};
  for (int64_t size : sizes)
    for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>(size >> shift);
  return bytes;
}

// The file's bytes; a file that cannot be read is an attn::Error too, like every IDX failure.
std::string read_bytes(const std::string& path) {
  try {
    return read_file(path);
  } catch (const std::runtime_error& error) {
    throw Error(error.what());
  }
}

}  // namespace

IdxImages parse_idx_images(const std::string& bytes, const std::string& name) {
  const std::vector<int64_t> sizes = read_header(bytes, name, 3, "an images file");
  IdxImages images;
  images.count = sizes[0];
  images.rows = sizes[1];
  images.cols = sizes[2];
  check_image_sizes(images.count, images.rows, images.cols, name);
  // Checked against the bytes present before anything is allocated.
  const int64_t expected = images.count * images.rows * images.cols;
  check_body_size(bytes, 16, expected, name,
                  plural(images.count, "image") + " of " + std::to_string(images.rows) + "x" +
                      std::to_string(images.cols) + " pixels");
  images.pixels.assign(bytes.begin() + 16, bytes.end());
  return images;
}

IdxImages read_idx_images(const std::string& path) {
  return parse_idx_images(read_bytes(path), path);
}

std::vector<uint8_t> parse_idx_labels(const std::string& bytes, const std::string& name) {
  const int64_t count = read_header(bytes, name, 1, "a labels file")[0];
  check_label_count(count, name);
  check_body_size(bytes, 8, count, name, plural(count, "label"));
  return std::vector<uint8_t>(bytes.begin() + 8, bytes.end());
}

std::vector<uint8_t> read_idx_labels(const std::string& path) {
  return parse_idx_labels(read_bytes(path), path);
}

std::string format_idx_images(const IdxImages& images) {
  const std::string what = "format_idx_images";
  check_image_sizes(images.count, images.rows, images.cols, what);
  if (std::ssize(images.pixels) != images.count * images.rows * images.cols)
    throw Error(what + ": " + plural(std::ssize(images.pixels), "pixel") + " for " +
                plural(images.count, "image") + " of " + std::to_string(images.rows) + "x" +
                std::to_string(images.cols));
  return format_header({images.count, images.rows, images.cols}) +
         std::string(images.pixels.begin(), images.pixels.end());
}

std::string format_idx_labels(const std::vector<uint8_t>& labels) {
  check_label_count(std::ssize(labels), "format_idx_labels");
  return format_header({std::ssize(labels)}) +
         std::string(labels.begin(), labels.end());
}

std::string labels_path_for(const std::string& images_path) {
  const std::string images = "images-idx3-ubyte", labels = "labels-idx1-ubyte";
  const size_t name_begin = images_path.rfind('/') + 1;  // npos + 1 is 0: no directory
  const size_t at = images_path.rfind(images);
  if (at == std::string::npos || at < name_begin)
    throw Error(images_path + ": not named like MNIST's images files (NAME-" + images +
                "), so its labels file is unknown");
  return images_path.substr(0, at) + labels + images_path.substr(at + images.size());
}

}  // namespace attn
