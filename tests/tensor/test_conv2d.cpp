// Convolution and pooling kernels: values computed by hand, the im2col kernel against the
// convolution's definition summed directly, the same numbers for every thread count, and the
// errors. Their gradients are in the autograd table (tests/autograd/test_gradcheck_table.cpp).
#include <doctest/doctest.h>

#include <vector>

#include "tensor/conv2d.h"
#include "tensor/error.h"
#include "tensor/pool2d.h"
#include "tensor/random.h"
#include "tensor/thread_pool.h"
#include "tests/tensor/with_threads.h"

using namespace attn;

namespace {

// The definition in conv2d.h, summed directly in double: the reference twin of im2col + GEMM.
std::vector<double> direct_conv2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                                  const Conv2dOptions& o) {
  const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t O = w.size(0), K = w.size(2), K2 = w.size(3);
  const int64_t Ho = conv_output_size(H, K, o), Wo = conv_output_size(W, K2, o);
  std::vector<double> y;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t out = 0; out < O; ++out)
      for (int64_t i = 0; i < Ho; ++i)
        for (int64_t j = 0; j < Wo; ++j) {
          double total = bias.at({out});
          for (int64_t c = 0; c < C; ++c)
            for (int64_t p = 0; p < K; ++p)
              for (int64_t q = 0; q < K2; ++q) {
                const int64_t yy = i * o.stride - o.padding + p, xx = j * o.stride - o.padding + q;
                if (yy >= 0 && yy < H && xx >= 0 && xx < W)
                  total += double(w.at({out, c, p, q})) * double(x.at({b, c, yy, xx}));
              }
          y.push_back(total);
        }
  return y;
}

Tensor random_tensor(const Shape& shape, uint64_t seed) {
  Generator generator(seed);
  return uniform(shape, -1, 1, generator);
}

}  // namespace

TEST_CASE("conv2d: a 2x2 kernel over a 3x3 image, by hand") {
  // x = 1 2 3     w = 1 0     y[i, j] = x[i, j] - x[i+1, j+1] + 10
  //     4 5 6         0 -1    y = 1-5+10  2-6+10  =  6  6
  //     7 8 9                     4-8+10  5-9+10     6  6
  const Tensor x = Tensor::from_vector({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor w = Tensor::from_vector({1, 1, 2, 2}, {1, 0, 0, -1});
  const Tensor y = conv2d_forward(x, w, Tensor::from_vector({1}, {10}), {});
  CHECK(y.shape() == Shape{1, 1, 2, 2});
  CHECK(y.to_vector() == std::vector<real>{6, 6, 6, 6});
  // With padding 1 the corner sees only x[0, 0] under w's -1: y[0, 0] = -1 + 10 = 9.
  const Tensor padded = conv2d_forward(x, w, Tensor::from_vector({1}, {10}), {1, 1});
  CHECK(padded.shape() == Shape{1, 1, 4, 4});
  CHECK(padded.at({0, 0, 0, 0}) == 9);
  CHECK(padded.at({0, 0, 3, 3}) == 19);  // x[2, 2] under w's 1: 9 + 10
}

TEST_CASE("conv2d: im2col and GEMM equal the definition summed directly") {
  struct Case {
    Shape x, w;
    Conv2dOptions options;
  };
  for (const Case& c : std::vector<Case>{{{2, 3, 7, 6}, {4, 3, 3, 3}, {1, 1}},
                                         {{1, 2, 9, 9}, {5, 2, 3, 3}, {2, 0}},
                                         {{3, 1, 8, 5}, {2, 1, 2, 4}, {3, 2}},
                                         {{2, 16, 12, 12}, {32, 16, 3, 3}, {1, 1}},
                                         {{1, 4, 5, 5}, {3, 4, 5, 5}, {1, 0}}}) {
    const Tensor x = random_tensor(c.x, 1), w = random_tensor(c.w, 2);
    const Tensor bias = random_tensor({c.w[0]}, 3);
    const std::vector<real> y = conv2d_forward(x, w, bias, c.options).to_vector();
    const std::vector<double> expected = direct_conv2d(x, w, bias, c.options);
    REQUIRE(y.size() == expected.size());
    for (size_t i = 0; i < y.size(); ++i) CHECK(double(y[i]) == doctest::Approx(expected[i]).epsilon(1e-4));
  }
}

TEST_CASE("conv2d: forward and backward give the same bits for any thread count") {
  const Tensor x = random_tensor({3, 4, 10, 9}, 1), w = random_tensor({6, 4, 3, 3}, 2);
  const Tensor bias = random_tensor({6}, 3), g = random_tensor({3, 6, 10, 9}, 4);
  auto run = [&] {
    const Conv2dGradients grads = conv2d_backward(g, x, w, {1, 1});
    std::vector<real> all = conv2d_forward(x, w, bias, {1, 1}).to_vector();
    for (const Tensor& t : {grads.grad_x, grads.grad_weight, grads.grad_bias})
      for (real v : t.to_vector()) all.push_back(v);
    return all;
  };
  const std::vector<real> one = with_threads(1, run);
  CHECK(with_threads(2, run) == one);
  CHECK(with_threads(4, run) == one);
}

TEST_CASE("conv2d: backward without dx gives the same dw and dbias, and no dx") {
  const Tensor x = random_tensor({2, 3, 6, 5}, 1), w = random_tensor({4, 3, 3, 3}, 2);
  const Tensor g = random_tensor({2, 4, 6, 5}, 3);
  const Conv2dGradients all = conv2d_backward(g, x, w, {1, 1});
  const Conv2dGradients some = conv2d_backward(g, x, w, {1, 1}, false);
  CHECK_FALSE(some.grad_x.defined());
  CHECK(some.grad_weight.to_vector() == all.grad_weight.to_vector());
  CHECK(some.grad_bias.to_vector() == all.grad_bias.to_vector());
}

TEST_CASE("conv2d: errors name the op and both shapes") {
  const Tensor x = Tensor::zeros({1, 3, 5, 5});
  CHECK_THROWS_WITH_AS(conv2d_forward(x, Tensor::zeros({2, 4, 3, 3}), Tensor(), {}),
                       "conv2d: x [1,3,5,5], weight [2,4,3,3]: x has 3 channels, the weight "
                       "expects 4",
                       Error);
  CHECK_THROWS_WITH_AS(conv2d_forward(x, Tensor::zeros({2, 3, 7, 3}), Tensor(), {}),
                       doctest::Contains("the kernel does not fit"), Error);
  CHECK_THROWS_WITH_AS(conv2d_forward(x, Tensor::zeros({2, 3, 3, 3}), Tensor::zeros({3}), {}),
                       "conv2d: bias must be [2], got [3]", Error);
  CHECK_THROWS_WITH_AS(conv2d_forward(x, Tensor::zeros({2, 3, 3, 3}), Tensor(), {0, 0}),
                       doctest::Contains("stride must be at least 1"), Error);
  CHECK_THROWS_AS(conv2d_forward(Tensor::zeros({3, 5, 5}), Tensor::zeros({2, 3, 3, 3}), Tensor(), {}),
                  Error);
}

TEST_CASE("max_pool2d: each window's maximum, and backward routes to it") {
  // x = 1 5 2 0      windows 2x2: max(1,5,3,4) = 5, max(2,0,9,1) = 9
  //     3 4 9 1
  const Tensor x = Tensor::from_vector({1, 1, 2, 4}, {1, 5, 2, 0, 3, 4, 9, 1});
  const MaxPool2dForward forward = max_pool2d_forward(x, {});
  CHECK(forward.y.to_vector() == std::vector<real>{5, 9});
  const Tensor dx = max_pool2d_backward(Tensor::from_vector({1, 1, 1, 2}, {10, 20}),
                                        forward.argmax, x.shape());
  CHECK(dx.to_vector() == std::vector<real>{0, 10, 0, 0, 0, 0, 20, 0});
}

TEST_CASE("max_pool2d: on a tie the gradient goes to the first maximum") {
  const Tensor x = Tensor::from_vector({1, 1, 2, 2}, {7, 7, 7, 7});
  const MaxPool2dForward forward = max_pool2d_forward(x, {});
  const Tensor dx = max_pool2d_backward(Tensor::ones({1, 1, 1, 1}), forward.argmax, x.shape());
  CHECK(dx.to_vector() == std::vector<real>{1, 0, 0, 0});
}

TEST_CASE("avg_pool2d: each window's mean; a partial window at the edge is dropped") {
  // 3x3 windows with stride 2 over 5 columns: columns 0-2 and 2-4; a 6th column would be dropped.
  const Tensor x = Tensor::from_vector({1, 1, 3, 6}, {1, 2, 3, 4, 5, 100,  //
                                                      1, 2, 3, 4, 5, 100,  //
                                                      1, 2, 3, 4, 5, 100});
  const Tensor y = avg_pool2d_forward(x, {3, 2});
  CHECK(y.shape() == Shape{1, 1, 1, 2});
  CHECK(y.to_vector() == std::vector<real>{2, 4});
  const Tensor dx = avg_pool2d_backward(Tensor::from_vector({1, 1, 1, 2}, {9, 18}), x.shape(), {3, 2});
  // Column 2 lies in both windows: 9/9 + 18/9 = 3; the dropped column gets nothing.
  CHECK(dx.to_vector() == std::vector<real>{1, 1, 3, 2, 2, 0,  //
                                            1, 1, 3, 2, 2, 0,  //
                                            1, 1, 3, 2, 2, 0});
}

TEST_CASE("pooling: errors name the op and the shape") {
  CHECK_THROWS_WITH_AS(max_pool2d_forward(Tensor::zeros({1, 1, 3, 3}), {4, 0}),
                       "max_pool2d: a 4x4 window does not fit in x [1,1,3,3]", Error);
  CHECK_THROWS_WITH_AS(avg_pool2d_forward(Tensor::zeros({3, 3}), {}),
                       "avg_pool2d: needs x [B, C, H, W], got [3,3]", Error);
  CHECK_THROWS_AS(avg_pool2d_backward(Tensor::zeros({1, 1, 2, 2}), {1, 1, 2, 2}, {}), Error);
}
