// Images and captioned scenes: what the captioning data, the image readers and the attention
// pictures pass around (Xu et al. 2015, "Show, Attend and Tell", trains on images with captions).
//
// An image is C planes of H rows of W pixels, row-major, as the convolution reads it ([C, H, W],
// PyTorch's order), each value in [0, 1]: 0 black, 1 full intensity. A grey image has C = 1,
// a colour image C = 3 (red, green, blue).
//
// A scene is an image with its caption and the objects the caption names, each with its
// bounding box, so the attention over the image can be checked: when the model says "7", how
// much of its attention lies on the 7?
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct Image {
  int64_t channels = 0, height = 0, width = 0;  // C, H, W
  std::vector<float> pixels;                    // [C, H, W], values in [0, 1]

  Image() = default;
  Image(int64_t channels, int64_t height, int64_t width)
      : channels(channels), height(height), width(width),
        pixels(static_cast<size_t>(channels * height * width), 0.0f) {}
  float& at(int64_t c, int64_t y, int64_t x) {
    return pixels[static_cast<size_t>((c * height + y) * width + x)];
  }
  float at(int64_t c, int64_t y, int64_t x) const {
    return pixels[static_cast<size_t>((c * height + y) * width + x)];
  }
  bool operator==(const Image&) const = default;
};

// A rectangle of pixels: rows [top, top + height), columns [left, left + width).
struct Box {
  int64_t top = 0, left = 0, height = 0, width = 0;
  bool contains(int64_t y, int64_t x) const {
    return y >= top && y < top + height && x >= left && x < left + width;
  }
  bool overlaps(const Box& other) const {
    return top < other.top + other.height && other.top < top + height &&
           left < other.left + other.width && other.left < left + width;
  }
  bool operator==(const Box&) const = default;
};

struct Scene {
  Image image;
  std::vector<std::string> caption;  // the words, e.g. {"7", "3", "9"}
  std::vector<Box> objects;          // every object in the image, with its bounding box
  // For each caption word, the index into `objects` of the object it names, or -1 (for words
  // such as "a", "above"): the box its attention should fall in.
  std::vector<int64_t> names;
  // For each object, the index of the image file's picture it was drawn from (an MNIST digit),
  // so that a misread object can be looked up; empty for generated shapes.
  std::vector<int64_t> sources;
};

}  // namespace attn
