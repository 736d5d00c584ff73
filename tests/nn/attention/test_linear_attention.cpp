// Attention without the softmax (AttentionOptions::softmax = false): the weights are the scores,
// masked keys 0. The linear start of end-to-end memory networks (Sukhbaatar et al. 2015, §4.2)
// trains with it before the softmax is inserted.
#include <doctest/doctest.h>

#include <memory>

#include "autograd/ops.h"
#include "nn/attention/attention.h"
#include "nn/attention/registry.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

ScoreSpec spec(int64_t width) {
  ScoreSpec s;
  s.query_dim = s.key_dim = width;
  s.seed = 3;
  return s;
}

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
  auto score = make_score_function("dot", spec(2));
  const AttentionResult out =
      attend_one(*score, q, k, v, linear(Tensor::from_vector({1, 3}, {1, 1, 0})));
  CHECK(out.weights.value().to_vector() == std::vector<real>{1, 2, 0});
  CHECK(out.context.value().to_vector() == std::vector<real>{1, 20});
}

TEST_CASE("linear attention: gradients match finite differences for every score function") {
  Generator generator(11);
  const Tensor q = normal({2, 3}, 0, 1, generator);     // [B, E]
  const Tensor k = normal({2, 4, 3}, 0, 1, generator);  // [B, S, E]
  const Tensor v = normal({2, 4, 2}, 0, 1, generator);  // [B, S, Ev]
  const Tensor mask = Tensor::from_vector({2, 4}, {1, 1, 1, 0, 1, 0, 1, 1});
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    ScoreSpec s = spec(3);
    if (entry.name == "location_aware") s.settings = "filters=2,width=3";
    std::unique_ptr<ScoreFunction> score = entry.make(s);
    const GradCheckResult result = gradcheck_with_parameters(
        *score,
        [&](const std::vector<Variable>& x) {
          return attend_one(*score, x[0], score->prepare_keys(x[1]), x[2], linear(mask)).context;
        },
        {q, k, v});
    CAPTURE(result.report);
    CHECK(result.passed);
  }
}
