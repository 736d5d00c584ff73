// Conv2d: a learned convolution (see conv2d.h).
#include "nn/vision/conv2d.h"

#include <cmath>
#include <string>

#include "tensor/error.h"

namespace attn {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel, Generator& generator,
               const Conv2dOptions& options)
    : options_(options) {
  check(in_channels > 0 && out_channels > 0 && kernel > 0, "Conv2d", [&] {
    return "channels and kernel must be positive, got in " + std::to_string(in_channels) +
           ", out " + std::to_string(out_channels) + ", kernel " + std::to_string(kernel);
  });
  const real k = real(1 / std::sqrt(double(in_channels * kernel * kernel)));
  weight = register_parameter(
      "weight", uniform({out_channels, in_channels, kernel, kernel}, -k, k, generator));
  bias = register_parameter("bias", uniform({out_channels}, -k, k, generator));
}

Variable Conv2d::forward(const Variable& x) const { return conv2d(x, weight, bias, options_); }

}  // namespace attn
