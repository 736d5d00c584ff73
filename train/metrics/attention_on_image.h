// Attention over an image, measured: how much of it lies on the object a word names.
//
// A captioning model attends over a grid of h x w feature cells (Xu et al. 2015, "Show, Attend
// and Tell", §3.1.2: the 14 x 14 annotation vectors a_i of a convolutional layer), not over the
// image's H x W pixels. To draw that attention on the image, or to compare it with an object's
// bounding box, each cell's weight is spread over the pixels the cell covers:
//
//   cell of pixel (y, x) = (y * h / H, x * w / W)        (integer division)
//   map[y, x] = alpha[cell] / (number of pixels in that cell)
//
// so the map's sum equals the weights' sum, and uneven divisions are exact: with H = 8, h = 3,
// the rows fall in cells 0 0 0 1 1 1 2 2 (sizes 3, 3, 2), and a third-row cell's weight is
// divided by 2 rows, not by 8 / 3.
//
//   ASCII, h = w = 2 over a 4 x 4 image, alpha = [0.1 0.2; 0.3 0.4]:
//     .025 .025 .05 .05
//     .025 .025 .05 .05       each cell's weight over its 4 pixels
//     .075 .075 .1  .1
//     .075 .075 .1  .1
//
// Attention correctness (Liu et al. 2017, "Attention Correctness in Neural Image Captioning",
// §3): the share of the attention mass inside the region R of the object the word names,
//
//   correctness = sum_{(y,x) in R} map[y, x] / sum_{(y,x)} map[y, x]
//
// 1 when all attention lies on the object. Attention spread evenly over the image scores
// |R| / (H W), the reference it is compared against: a small object is hard to hit by chance.
#pragma once

#include <cstdint>
#include <vector>

#include "train/io/image.h"

namespace attn {

// The map [H, W] (row-major) of `weights` [h, w] (row-major, each finite and >= 0) spread over
// an image of H x W pixels. Throws naming the sizes when there are not h * w weights, or when the
// grid does not fit in the image (1 <= h <= H, 1 <= w <= W, sides below 2^31).
std::vector<double> upsample_attention(const std::vector<double>& weights, int64_t grid_height,
                                       int64_t grid_width, int64_t image_height,
                                       int64_t image_width);

// The share of the attention mass that falls inside `box` (clipped to the image): in [0, 1].
// Throws as upsample_attention does, and when the weights sum to 0.
double attention_in_box(const std::vector<double>& weights, int64_t grid_height,
                        int64_t grid_width, int64_t image_height, int64_t image_width,
                        const Box& box);

// What attention spread evenly over the image would score: the box's area clipped to the image
// over the image's area.
double uniform_attention_in_box(int64_t image_height, int64_t image_width, const Box& box);

}  // namespace attn
