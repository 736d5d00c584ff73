// Max and average pooling over K x K windows (see pool2d.h). Each image plane [H, W] is pooled
// on its own, so planes are spread over the thread pool; nothing is summed across planes.
#include "tensor/pool2d.h"

#include <limits>
#include <string>

#include "tensor/error.h"
#include "tensor/thread_pool.h"

namespace attn {

namespace {

// Planes per parallel chunk: a plane is a few hundred operations.
constexpr int64_t kPlanesPerChunk = 16;

struct PoolShape {
  int64_t planes;  // B C
  int64_t H, W, Ho, Wo;
  int64_t K, s;
};

PoolShape checked_shape(const Shape& x_shape, const Pool2dOptions& options, const char* op) {
  const int64_t K = options.kernel, s = options.stride == 0 ? options.kernel : options.stride;
  check(x_shape.size() == 4, op, [&] { return "needs x [B, C, H, W], got " + to_string(x_shape); });
  check(K >= 1 && s >= 1, op, [&] {
    return "kernel and stride must be at least 1, got " + std::to_string(K) + " and " +
           std::to_string(s);
  });
  check(K <= x_shape[2] && K <= x_shape[3], op, [&] {
    return "a " + std::to_string(K) + "x" + std::to_string(K) + " window does not fit in x " +
           to_string(x_shape);
  });
  return {x_shape[0] * x_shape[1], x_shape[2], x_shape[3], (x_shape[2] - K) / s + 1,
          (x_shape[3] - K) / s + 1, K, s};
}

// Runs plane(n) for every image plane n, spread over the threads.
template <typename Plane>
void for_each_plane(int64_t planes, Plane plane) {
  parallel_for(planes, kPlanesPerChunk, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) plane(n);
  });
}

void check_grad(const Tensor& grad_y, const Shape& x_shape, const PoolShape& p, const char* op) {
  const Shape expected = {x_shape[0], x_shape[1], p.Ho, p.Wo};
  check(grad_y.shape() == expected, op, [&] {
    return "grad_y must be " + to_string(expected) + ", got " + to_string(grad_y.shape());
  });
}

}  // namespace

MaxPool2dForward max_pool2d_forward(const Tensor& x_in, const Pool2dOptions& options) {
  const PoolShape p = checked_shape(x_in.shape(), options, "max_pool2d");
  check(p.H * p.W <= std::numeric_limits<int32_t>::max(), "max_pool2d",
        [&] { return "planes of " + std::to_string(p.H * p.W) + " pixels are too large"; });
  const Tensor x = x_in.contiguous();
  MaxPool2dForward out{Tensor::empty({x.size(0), x.size(1), p.Ho, p.Wo}),
                       std::vector<int32_t>(static_cast<size_t>(p.planes * p.Ho * p.Wo))};
  const real* input = x.data();
  real* y = out.y.data();
  for_each_plane(p.planes, [&](int64_t n) {
    const real* plane = input + n * p.H * p.W;
    for (int64_t i = 0; i < p.Ho; ++i)
      for (int64_t j = 0; j < p.Wo; ++j) {
        int64_t best = i * p.s * p.W + j * p.s;
        for (int64_t a = 0; a < p.K; ++a)
          for (int64_t b = 0; b < p.K; ++b) {
            const int64_t at = (i * p.s + a) * p.W + j * p.s + b;
            if (plane[at] > plane[best]) best = at;  // strict: the first maximum wins ties
          }
        const int64_t o = (n * p.Ho + i) * p.Wo + j;
        y[o] = plane[best];
        out.argmax[static_cast<size_t>(o)] = static_cast<int32_t>(best);
      }
  });
  return out;
}

Tensor max_pool2d_backward(const Tensor& grad_y_in, const std::vector<int32_t>& argmax,
                           const Shape& x_shape) {
  check(x_shape.size() == 4, "max_pool2d backward",
        [&] { return "needs x [B, C, H, W], got " + to_string(x_shape); });
  const Tensor g = grad_y_in.contiguous();
  check(g.ndim() == 4 && g.size(0) == x_shape[0] && g.size(1) == x_shape[1] &&
            static_cast<size_t>(g.numel()) == argmax.size(),
        "max_pool2d backward", [&] {
          return "grad_y " + to_string(g.shape()) + " does not match x " + to_string(x_shape);
        });
  Tensor dx = Tensor::zeros(x_shape);
  const int64_t plane_in = x_shape[2] * x_shape[3], plane_out = g.size(2) * g.size(3);
  const real* grad = g.data();
  real* dx_all = dx.data();
  for_each_plane(x_shape[0] * x_shape[1], [&](int64_t n) {
    real* d = dx_all + n * plane_in;
    for (int64_t o = n * plane_out; o < (n + 1) * plane_out; ++o)
      d[argmax[static_cast<size_t>(o)]] += grad[o];
  });
  return dx;
}

Tensor avg_pool2d_forward(const Tensor& x_in, const Pool2dOptions& options) {
  const PoolShape p = checked_shape(x_in.shape(), options, "avg_pool2d");
  const Tensor x = x_in.contiguous();
  Tensor y = Tensor::empty({x.size(0), x.size(1), p.Ho, p.Wo});
  const real area = static_cast<real>(p.K * p.K);
  const real* input = x.data();
  real* output = y.data();
  for_each_plane(p.planes, [&](int64_t n) {
    const real* plane = input + n * p.H * p.W;
    for (int64_t i = 0; i < p.Ho; ++i)
      for (int64_t j = 0; j < p.Wo; ++j) {
        real total = 0;
        for (int64_t a = 0; a < p.K; ++a)
          for (int64_t b = 0; b < p.K; ++b) total += plane[(i * p.s + a) * p.W + j * p.s + b];
        output[(n * p.Ho + i) * p.Wo + j] = total / area;
      }
  });
  return y;
}

Tensor avg_pool2d_backward(const Tensor& grad_y_in, const Shape& x_shape,
                           const Pool2dOptions& options) {
  const PoolShape p = checked_shape(x_shape, options, "avg_pool2d backward");
  check_grad(grad_y_in, x_shape, p, "avg_pool2d backward");
  const Tensor g = grad_y_in.contiguous();
  Tensor dx = Tensor::zeros(x_shape);
  const real area = static_cast<real>(p.K * p.K);
  const real* grad = g.data();
  real* dx_all = dx.data();
  for_each_plane(p.planes, [&](int64_t n) {
    real* d = dx_all + n * p.H * p.W;
    for (int64_t i = 0; i < p.Ho; ++i)
      for (int64_t j = 0; j < p.Wo; ++j) {
        const real share = grad[(n * p.Ho + i) * p.Wo + j] / area;
        for (int64_t a = 0; a < p.K; ++a)
          for (int64_t b = 0; b < p.K; ++b) d[(i * p.s + a) * p.W + j * p.s + b] += share;
      }
  });
  return dx;
}

}  // namespace attn
