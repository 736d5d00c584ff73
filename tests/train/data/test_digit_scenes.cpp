// The digit-scene generator (train/data/digit_scenes.h), on digits drawn here: each patch holds
// one rectangle of ink whose byte value is the digit's index + 1, so a scene shows which digits
// it used. Captions are the labels read left to right, boxes are tight and apart, digits come
// only from the range, a seed gives the same scenes, and bad input is an error saying why.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "tensor/error.h"
#include "train/data/digit_scenes.h"

using namespace attn;

namespace {

// The ink rectangle of patch `i`, from 12x4 to 20x15, somewhere inside its 28x28 patch.
Box blob(int64_t i) { return {2 + i % 5, 3 + i % 9, 12 + i % 9, 4 + i % 12}; }
uint8_t label_of(int64_t i) { return static_cast<uint8_t>((i * 7 + 3) % 10); }

// `count` 28x28 patches, patch i a rectangle blob(i) of value i + 1, and their labels.
IdxImages blob_digits(int64_t count) {
  IdxImages digits{count, 28, 28, std::vector<uint8_t>(static_cast<size_t>(count * 28 * 28), 0)};
  for (int64_t i = 0; i < count; ++i) {
    const Box box = blob(i);
    for (int64_t y = box.top; y < box.top + box.height; ++y)
      for (int64_t x = box.left; x < box.left + box.width; ++x)
        digits.pixels[static_cast<size_t>((i * 28 + y) * 28 + x)] = static_cast<uint8_t>(i + 1);
  }
  return digits;
}

std::vector<uint8_t> blob_labels(int64_t count) {
  std::vector<uint8_t> labels;
  for (int64_t i = 0; i < count; ++i) labels.push_back(label_of(i));
  return labels;
}

// The index of the digit drawn in `box`, read back from its pixel value.
int64_t digit_in(const Scene& scene, const Box& box) {
  return std::lround(scene.image.at(0, box.top, box.left) * 255.0f) - 1;
}

// The digits each scene used, after checking everything a scene promises.
std::vector<std::vector<int64_t>> check_scenes(const std::vector<Scene>& scenes,
                                               const DigitSceneOptions& options) {
  std::vector<std::vector<int64_t>> used;
  for (const Scene& scene : scenes) {
    const int64_t n = static_cast<int64_t>(scene.objects.size());
    CHECK((n >= options.min_digits && n <= options.max_digits));
    REQUIRE(scene.caption.size() == scene.objects.size());
    REQUIRE(scene.sources.size() == scene.objects.size());
    CHECK(scene.image.channels == 1);
    CHECK(scene.image.height == options.canvas);
    CHECK(scene.image.width == options.canvas);
    std::vector<int64_t> digits;
    for (int64_t k = 0; k < n; ++k) {
      const Box& box = scene.objects[k];
      CHECK(scene.names[k] == k);
      CHECK((box.top >= 0 && box.left >= 0 && box.top + box.height <= options.canvas &&
             box.left + box.width <= options.canvas));
      const int64_t digit = digit_in(scene, box);
      digits.push_back(digit);
      CHECK(scene.sources[k] == digit);
      CHECK(scene.caption[k] == std::to_string(label_of(digit)));
      CHECK(box.height == blob(digit).height);  // tight around the blob
      CHECK(box.width == blob(digit).width);
      if (k > 0) {  // read left to right, centres at least min_centre_gap apart
        const Box& left = scene.objects[k - 1];
        CHECK((2 * box.left + box.width) - (2 * left.left + left.width) >=
              2 * options.min_centre_gap);
      }
      for (int64_t j = 0; j < k; ++j) CHECK_FALSE(box.overlaps(scene.objects[j]));
    }
    CHECK(std::set<int64_t>(digits.begin(), digits.end()).size() == digits.size());
    for (int64_t y = 0; y < options.canvas; ++y)  // ink inside a box is its digit, outside none
      for (int64_t x = 0; x < options.canvas; ++x) {
        float expected = 0.0f;
        for (int64_t k = 0; k < n; ++k)
          if (scene.objects[k].contains(y, x)) expected = static_cast<float>(digits[k] + 1) / 255;
        CHECK(scene.image.at(0, y, x) == expected);
      }
    used.push_back(digits);
  }
  return used;
}

}  // namespace

TEST_CASE("digit_scenes: captions are the labels read left to right, each naming a tight box") {
  const IdxImages digits = blob_digits(40);
  const DigitSceneOptions options;  // 2..4 digits on 64x64, centres 4 pixels apart
  const auto scenes = digit_scenes(digits, blob_labels(40), digit_range(0, 40), 150, 1, options);
  REQUIRE(scenes.size() == 150);
  std::set<size_t> sizes;
  for (const auto& used : check_scenes(scenes, options)) sizes.insert(used.size());
  CHECK(sizes == std::set<size_t>{2, 3, 4});
}

TEST_CASE("digit_scenes: digits come only from the pool, and all of it") {
  const IdxImages digits = blob_digits(40);
  DigitSceneOptions options;
  options.canvas = 48;
  options.min_digits = options.max_digits = 3;
  const auto scenes = digit_scenes(digits, blob_labels(40), digit_range(10, 20), 100, 2, options);
  std::set<int64_t> seen;
  for (const auto& used : check_scenes(scenes, options)) seen.insert(used.begin(), used.end());
  CHECK(seen == std::set<int64_t>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19});
}

TEST_CASE("digit_scenes: the same seed gives the same scenes, another seed others") {
  const IdxImages digits = blob_digits(30);
  const auto labels = blob_labels(30);
  const auto first = digit_scenes(digits, labels, digit_range(0, 30), 30, 5);
  const auto again = digit_scenes(digits, labels, digit_range(0, 30), 30, 5);
  const auto other = digit_scenes(digits, labels, digit_range(0, 30), 30, 6);
  int differ = 0;
  for (size_t i = 0; i < first.size(); ++i) {
    CHECK(first[i].image == again[i].image);
    CHECK(first[i].caption == again[i].caption);
    CHECK(first[i].objects == again[i].objects);
    CHECK(first[i].names == again[i].names);
    differ += first[i].image != other[i].image;
  }
  CHECK(differ >= 25);
}

TEST_CASE("digit_scenes: the tight box takes in the faintest ink, hand-checked") {
  // Ink 255 at row 4, column 6 and 1 at row 10, column 9: the box is rows 4..10, columns 6..9.
  IdxImages digits{1, 28, 28, std::vector<uint8_t>(28 * 28, 0)};
  digits.pixels[4 * 28 + 6] = 255;
  digits.pixels[10 * 28 + 9] = 1;
  DigitSceneOptions options;
  options.canvas = 28;
  options.min_digits = options.max_digits = 1;
  const Scene scene = digit_scenes(digits, {8}, digit_range(0, 1), 1, 3, options).at(0);
  CHECK(scene.caption == std::vector<std::string>{"8"});
  CHECK(scene.names == std::vector<int64_t>{0});
  REQUIRE(scene.objects.size() == 1);
  const Box& box = scene.objects[0];
  CHECK(box.height == 7);
  CHECK(box.width == 4);
  CHECK(scene.image.at(0, box.top, box.left) == 1.0f);
  CHECK(scene.image.at(0, box.top + 6, box.left + 3) == 1.0f / 255);
  int inked = 0;
  for (float value : scene.image.pixels) inked += value > 0;
  CHECK(inked == 2);
}

TEST_CASE("digit_scenes: the default split gives training, validation and test disjoint digits") {
  const DigitSplit split = default_digit_split(25);  // by index mod 10: 8 validates, 9 tests
  CHECK(split.valid == DigitPool{8, 18});
  CHECK(split.test == DigitPool{9, 19});
  CHECK(split.train == DigitPool{0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24});
}

TEST_CASE("digit_scenes: a canvas too small for its digits fails, the same way every time") {
  IdxImages full{2, 28, 28, std::vector<uint8_t>(2 * 28 * 28, 200)};  // ink to the edges
  DigitSceneOptions options;
  options.canvas = 28;
  options.min_digits = options.max_digits = 2;
  CHECK_THROWS_WITH_AS(digit_scenes(full, {1, 2}, digit_range(0, 2), 1, 0, options),
                       "digit_scenes: could not place 2..2 digits on a 28x28 canvas in 100 "
                       "tries; use a larger canvas or fewer digits",
                       Error);
}

TEST_CASE("digit_scenes: bad input is an error naming the values") {
  const IdxImages digits = blob_digits(10);
  const auto labels = blob_labels(10);
  const DigitPool all = digit_range(0, 10);
  auto message = [&](const IdxImages& images, const std::vector<uint8_t>& with_labels,
                     const DigitPool& pool, const DigitSceneOptions& options, int64_t count = 1) {
    try {
      digit_scenes(images, with_labels, pool, count, 0, options);
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(message(digits, {1, 2, 3}, all, {}) == "digit_scenes: 3 labels for 10 digits");
  auto bad_label = labels;
  bad_label[7] = 10;
  CHECK(message(digits, bad_label, all, {}) == "digit_scenes: label 7 is 10, not 0..9");
  CHECK(message(digits, labels, digit_range(0, 11), {}) ==
        "digit_scenes: digit 10 of the pool is not one of the 10 digits");
  CHECK(message(digits, labels, {}, {}) == "digit_scenes: the pool of digits is empty");
  CHECK(message(digits, labels, {-1, 3}, {}) ==
        "digit_scenes: digit -1 of the pool is not one of the 10 digits");
  CHECK(message(digits, labels, digit_range(0, 3), {}) ==
        "digit_scenes: max_digits 4 is more than the 3 digits of the pool");
  CHECK(message(digits, labels, all, {}, -2) ==
        "digit_scenes: the count of scenes must not be negative, got -2");

  DigitSceneOptions options;
  options.canvas = 20;
  CHECK(message(digits, labels, all, options) ==
        "digit_scenes: digits of 28x28 do not fit a canvas of 20x20");
  options = {};
  options.canvas = 2000;
  CHECK(message(digits, labels, all, options) ==
        "digit_scenes: canvas must be 1..1024 pixels wide, got 2000");
  options = {};
  options.min_digits = 0;
  CHECK(message(digits, labels, all, options) ==
        "digit_scenes: digits per scene must satisfy 1 <= min_digits <= max_digits, got 0..4");
  options.min_digits = 5;
  CHECK(message(digits, labels, all, options) ==
        "digit_scenes: digits per scene must satisfy 1 <= min_digits <= max_digits, got 5..4");
  options = {};
  options.min_centre_gap = 30;  // centres in a 64-pixel canvas, 30 apart: 0.5, 30.5, 60.5
  CHECK(message(digits, labels, all, options) ==
        "digit_scenes: a 64-pixel canvas holds at most 3 centres 30 pixels apart, max_digits is 4");
  options.min_centre_gap = 0;
  CHECK(message(digits, labels, all, options) ==
        "digit_scenes: min_centre_gap must be at least 1 pixel, got 0");

  IdxImages short_pixels = digits;
  short_pixels.pixels.pop_back();
  CHECK(message(short_pixels, labels, all, {}) ==
        "digit_scenes: images say 10 digits of 28x28 but hold 7839 bytes");
  IdxImages too_many = digits;
  too_many.count = int64_t{1} << 60;  // count * 784 would overflow
  CHECK(message(too_many, labels, all, {}) ==
        "digit_scenes: images say 1152921504606846976 digits of 28x28 but hold 7840 bytes");
  IdxImages blank = digits;
  std::fill(blank.pixels.begin() + 3 * 28 * 28, blank.pixels.begin() + 4 * 28 * 28, 0);
  options = {};
  options.min_digits = options.max_digits = 1;
  CHECK(message(blank, labels, {3, 4}, options) ==
        "digit_scenes: digit 3 has no ink, every pixel is 0");
}
