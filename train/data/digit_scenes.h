// Captioned scenes of handwritten digits, for captioning with attention in the manner of Xu et
// al. 2015, "Show, Attend and Tell" (§4): real MNIST digits (LeCun et al. 1998, read by
// train/io/idx.h) scattered on a grey canvas, and the caption the digits read left to right.
// Each caption word names its digit, whose box says where the attention should fall.
//
//   64x64 canvas                          caption  "7"  "3"  "9"
//   +--------------------------------+    names     0    1    2
//   |   +---+                        |
//   |   | 7 |             +----+     |    objects in caption order: the tight boxes of the
//   |   +---+             | 9  |     |    digits' ink, left to right by their centres
//   |           +----+    +----+     |
//   |           | 3  |               |
//   |           +----+               |
//   +--------------------------------+
//
// A scene holds min_digits..max_digits digits (uniformly many), distinct digits of a pool of
// the file's digits (their indices), so that training, validation and test scenes can draw on
// disjoint digits (the default split below). A digit's box is the tight box of its ink, every pixel
// above 0: MNIST's faint anti-aliased edges count, so that boxes that do not overlap mean no
// two digits ever touch the same pixel, and the canvas inside a box is exactly that digit. A
// digit without ink, drawn for a scene, is an error (MNIST has none).
//
// Placement, by rejection: each digit's box goes to a uniformly random position inside the
// canvas, again until it overlaps no box placed before and its centre lies at least
// min_centre_gap pixels left or right of every other centre (the reading order is then
// unambiguous); 100 positions per digit. A digit that finds no place restarts the scene with
// fresh digits and positions; after 100 restarts digit_scenes throws, which the seed makes
// deterministic (it needs a canvas too small for its digits, e.g. four 28x28 patches full of
// ink on 64x64). A patch may stick out of the canvas where it has no ink.
//
// Pixels are the digit's bytes / 255 (0 black, 1 full ink) on a 1-channel canvas; the patches
// are composed by the maximum, which is the same as copying each box since boxes never overlap.
// Training scenes may draw every digit distorted (digit_distortion.h); its box is then the
// tight box of the distorted digit's ink. Seeded: the same inputs and seed give the same
// scenes, byte for byte.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/random.h"
#include "train/data/digit_distortion.h"
#include "train/io/image.h"
#include "train/io/idx.h"

namespace attn {

// The digits a scene may use: indices into an IDX file.
using DigitPool = std::vector<int64_t>;

// Digits first .. last - 1.
DigitPool digit_range(int64_t first, int64_t last);

// The default split of a file's N digits by index: i mod 10 = 8 validates, i mod 10 = 9 tests,
// the rest train. By index, not in blocks: a file may be sorted by label (the shared 9,037-digit
// sample is), and a block would hold one or two digit classes. Then no test scene holds a digit
// training saw. (A separate file, such as MNIST's t10k or the sample's held-out digits, can serve
// as the test digits too.)
struct DigitSplit {
  DigitPool train, valid, test;
};
DigitSplit default_digit_split(int64_t count);

struct DigitSceneOptions {
  int64_t canvas = 64;         // height and width in pixels, at least a digit's patch, <= 1024
  int64_t min_digits = 2;      // digits in a scene, uniformly min_digits..max_digits
  int64_t max_digits = 4;      // at most the digits in the range, and what the gap allows
  int64_t min_centre_gap = 4;  // pixels between any two boxes' centres, left to right
  DigitDistortion distortion;  // none: every digit as the file has it
};

// Scenes one at a time, from digits checked once: what an endless source of scenes needs.
class DigitSceneMaker {
 public:
  // Checks the digits, labels, range and options as digit_scenes does. Keeps references:
  // `digits` and `labels` must outlive the maker.
  DigitSceneMaker(const IdxImages& digits, const std::vector<uint8_t>& labels, DigitPool pool,
                  const DigitSceneOptions& options);
  // One scene, drawing from `generator`.
  Scene scene(Generator& generator) const;

 private:
  const IdxImages& digits_;
  const std::vector<uint8_t>& labels_;
  DigitPool pool_;
  DigitSceneOptions options_;
};

// `count` scenes from the digits `pool` of `digits`, whose labels are `labels` (0..9, one per
// digit), drawn by a generator seeded with `seed`.
std::vector<Scene> digit_scenes(const IdxImages& digits, const std::vector<uint8_t>& labels,
                                const DigitPool& pool, int64_t count, uint64_t seed,
                                const DigitSceneOptions& options = {});

}  // namespace attn
