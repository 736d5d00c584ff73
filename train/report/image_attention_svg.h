// Where a captioning model looks: the image, then the image once per generated word with that
// word's attention lit up on it, as SVG (Xu et al. 2015, "Show, Attend and Tell", Figures 2-3).
//
//   +--------+  +--------+  +--------+  +--------+
//   |  the   |  | dimmed |  | dimmed |  | dimmed |     at most 6 panels a row, 128 pixels
//   | image  |  | image, |  | image, |  | image, |     wide, the image scaled up with its
//   |        |  | bright |  | bright |  | bright |     pixels kept square and sharp
//   |        |  | [box]  |  |  where |  |  where |
//   +--------+  +--------+  +--------+  +--------+
//                  "7"         "above"     "3"        the words, one under each panel
//
// A word's panel is the image darkened a little, under a white layer whose opacity is the
// word's attention spread over the pixels (upsample_attention) divided by its largest value:
// the most attended cell is brightest. Both are PNG files inside the SVG (png.h), so the
// picture is one self-contained file. A box per word, when given, is outlined in red: the object
// the word names, where its attention should fall.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/io/image.h"

namespace attn {

// `weights` holds one attention per word, each grid_height * grid_width weights (row-major,
// each >= 0). `boxes` is empty or holds one box per word (a box of height or width 0 outlines
// nothing). Throws naming the mismatch when the counts differ, and as encode_png and
// upsample_attention do for an image or grid they refuse.
std::string image_attention_svg(const Image& image, const std::vector<std::string>& words,
                                const std::vector<std::vector<double>>& weights,
                                int64_t grid_height, int64_t grid_width,
                                const std::string& title, const std::vector<Box>& boxes = {});

}  // namespace attn
