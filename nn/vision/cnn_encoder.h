// A small convolutional image encoder: the image as a grid of feature vectors, the memory an
// attention decoder reads.
//
// Xu et al. 2015, "Show, Attend and Tell", §3.1.1: "We use a convolutional neural network in
// order to extract a set of feature vectors which we refer to as annotation vectors ... L
// vectors, each of which is a D-dimensional representation corresponding to a part of the
// image", taken from a lower convolutional layer (not a fully connected one), so that each
// vector keeps where in the image it looked. The paper uses VGG's conv5_4 (14 x 14 x 512), taken
// before VGG's last pooling; a toy image needs only a few blocks, each
//
//   conv 3x3, padding 1 (same size) -> ReLU -> max pool 2x2 (half the size; the first p blocks)
//
//   image [B, C, H, W] -> block 1 -> [B, D_1, H/2, W/2] -> ... -> block n -> [B, D, h, w]
//                      -> one vector per cell: a [B, L, D],  L = h w,  h = H / 2^p, w = W / 2^p
//
// Blocks after the p-th keep the grid's size and widen each cell's view (its receptive field):
// a finer grid for attention to point with, and features that still see a whole digit.
// Cell i = r w + c of the grid covers the image's pixels rows [r H/h, (r+1) H/h) and columns
// [c W/w, (c+1) W/w) (and, through the 3x3 fields, a margin around them): where its attention
// weight is drawn on the image.
#pragma once

#include <memory>
#include <vector>

#include "nn/module.h"
#include "nn/vision/conv2d.h"

namespace attn {

class CnnEncoder : public Module {
 public:
  // channels: each block's output width D_1 .. D_n (the last is D); pools: how many of the
  // blocks, the first ones, end with a 2x2 max pool (0 .. n).
  CnnEncoder(int64_t in_channels, const std::vector<int64_t>& channels, int64_t pools,
             Generator& generator);
  // images [B, C, H, W] -> annotation vectors a [B, L, D], L = h w, row-major over the grid
  Variable forward(const Variable& images) const;

  int64_t width() const { return width_; }  // D
  // The grid's rows (or columns) for an image of `size` rows (or columns): size / 2^p.
  int64_t grid_size(int64_t size) const;

 private:
  std::vector<std::unique_ptr<Conv2d>> blocks_;  // "block1", "block2", ...
  int64_t pools_;
  int64_t width_;
};

}  // namespace attn
