// A small convolutional image encoder (see cnn_encoder.h).
#include "nn/vision/cnn_encoder.h"

#include <string>

#include "autograd/ops.h"
#include "tensor/error.h"

namespace attn {

CnnEncoder::CnnEncoder(int64_t in_channels, const std::vector<int64_t>& channels, int64_t pools,
                       Generator& generator)
    : pools_(pools), width_(channels.empty() ? 0 : channels.back()) {
  check(!channels.empty(), "CnnEncoder", "needs at least one block");
  check(pools >= 0 && pools <= static_cast<int64_t>(channels.size()), "CnnEncoder", [&] {
    return "pools must be in 0.." + std::to_string(channels.size()) + ", got " +
           std::to_string(pools);
  });
  int64_t in = in_channels;
  for (size_t n = 0; n < channels.size(); ++n) {
    blocks_.push_back(std::make_unique<Conv2d>(in, channels[n], 3, generator, Conv2dOptions{1, 1}));
    register_module("block" + std::to_string(n + 1), *blocks_.back());
    in = channels[n];
  }
}

int64_t CnnEncoder::grid_size(int64_t size) const { return size >> pools_; }

Variable CnnEncoder::forward(const Variable& images) const {
  check(images.ndim() == 4 && grid_size(images.size(2)) >= 1 && grid_size(images.size(3)) >= 1,
        "CnnEncoder", [&] {
          return "images must be [B, C, H, W] with H and W at least " +
                 std::to_string(int64_t(1) << pools_) + ", got " + to_string(images.shape());
        });
  Variable x = images;  // [B, C, H, W]
  for (size_t n = 0; n < blocks_.size(); ++n) {
    x = relu(blocks_[n]->forward(x));  // [B, D_n, ., .]: the same size
    if (static_cast<int64_t>(n) < pools_) x = max_pool2d(x);  // half the size
  }                                                            // [B, D, H/2^p, W/2^p]
  const int64_t B = x.size(0), D = x.size(1), L = x.size(2) * x.size(3);
  return transpose(reshape(x, {B, D, L}), 1, 2);  // [B, D, h, w] -> [B, D, L] -> [B, L, D]
}

}  // namespace attn
