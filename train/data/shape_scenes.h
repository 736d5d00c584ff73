// A generator of captioned scenes of two coloured shapes, for captioning with attention in the
// manner of Xu et al. 2015, "Show, Attend and Tell" (§4: the model attends to a part of the
// image for each word it says). Every scene knows which object each caption word names, so the
// attention can be checked: when the model says "circle", does it look at the circle?
//
// A scene is a black RGB canvas (32x32 by default) with two filled shapes whose boxes do not
// overlap, and one caption from one template:
//
//   a <size> <colour> <shape> <relation> a <size> <colour> <shape>
//
//   size      small, large         side canvas/4 and canvas*7/16 (8 and 14 pixels at 32x32)
//   colour    red, green, blue, yellow, magenta, cyan, white
//   shape     circle, square, triangle (apex up)
//   relation  above, left of                      ("left of" is two words)
//
// "a large red circle above a small yellow square" on a 32x32 canvas, one character per 2x2
// pixels (R red, Y yellow, . black); the circle's box is rows 5..18, columns 6..19, the
// square's rows 23..30, columns 14..21:
//
//   . . . . . . . . . . . . . . . .
//   . . . . . . . . . . . . . . . .      words  a  large red circle above  a  small yellow square
//   . . . . . R R R . . . . . . . .      names  -1   0    0    0     -1   -1    1     1      1
//   . . . . R R R R R . . . . . . .
//   . . . R R R R R R R . . . . . .      Each object's box is the tight box of its pixels; the
//   . . . R R R R R R R . . . . . .      size, colour and shape words name their object,
//   . . . R R R R R R R . . . . . .      "a" and the relation's words name nothing (-1).
//   . . . R R R R R R R . . . . . .
//   . . . . R R R R R . . . . . . .
//   . . . . . R R R . . . . . . . .
//   . . . . . . . . . . . . . . . .
//   . . . . . . . Y Y Y Y . . . . .
//   . . . . . . . Y Y Y Y . . . . .
//   . . . . . . . Y Y Y Y . . . . .
//   . . . . . . . Y Y Y Y . . . . .
//   . . . . . . . Y Y Y Y . . . . .
//
// The relation is drawn first and the objects placed so that it, and no other, holds:
//   A above B: A's box ends at least `gap` rows before B's begins (gap = max(2, canvas/16)),
//              and the two boxes share at least one column (so neither is left of the other);
//   A left of B: the same with rows and columns swapped.
// The caption names the objects in reading order, the upper (or left) one first: "below" and
// "right of" would describe the same image with the objects swapped, and a captioner cannot
// know which of two true captions a generator happened to pick, so each image has one caption.
//
// Held-out combinations test systematic generalisation: a list of colour-shape pairs such as
// "red triangle" that training never shows, although every colour and every shape appears in
// other pairs. The mode picks scenes without them (to train), with at least one (to test
// generalisation), or any.
//
// Pixels are 0 or 1 in each channel. A pixel of a shape of side s, at row y and column x of its
// box, is inked when the middle of the pixel lies in the shape (for the triangle, the middle of
// its lower edge, so that the apex row is inked); doubled, so that all arithmetic is integer:
//   circle    (2x + 1 - s)^2 + (2y + 1 - s)^2 <= s^2    centre (s/2, s/2), radius s/2
//   square    always
//   triangle  |2x + 1 - s| <= y + 1                     apex (s/2, 0), base the row y = s
// so every shape touches all four sides of its box. Seeded: the same seed and options give the
// same scenes, byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/random.h"
#include "train/io/image.h"

namespace attn {

enum class HeldOutMode {
  seen_only,  // no object uses a held-out combination: the training scenes
  held_out,   // at least one object uses one: the test of generalisation
  any,        // no constraint
};

struct ShapeSceneOptions {
  int64_t canvas = 32;  // height and width in pixels, 16..1024
  // "<colour> <shape>" pairs kept out of training. The default holds out one pairing of each
  // shape and each primary colour, and every colour and shape still appears in others.
  std::vector<std::string> held_out = {"red triangle", "green circle", "blue square"};
  HeldOutMode mode = HeldOutMode::seen_only;
};

// Every word a caption can use: "a", the sizes, colours, shapes, then "above", "left", "of".
std::vector<std::string> shape_scene_vocabulary();

// One scene, drawing from `generator`.
Scene shape_scene(Generator& generator, const ShapeSceneOptions& options);
// `count` scenes from a generator seeded with `seed`.
std::vector<Scene> shape_scenes(int64_t count, uint64_t seed, const ShapeSceneOptions& options);

}  // namespace attn
