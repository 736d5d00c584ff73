// Captioned scenes of handwritten digits (see digit_scenes.h).
#include "train/data/digit_scenes.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>

#include "tensor/error.h"
#include "tensor/random.h"

namespace attn {

namespace {

const char* const kOp = "digit_scenes";
constexpr int64_t kMaxCanvas = 1024;
constexpr int kPositionTries = 100;  // per digit
constexpr int kSceneTries = 100;     // per scene, each with fresh digits

// A digit on the canvas: its index in the file, its patch (distorted or as in the file), the box
// of its ink in the patch, and that box moved to the canvas.
struct Placed {
  int64_t digit;
  std::vector<uint8_t> patch;
  Box ink, box;
};

std::string text(int64_t value) { return std::to_string(value); }

// Uniform in [low, high]; the modulo's bias, (high - low + 1) / 2^64, is negligible.
int64_t uniform_int(Generator& generator, int64_t low, int64_t high) {
  return low + static_cast<int64_t>(generator.next_u64() % static_cast<uint64_t>(high - low + 1));
}

// The most centres that fit on the canvas min_centre_gap apart: a centre lies in [0.5, canvas -
// 0.5], a stretch of canvas - 1 pixels.
int64_t most_digits(const DigitSceneOptions& options) {
  return (options.canvas - 1) / options.min_centre_gap + 1;
}

void check_options(const DigitSceneOptions& options) {
  check(options.canvas >= 1 && options.canvas <= kMaxCanvas, kOp,
        "canvas must be 1..1024 pixels wide, got " + text(options.canvas));
  check(options.min_centre_gap >= 1, kOp,
        "min_centre_gap must be at least 1 pixel, got " + text(options.min_centre_gap));
  check(options.min_digits >= 1 && options.min_digits <= options.max_digits, kOp,
        "digits per scene must satisfy 1 <= min_digits <= max_digits, got " +
            text(options.min_digits) + ".." + text(options.max_digits));
  check(options.max_digits <= most_digits(options), kOp,
        "a " + text(options.canvas) + "-pixel canvas holds at most " + text(most_digits(options)) +
            " centres " + text(options.min_centre_gap) + " pixels apart, max_digits is " +
            text(options.max_digits));
  const DigitDistortion& d = options.distortion;
  check(d.degrees >= 0 && d.degrees <= 45 && d.scale >= 0 && d.scale <= 0.5 && d.shear >= 0 &&
            d.shear <= 1 && d.elastic >= 0 && d.elastic <= 60,
        kOp,
        "a distortion needs 0..45 degrees, a scale change of 0..0.5, a shear of 0..1 and an "
        "elastic alpha of 0..60");
}

void check_digits(const IdxImages& digits, const std::vector<uint8_t>& labels,
                  const DigitSceneOptions& options) {
  check(digits.rows >= 1 && digits.cols >= 1 && digits.rows <= options.canvas &&
            digits.cols <= options.canvas,
        kOp,
        "digits of " + text(digits.rows) + "x" + text(digits.cols) + " do not fit a canvas of " +
            text(options.canvas) + "x" + text(options.canvas));
  const auto patch = static_cast<size_t>(digits.rows * digits.cols);  // <= 1024^2, no overflow
  check(digits.count >= 0 && static_cast<size_t>(digits.count) <= digits.pixels.size() / patch &&
            digits.pixels.size() == static_cast<size_t>(digits.count) * patch,
        kOp,
        "images say " + text(digits.count) + " digits of " + text(digits.rows) + "x" +
            text(digits.cols) + " but hold " + text(static_cast<int64_t>(digits.pixels.size())) +
            " bytes");
  check(labels.size() == static_cast<size_t>(digits.count), kOp,
        text(static_cast<int64_t>(labels.size())) + " labels for " + text(digits.count) +
            " digits");
  for (size_t i = 0; i < labels.size(); ++i)
    check(labels[i] <= 9, kOp,
          "label " + text(static_cast<int64_t>(i)) + " is " + text(labels[i]) + ", not 0..9");
}

void check_pool(const DigitPool& pool, int64_t digit_count, const DigitSceneOptions& options) {
  check(!pool.empty(), kOp, "the pool of digits is empty");
  for (int64_t digit : pool)
    check(digit >= 0 && digit < digit_count, kOp,
          "digit " + text(digit) + " of the pool is not one of the " + text(digit_count) + " digits");
  check(options.max_digits <= static_cast<int64_t>(pool.size()), kOp,
        "max_digits " + text(options.max_digits) + " is more than the " +
            text(static_cast<int64_t>(pool.size())) + " digits of the pool");
}

// Digit `index`'s patch, distorted when asked.
std::vector<uint8_t> patch_of(const IdxImages& digits, int64_t index,
                              const DigitDistortion& distortion, Generator& generator) {
  const uint8_t* patch = digits.image(index);
  if (distortion.none()) return {patch, patch + digits.rows * digits.cols};
  return distort_digit(patch, digits.rows, digits.cols, distortion, generator);
}

// The tight box of the pixels above 0 of digit `index`'s `patch`.
Box ink_box(const std::vector<uint8_t>& patch, const IdxImages& digits, int64_t index) {
  int64_t top = digits.rows, bottom = -1, left = digits.cols, right = -1;
  for (int64_t y = 0; y < digits.rows; ++y)
    for (int64_t x = 0; x < digits.cols; ++x)
      if (patch[static_cast<size_t>(y * digits.cols + x)] > 0) {
        top = std::min(top, y), bottom = std::max(bottom, y);
        left = std::min(left, x), right = std::max(right, x);
      }
  check(bottom >= 0, kOp, "digit " + text(index) + " has no ink, every pixel is 0");
  return {top, left, bottom - top + 1, right - left + 1};
}

// Whether `box` overlaps no placed box and its centre is at least `gap` from theirs. Centres
// are doubled, 2 * left + width, to stay in integers.
bool fits(const Box& box, const std::vector<Placed>& placed, int64_t gap) {
  for (const Placed& other : placed) {
    const int64_t apart = (2 * box.left + box.width) - (2 * other.box.left + other.box.width);
    if (box.overlaps(other.box) || std::abs(apart) < 2 * gap) return false;
  }
  return true;
}

// min_digits..max_digits distinct digits of the pool, placed; empty when one found no place.
std::vector<Placed> try_scene(const IdxImages& digits, const DigitPool& pool,
                              const DigitSceneOptions& options, Generator& generator) {
  const int64_t count = uniform_int(generator, options.min_digits, options.max_digits);
  std::vector<Placed> placed;
  while (static_cast<int64_t>(placed.size()) < count) {
    const int64_t digit = pool[static_cast<size_t>(uniform_int(generator, 0, std::ssize(pool) - 1))];
    auto same = [&](const Placed& other) { return other.digit == digit; };
    if (std::any_of(placed.begin(), placed.end(), same)) continue;  // each digit once at most
    std::vector<uint8_t> patch = patch_of(digits, digit, options.distortion, generator);
    const Box ink = ink_box(patch, digits, digit);
    Box box = ink;
    int tries = 0;
    do {
      if (++tries > kPositionTries) return {};
      box.top = uniform_int(generator, 0, options.canvas - box.height);
      box.left = uniform_int(generator, 0, options.canvas - box.width);
    } while (!fits(box, placed, options.min_centre_gap));
    placed.push_back({digit, std::move(patch), ink, box});
  }
  return placed;
}

// The canvas, caption and boxes of placed digits, in reading order.
Scene compose(std::vector<Placed> placed, const IdxImages& digits,
              const std::vector<uint8_t>& labels, int64_t canvas) {
  std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
    return 2 * a.box.left + a.box.width < 2 * b.box.left + b.box.width;
  });
  Scene scene;
  scene.image = Image(1, canvas, canvas);
  for (const Placed& p : placed) {
    for (int64_t y = 0; y < p.ink.height; ++y)
      for (int64_t x = 0; x < p.ink.width; ++x) {
        float& pixel = scene.image.at(0, p.box.top + y, p.box.left + x);
        const uint8_t byte = p.patch[static_cast<size_t>((p.ink.top + y) * digits.cols + p.ink.left + x)];
        pixel = std::max(pixel, static_cast<float>(byte) / 255.0f);
      }
    scene.names.push_back(static_cast<int64_t>(scene.objects.size()));
    scene.caption.push_back(std::to_string(labels[p.digit]));
    scene.objects.push_back(p.box);
    scene.sources.push_back(p.digit);
  }
  return scene;
}

}  // namespace

DigitPool digit_range(int64_t first, int64_t last) {
  DigitPool pool;
  for (int64_t digit = first; digit < last; ++digit) pool.push_back(digit);
  return pool;
}

DigitSplit default_digit_split(int64_t count) {
  DigitSplit split;
  for (int64_t digit = 0; digit < count; ++digit) {
    DigitPool& part = digit % 10 == 8 ? split.valid : digit % 10 == 9 ? split.test : split.train;
    part.push_back(digit);
  }
  return split;
}

DigitSceneMaker::DigitSceneMaker(const IdxImages& digits, const std::vector<uint8_t>& labels,
                                 DigitPool pool, const DigitSceneOptions& options)
    : digits_(digits), labels_(labels), pool_(std::move(pool)), options_(options) {
  check_options(options);
  check_digits(digits, labels, options);
  check_pool(pool_, digits.count, options);
}

Scene DigitSceneMaker::scene(Generator& generator) const {
  std::vector<Placed> placed;
  for (int tries = 0; placed.empty(); ++tries) {
    check(tries < kSceneTries, kOp,
          "could not place " + text(options_.min_digits) + ".." + text(options_.max_digits) +
              " digits on a " + text(options_.canvas) + "x" + text(options_.canvas) + " canvas in " +
              text(kSceneTries) + " tries; use a larger canvas or fewer digits");
    placed = try_scene(digits_, pool_, options_, generator);
  }
  return compose(std::move(placed), digits_, labels_, options_.canvas);
}

std::vector<Scene> digit_scenes(const IdxImages& digits, const std::vector<uint8_t>& labels,
                                const DigitPool& pool, int64_t count, uint64_t seed,
                                const DigitSceneOptions& options) {
  check(count >= 0, kOp, "the count of scenes must not be negative, got " + text(count));
  const DigitSceneMaker maker(digits, labels, pool, options);
  Generator generator(seed);
  std::vector<Scene> scenes;
  for (int64_t i = 0; i < count; ++i) scenes.push_back(maker.scene(generator));
  return scenes;
}

}  // namespace attn
