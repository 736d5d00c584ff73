// The cosine score's key strength (nn/attention/scores/cosine.h): learned once, or given with
// every query as the NTM's controller gives it; both the same score for the same beta.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "nn/attention/registry.h"
#include "nn/attention/scores/cosine.h"
#include "tensor/elementwise.h"
#include "tensor/random.h"

using namespace attn;

TEST_CASE("cosine score: a beta given with each query scores as a learned beta of that value") {
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = 4;
  CosineScore learned(spec);
  learned.beta.mutable_value().fill(3);
  spec.query_dim = 5;
  spec.settings = "strength=query";
  const auto given = make_score_function("cosine", spec);
  CHECK(given->parameter_count() == 0);
  Generator generator(1);
  const Tensor queries = normal({2, 3, 4}, 0, 1, generator);  // [B, T, E]
  const Tensor keys = normal({2, 6, 4}, 0, 1, generator);     // [B, S, E]
  const Tensor with_beta = concat({Variable(queries), Variable(Tensor::full({2, 3, 1}, 3))}, -1).value();
  const Tensor expected = learned.scores(Variable(queries), Variable(keys), {}).value();
  const Tensor got = given->scores(Variable(with_beta), Variable(keys), {}).value();
  CHECK(allclose(got, expected, 1e-5, 1e-6));
}

TEST_CASE("cosine score: a query that does not fit its strength setting is refused by name") {
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = 4;
  spec.settings = "strength=query";
  const auto given = make_score_function("cosine", spec);
  const Variable four(Tensor::zeros({1, 2, 4}));
  CHECK_THROWS_WITH(given->scores(four, four, {}),
                    doctest::Contains("strength=query needs Eq = Ek + 1"));
  spec.settings = "strength=emitted";
  CHECK_THROWS_WITH(make_score_function("cosine", spec), doctest::Contains("strength"));
}
