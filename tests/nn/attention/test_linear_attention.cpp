// Attention without the softmax (AttentionOptions::softmax = false): the weights are the scores,
// masked keys 0. The linear start of end-to-end memory networks (Sukhbaatar et al. 2015, §4.2)
// trains with it before the softmax is inserted.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "nn/attention/attention.h"
#include "nn/attention/registry.h"
#include "tests/nn/attention/attend_one_gradcheck.h"

using namespace attn;

namespace {

AttentionOptions linear(const Tensor& mask) {
  AttentionOptions options;
  options.mask = mask;
  options.softmax = false;
  return options;
}

}  // namespace

TEST_CASE("linear attention: the weights are the dot scores, masked keys 0") {
  // q = [1, 2]; keys [1, 0], [0, 1], [3, 3] (the last masked); values [1, 0], [0, 10], [5, 5]
  // e = [1, 2, 9] -> a = [1, 2, 0];  c = 1 * [1, 0] + 2 * [0, 10] = [1, 20]
  const Variable q(Tensor::from_vector({1, 2}, {1, 2}));
  const Variable k(Tensor::from_vector({1, 3, 2}, {1, 0, 0, 1, 3, 3}));
  const Variable v(Tensor::from_vector({1, 3, 2}, {1, 0, 0, 10, 5, 5}));
  auto score = make_score_function("dot", attend_one_spec(2));
  const AttentionResult out =
      attend_one(*score, q, k, v, linear(Tensor::from_vector({1, 3}, {1, 1, 0})));
  CHECK(out.weights.value().to_vector() == std::vector<real>{1, 2, 0});
  CHECK(out.context.value().to_vector() == std::vector<real>{1, 20});
}

TEST_CASE("linear attention: gradients match finite differences for every score function") {
  check_attend_one_gradients_for_every_score(
      linear(Tensor::from_vector({2, 4}, {1, 1, 1, 0, 1, 0, 1, 1})), 11);
}
