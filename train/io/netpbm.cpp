// Reading and writing PGM and PPM images (see netpbm.h).
#include "train/io/netpbm.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <string_view>

#include "tensor/error.h"
#include "train/io/atomic_file.h"

namespace attn {

namespace {

constexpr int64_t kMaxSide = 16384;   // width and height, see netpbm.h
constexpr int64_t kMaxMaxval = 65535;  // the spec's limit: samples fit in 16 bits
// Numbers are read up to this and no further, so that a long run of digits cannot overflow; any
// number this large is out of range wherever it stands.
constexpr int64_t kTooLarge = 1'000'000'000;

bool is_whitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// `text` for a message: printable ASCII as it is, other bytes as \xHH, cut after 20 bytes so
// that a megabyte of garbage still gives a one-line error.
std::string printable(std::string_view text) {
  const char* digits = "0123456789ABCDEF";
  std::string out;
  for (char c : text.substr(0, 20)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= ' ' && byte <= '~') out += c;
    else out += std::string("\\x") + digits[byte >> 4] + digits[byte & 0xF];
  }
  return out + (text.size() > 20 ? "..." : "");
}

std::string quoted(std::string_view text) { return "'" + printable(text) + "'"; }

std::string plural(int64_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// The whole number `token` spells (at most kTooLarge), or -1 when it is not one.
int64_t whole_number(std::string_view token) {
  if (token.empty()) return -1;
  int64_t value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return -1;
    value = std::min(value * 10 + (c - '0'), kTooLarge);
  }
  return value;
}

// What the magic number says.
struct Format {
  bool plain;        // samples as decimal text (P2, P3) rather than bytes (P5, P6)
  int64_t channels;  // 1 grey (PGM), 3 red, green, blue (PPM)
};

Format format_of(std::string_view bytes, const std::string& name) {
  const std::string_view magic = bytes.substr(0, 2);
  if (magic == "P2") return {true, 1};
  if (magic == "P3") return {true, 3};
  if (magic == "P5") return {false, 1};
  if (magic == "P6") return {false, 3};
  const std::string reads = "; attn reads PGM (P2, P5) and PPM (P3, P6)";
  if (magic == "P1" || magic == "P4")
    throw Error(name + ": a PBM bitmap (" + std::string(magic) + ")" + reads);
  if (magic == "P7") throw Error(name + ": a PAM image (P7)" + reads);
  throw Error(name + ": not a PGM or PPM file: it starts with " + quoted(bytes) +
              ", expected P2, P3, P5 or P6");
}

// Reads one image front to back: the header's numbers, then the raster.
class NetpbmReader {
 public:
  NetpbmReader(std::string_view bytes, const std::string& name) : bytes_(bytes), name_(name) {}

  Image read() {
    read_header();
    const int64_t samples = format_.channels * height_ * width_;
    if (format_.plain) {
      check_present(2 * samples - 1, plural(samples, "sample") + ", at least " +
                                         plural(2 * samples - 1, "byte") +
                                         " (a digit and a separator each)");
    } else {
      skip_raster_delimiter();
      const int64_t bytes = samples * (maxval_ > 255 ? 2 : 1);
      check_present(bytes, plural(bytes, "byte"));
    }
    Image image(format_.channels, height_, width_);
    for (int64_t y = 0; y < height_; ++y)
      for (int64_t x = 0; x < width_; ++x)
        for (int64_t c = 0; c < format_.channels; ++c) {
          const int64_t sample = format_.plain ? plain_sample(y, x, c) : binary_sample(y, x, c);
          image.at(c, y, x) = static_cast<float>(sample) / static_cast<float>(maxval_);
        }
    check_end();
    return image;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(name_ + ": " + what); }

  void read_header() {
    format_ = format_of(bytes_, name_);
    at_ = 2;
    if (at_ < bytes_.size() && !is_whitespace(bytes_[at_]) && bytes_[at_] != '#')
      fail("expected whitespace after the magic number " + std::string(bytes_.substr(0, 2)) +
           ", found " + quoted(bytes_.substr(at_)));
    width_ = header_number("width", 1, kMaxSide);
    height_ = header_number("height", 1, kMaxSide);
    maxval_ = header_number("maxval", 1, kMaxMaxval);
  }

  // Skips whitespace and comments ("#" through the next CR or LF, which it takes too).
  void skip_whitespace() {
    while (at_ < bytes_.size()) {
      if (bytes_[at_] == '#') skip_comment();
      else if (is_whitespace(bytes_[at_])) ++at_;
      else return;
    }
  }

  void skip_comment() {
    const size_t end = bytes_.find_first_of("\r\n", at_);
    at_ = end == std::string_view::npos ? bytes_.size() : end + 1;
  }

  // The bytes up to the next whitespace, comment or the end of the file.
  std::string_view next_token() {
    const size_t begin = at_;
    while (at_ < bytes_.size() && !is_whitespace(bytes_[at_]) && bytes_[at_] != '#') ++at_;
    return bytes_.substr(begin, at_ - begin);
  }

  int64_t header_number(const std::string& what, int64_t lowest, int64_t highest) {
    skip_whitespace();
    const std::string_view token = next_token();
    if (token.empty()) fail("expected the " + what + ", found the end of the file");
    const int64_t value = whole_number(token);
    if (value < 0) fail("expected the " + what + " (a whole number), found " + quoted(token));
    if (value < lowest || value > highest)
      fail("the " + what + " is " + printable(token) + ", expected " + std::to_string(lowest) +
           " to " + std::to_string(highest));
    return value;
  }

  // The one whitespace character between the header and a binary raster; a comment there counts
  // as that character, as libnetpbm reads it.
  void skip_raster_delimiter() {
    if (at_ < bytes_.size() && bytes_[at_] == '#') skip_comment();
    else if (at_ < bytes_.size()) ++at_;  // whitespace: next_token stopped at it
  }

  // Within the limits the image has at most 3 * 2^28 samples, so `needed` does not overflow; it
  // is checked against the bytes present before the image is allocated.
  void check_present(int64_t needed, const std::string& raster_size) const {
    const auto present = static_cast<int64_t>(bytes_.size() - at_);
    if (present >= needed) return;
    fail("truncated: a " + std::string(format_.plain ? "plain " : "") +
         (format_.channels == 1 ? "PGM" : "PPM") + " raster of width " + std::to_string(width_) +
         ", height " + std::to_string(height_) + " and maxval " + std::to_string(maxval_) +
         " is " + raster_size + ", and " + plural(present, "byte") + (present == 1 ? " follows" : " follow") +
         " the header");
  }

  // The sample of pixel (y, x) in channel c, big-endian when it takes two bytes; check_present
  // made sure its bytes are there.
  int64_t binary_sample(int64_t y, int64_t x, int64_t c) {
    int64_t value = static_cast<unsigned char>(bytes_[at_++]);
    if (maxval_ > 255) value = value << 8 | static_cast<unsigned char>(bytes_[at_++]);
    if (value > maxval_) fail_above_maxval(std::to_string(value), y, x, c);
    return value;
  }

  int64_t plain_sample(int64_t y, int64_t x, int64_t c) {
    skip_whitespace();
    const std::string_view token = next_token();
    if (token.empty()) fail("truncated: the file ends before " + sample_name(y, x, c));
    const int64_t value = whole_number(token);
    if (value < 0) fail(sample_name(y, x, c) + " is not a whole number: " + quoted(token));
    if (value > maxval_) fail_above_maxval(printable(token), y, x, c);
    return value;
  }

  [[noreturn]] void fail_above_maxval(const std::string& value, int64_t y, int64_t x,
                                      int64_t c) const {
    fail(sample_name(y, x, c) + " is " + value + ", above the maxval " + std::to_string(maxval_));
  }

  std::string sample_name(int64_t y, int64_t x, int64_t c) const {
    const char* colours[] = {"red ", "green ", "blue "};
    return std::string("the ") + (format_.channels == 1 ? "" : colours[c]) + "sample at row " +
           std::to_string(y) + ", column " + std::to_string(x) + " (from 0)";
  }

  // Only whitespace may follow the image (and comments, in a plain file).
  void check_end() {
    if (format_.plain) skip_whitespace();
    while (at_ < bytes_.size() && is_whitespace(bytes_[at_])) ++at_;
    if (at_ == bytes_.size()) return;
    fail(plural(std::ssize(bytes_) - static_cast<int64_t>(at_), "byte") +
         " after the image, starting " +
         quoted(bytes_.substr(at_)) + "; attn reads one image a file");
  }

  std::string_view bytes_;
  const std::string& name_;
  size_t at_ = 0;  // the next byte to read
  Format format_{};
  int64_t width_ = 0, height_ = 0, maxval_ = 0;
};

// round(255 v), v clamped to [0, 1] as encode_png does (train/report/png.cpp).
char byte_sample(const Image& image, int64_t c, int64_t y, int64_t x) {
  const float value = image.at(c, y, x);
  if (std::isnan(value))
    throw Error("format_netpbm: pixel (" + std::to_string(c) + ", " + std::to_string(y) + ", " +
                std::to_string(x) + ") is nan");
  return static_cast<char>(std::lround(255.0 * std::clamp(value, 0.0f, 1.0f)));
}

void check_image(const Image& image) {
  if (image.channels != 1 && image.channels != 3)
    throw Error("format_netpbm: an image of " + std::to_string(image.channels) +
                " channels; PGM holds 1 (grey) and PPM 3 (red, green, blue)");
  if (image.height < 1 || image.height > kMaxSide || image.width < 1 || image.width > kMaxSide)
    throw Error("format_netpbm: an image of height " + std::to_string(image.height) +
                " and width " + std::to_string(image.width) + "; both must be 1 to " +
                std::to_string(kMaxSide));
  if (static_cast<int64_t>(image.pixels.size()) != image.channels * image.height * image.width)
    throw Error("format_netpbm: an image of " + std::to_string(image.channels) + "x" +
                std::to_string(image.height) + "x" + std::to_string(image.width) + " holds " +
                std::to_string(image.pixels.size()) + " values");
}

}  // namespace

Image parse_netpbm(const std::string& bytes, const std::string& name) {
  return NetpbmReader(bytes, name).read();
}

Image read_netpbm(const std::string& path) {
  std::string bytes;
  try {
    bytes = read_file(path);
  } catch (const std::runtime_error& error) {
    throw Error(error.what());  // every failure to read an image is an attn::Error
  }
  return parse_netpbm(bytes, path);
}

std::string format_netpbm(const Image& image) {
  check_image(image);
  std::string out = std::string(image.channels == 1 ? "P5" : "P6") + "\n" +
                    std::to_string(image.width) + " " + std::to_string(image.height) + "\n255\n";
  // The image is planar ([C, H, W]); the raster interleaves a pixel's channels (R G B R G B ...).
  for (int64_t y = 0; y < image.height; ++y)
    for (int64_t x = 0; x < image.width; ++x)
      for (int64_t c = 0; c < image.channels; ++c) out += byte_sample(image, c, y, x);
  return out;
}

void write_netpbm(const std::string& path, const Image& image) {
  write_file_atomically(path, format_netpbm(image));
}

}  // namespace attn
