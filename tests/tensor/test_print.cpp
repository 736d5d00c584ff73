// Printing tensors (operator<< in tensor/tensor.h): PyTorch-like nesting, aligned %.4g numbers,
// and "..." for dimensions longer than 6.
#include <doctest/doctest.h>

#include <limits>
#include <sstream>
#include <string>

#include "tensor/tensor.h"

using namespace attn;

namespace {
std::string printed(const Tensor& t) {
  std::ostringstream out;
  out << t;
  return out.str();
}
}  // namespace

TEST_CASE("print: a matrix prints one row per line under a header with its shape") {
  CHECK(printed(Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6})) ==
        "tensor([2,3])\n"
        "[[1, 2, 3],\n"
        " [4, 5, 6]]");
}

TEST_CASE("print: a scalar prints on one line, an undefined tensor says so") {
  CHECK(printed(Tensor::scalar(3.5)) == "tensor([]) 3.5");
  CHECK(printed(Tensor()) == "tensor(undefined)");
}

TEST_CASE("print: numbers are right-aligned to the widest one") {
  // widths: "1.5" 3, "-2" 2, "10" 2 -> pad to 3
  CHECK(printed(Tensor::from_vector({3}, {1.5, -2, 10})) == "tensor([3])\n[1.5,  -2,  10]");
}

TEST_CASE("print: numbers use %.4g") {
  const real inf = std::numeric_limits<real>::infinity();
  CHECK(printed(Tensor::from_vector({4}, {static_cast<real>(1.0 / 3), 123456, 1e-5, -inf})) ==
        "tensor([4])\n[   0.3333, 1.235e+05,     1e-05,      -inf]");
}

TEST_CASE("print: blocks of a 3-d tensor are separated by a blank line") {
  CHECK(printed(Tensor::arange(8).view({2, 2, 2})) ==
        "tensor([2,2,2])\n"
        "[[[0, 1],\n"
        "  [2, 3]],\n"
        "\n"
        " [[4, 5],\n"
        "  [6, 7]]]");
}

TEST_CASE("print: dimensions longer than 6 show their first 3 and last 3 entries") {
  CHECK(printed(Tensor::arange(10)) == "tensor([10])\n[0, 1, 2, ..., 7, 8, 9]");
  CHECK(printed(Tensor::arange(16).view({8, 2})) ==
        "tensor([8,2])\n"
        "[[ 0,  1],\n"
        " [ 2,  3],\n"
        " [ 4,  5],\n"
        " ...,\n"
        " [10, 11],\n"
        " [12, 13],\n"
        " [14, 15]]");
  CHECK(printed(Tensor::arange(6)) == "tensor([6])\n[0, 1, 2, 3, 4, 5]");  // 6: nothing elided
}

TEST_CASE("print: a view prints its own elements in its own order") {
  const Tensor t = Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(printed(t.transpose(0, 1)) ==
        "tensor([3,2])\n"
        "[[1, 4],\n"
        " [2, 5],\n"
        " [3, 6]]");
}

TEST_CASE("print: empty tensors print empty brackets") {
  CHECK(printed(Tensor({0})) == "tensor([0])\n[]");
  CHECK(printed(Tensor({2, 0})) == "tensor([2,0])\n[[],\n []]");
}
