// Grid attention spread over an image's pixels, and its share inside a box (see
// attention_on_image.h).
#include "train/metrics/attention_on_image.h"

#include <cmath>
#include <string>

#include "tensor/error.h"

namespace attn {

namespace {

constexpr int64_t kMaxSide = 0x7FFFFFFF;  // so that y * h never overflows

std::string sizes(int64_t height, int64_t width) {
  return std::to_string(height) + "x" + std::to_string(width);
}

void check_image(const std::string& op, int64_t height, int64_t width) {
  check(height >= 1 && width >= 1 && height <= kMaxSide && width <= kMaxSide, op,
        "image of " + sizes(height, width) + " pixels: each side runs from 1 to 2^31 - 1");
}

void check_attention(const std::string& op, const std::vector<double>& weights,
                     int64_t grid_height, int64_t grid_width, int64_t image_height,
                     int64_t image_width) {
  check_image(op, image_height, image_width);
  // A grid finer than the image would leave cells without a pixel, and their weight nowhere.
  check(grid_height >= 1 && grid_width >= 1 && grid_height <= image_height &&
            grid_width <= image_width,
        op, "grid " + sizes(grid_height, grid_width) + " does not fit in the image " +
                sizes(image_height, image_width) + ": every cell needs a pixel");
  check(weights.size() == static_cast<size_t>(grid_height * grid_width), op,
        std::to_string(weights.size()) + " weights for a grid " +
            sizes(grid_height, grid_width) + " of " +
            std::to_string(grid_height * grid_width) + " cells");
  for (size_t i = 0; i < weights.size(); ++i)
    check(std::isfinite(weights[i]) && weights[i] >= 0, op,
          "weight " + std::to_string(i) + " is " + std::to_string(weights[i]) +
              ": attention weights are finite and >= 0");
}

// One side of the image cut into cells: the cell of each pixel (pixel * cells / pixels), and
// how many pixels each cell got (counted, so that uneven divisions are exact).
struct Cuts {
  std::vector<int64_t> cell_of;    // [pixels]
  std::vector<int64_t> pixels_in;  // [cells]
};

Cuts cut(int64_t cells, int64_t pixels) {
  Cuts cuts{std::vector<int64_t>(static_cast<size_t>(pixels)),
            std::vector<int64_t>(static_cast<size_t>(cells), 0)};
  for (int64_t p = 0; p < pixels; ++p) {
    const int64_t cell = p * cells / pixels;
    cuts.cell_of[static_cast<size_t>(p)] = cell;
    cuts.pixels_in[static_cast<size_t>(cell)] += 1;
  }
  return cuts;
}

// The pixels [begin, end) of the span [start, start + length) that lie in [0, size). A box read
// from a file may hold any numbers, so start + length is never formed (it may overflow): the
// distances are taken in unsigned arithmetic, where they are exact.
struct Span {
  int64_t begin = 0, end = 0;
  int64_t size() const { return end - begin; }
};

Span clip(int64_t start, int64_t length, int64_t size) {
  if (length <= 0 || start >= size) return {};
  const auto reach = static_cast<uint64_t>(length);
  if (start < 0) {
    const uint64_t to_zero = 0 - static_cast<uint64_t>(start);  // -start, even for INT64_MIN
    if (reach <= to_zero) return {};                            // ends before pixel 0
    const uint64_t past_zero = reach - to_zero;
    return {0, past_zero >= static_cast<uint64_t>(size) ? size : static_cast<int64_t>(past_zero)};
  }
  const auto to_end = static_cast<uint64_t>(size - start);
  return {start, reach >= to_end ? size : start + length};
}

// upsample_attention, on sizes already checked.
std::vector<double> spread(const std::vector<double>& weights, int64_t grid_height,
                           int64_t grid_width, int64_t image_height, int64_t image_width) {
  const Cuts rows = cut(grid_height, image_height), columns = cut(grid_width, image_width);
  std::vector<double> map(static_cast<size_t>(image_height * image_width));  // [H, W]
  for (int64_t y = 0; y < image_height; ++y)
    for (int64_t x = 0; x < image_width; ++x) {
      const auto cell_y = static_cast<size_t>(rows.cell_of[static_cast<size_t>(y)]);
      const auto cell_x = static_cast<size_t>(columns.cell_of[static_cast<size_t>(x)]);
      const auto pixels_in_cell =
          static_cast<double>(rows.pixels_in[cell_y] * columns.pixels_in[cell_x]);
      // map[y, x] = alpha[cell] / (number of pixels in that cell)
      map[static_cast<size_t>(y * image_width + x)] =
          weights[cell_y * static_cast<size_t>(grid_width) + cell_x] / pixels_in_cell;
    }
  return map;
}

}  // namespace

std::vector<double> upsample_attention(const std::vector<double>& weights, int64_t grid_height,
                                       int64_t grid_width, int64_t image_height,
                                       int64_t image_width) {
  check_attention("upsample_attention", weights, grid_height, grid_width, image_height,
                  image_width);
  return spread(weights, grid_height, grid_width, image_height, image_width);
}

double attention_in_box(const std::vector<double>& weights, int64_t grid_height,
                        int64_t grid_width, int64_t image_height, int64_t image_width,
                        const Box& box) {
  check_attention("attention_in_box", weights, grid_height, grid_width, image_height,
                  image_width);
  const std::vector<double> map =
      spread(weights, grid_height, grid_width, image_height, image_width);
  double total = 0;
  for (double value : map) total += value;
  check(total > 0, "attention_in_box", "the weights sum to 0: there is no attention to share");
  const Span rows = clip(box.top, box.height, image_height);
  const Span columns = clip(box.left, box.width, image_width);
  double inside = 0;  // sum_{(y,x) in R} map[y, x]
  for (int64_t y = rows.begin; y < rows.end; ++y)
    for (int64_t x = columns.begin; x < columns.end; ++x)
      inside += map[static_cast<size_t>(y * image_width + x)];
  return inside / total;
}

double uniform_attention_in_box(int64_t image_height, int64_t image_width, const Box& box) {
  check_image("uniform_attention_in_box", image_height, image_width);
  const Span rows = clip(box.top, box.height, image_height);
  const Span columns = clip(box.left, box.width, image_width);
  return static_cast<double>(rows.size()) * static_cast<double>(columns.size()) /
         (static_cast<double>(image_height) * static_cast<double>(image_width));  // |R| / (H W)
}

}  // namespace attn
