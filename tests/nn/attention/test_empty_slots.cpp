// Attention with empty slots (AttentionOptions::empty_slots): c slots of score 0 and value 0 take
// their share of the softmax, as the empty places of a fixed-size memory do in the reference
// code of end-to-end memory networks.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "autograd/ops.h"
#include "nn/attention/attention.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"
#include "tensor/join.h"
#include "tensor/random.h"
#include "tests/nn/attention/attend_one_gradcheck.h"

using namespace attn;

namespace {

AttentionOptions with_empty_slots(const Tensor& mask, const Tensor& empty_slots) {
  AttentionOptions options;
  options.mask = mask;
  options.empty_slots = empty_slots;
  return options;
}

}  // namespace

TEST_CASE("empty slots: each takes exp(0) of the softmax and adds nothing to the context") {
  // q = [1, 1]; keys [1, 0], [0, 0]; values [2, 0], [0, 4]; 3 empty slots
  // e = [1, 0] -> a = [e, 1] / (e + 1 + 3);  c = [2 a_0, 4 a_1]
  const Variable q(Tensor::from_vector({1, 2}, {1, 1}));
  const Variable k(Tensor::from_vector({1, 2, 2}, {1, 0, 0, 0}));
  const Variable v(Tensor::from_vector({1, 2, 2}, {2, 0, 0, 4}));
  auto score = make_score_function("dot", attend_one_spec(2));
  const AttentionResult out = attend_one(*score, q, k, v,
                                         with_empty_slots(Tensor(), Tensor::from_vector({1}, {3})));
  const double z = std::exp(1.0) + 1 + 3;
  const std::vector<real> a = out.weights.value().to_vector();
  CHECK(a[0] == doctest::Approx(std::exp(1.0) / z));
  CHECK(a[1] == doctest::Approx(1 / z));
  CHECK(out.context.value().to_vector()[0] == doctest::Approx(2 * a[0]));
  CHECK(out.context.value().to_vector()[1] == doctest::Approx(4 * a[1]));
}

TEST_CASE("empty slots: c of them equal c zero keys and values appended, and 0 is the softmax") {
  Generator generator(7);
  const Tensor q = normal({3, 4}, 0, 1, generator);     // [B, E]
  const Tensor k = normal({3, 5, 4}, 0, 1, generator);  // [B, S, E]
  const Tensor v = normal({3, 5, 2}, 0, 1, generator);  // [B, S, Ev]
  const Tensor mask = Tensor::from_vector({3, 5}, {1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0});
  const Tensor counts = Tensor::from_vector({3}, {2, 0, 3});
  auto score = make_score_function("dot", attend_one_spec(4));
  const AttentionResult out =
      attend_one(*score, Variable(q), Variable(k), Variable(v), with_empty_slots(mask, counts));

  // The same memories with the empty slots written out: row b gets counts[b] zero vectors.
  const Tensor zeros_k = Tensor::zeros({3, 3, 4}), zeros_v = Tensor::zeros({3, 3, 2});
  const Tensor extra = Tensor::from_vector({3, 3}, {1, 1, 0, 0, 0, 0, 1, 1, 1});
  AttentionOptions written_out;
  written_out.mask = concat({mask, extra}, 1);  // [B, S + 3]
  const AttentionResult full = attend_one(*score, Variable(q), Variable(concat({k, zeros_k}, 1)),
                                          Variable(concat({v, zeros_v}, 1)), written_out);
  const std::vector<real> got = out.context.value().to_vector(),
                          want = full.context.value().to_vector();
  for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]));

  // Row 1 has no empty slot: its weights are the plain softmax's, summing to 1.
  const std::vector<real> a = out.weights.value().to_vector();
  CHECK(a[5] + a[6] + a[7] + a[8] + a[9] == doctest::Approx(1));
  CHECK(a[0] + a[1] + a[2] < 1);
}

TEST_CASE("empty slots: gradients match finite differences for every score function") {
  check_attend_one_gradients_for_every_score(
      with_empty_slots(Tensor::from_vector({2, 4}, {1, 1, 1, 0, 1, 0, 1, 1}),
                       Tensor::from_vector({2}, {2, 0})),
      13);
}

TEST_CASE("empty slots: a negative count or a shape that does not fit is one clear error") {
  const Variable q(Tensor::from_vector({1, 2}, {1, 1}));
  const Variable k(Tensor::from_vector({1, 2, 2}, {1, 0, 0, 0}));
  auto score = make_score_function("dot", attend_one_spec(2));
  CHECK_THROWS_WITH_AS(
      attend_one(*score, q, k, k, with_empty_slots(Tensor(), Tensor::from_vector({1}, {-1}))),
      doctest::Contains("attention: empty_slots must be counts >= 0, got -1"), Error);
  CHECK_THROWS_WITH_AS(
      attend_one(*score, q, k, k, with_empty_slots(Tensor(), Tensor::from_vector({2}, {1, 1}))),
      doctest::Contains(
          "attention: empty_slots [2,1,1] does not broadcast to [..., T, 1] = [1,1,1]"),
      Error);
}
