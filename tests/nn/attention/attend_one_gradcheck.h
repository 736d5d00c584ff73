// The finite-difference check of attend_one (one query per sequence) for every registered score
// function under given options: a mask, the softmax or not, empty slots. The registry drives the
// loop, so a new score is checked under every option without a test edit.
//   query [B, E], keys [B, S, E], values [B, S, Ev] -> context [B, Ev], checked against all
//   three and against the score's own parameters.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/attention/attention.h"
#include "nn/attention/registry.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

namespace attn {

// A score for E-wide queries and keys; location_aware with few filters, to keep it small.
inline ScoreSpec attend_one_spec(int64_t width, const std::string& name = "") {
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = width;
  spec.seed = 3;
  if (name == "location_aware") spec.settings = "filters=2,width=3";
  return spec;
}

// B = 2 sequences of S = 4 keys, E = 3, Ev = 2; options.mask and options.empty_slots, if set,
// must fit them ([2, 4] and [2]).
inline void check_attend_one_gradients_for_every_score(const AttentionOptions& options,
                                                       uint64_t seed) {
  Generator generator(seed);
  const Tensor q = normal({2, 3}, 0, 1, generator);     // [B, E]
  const Tensor k = normal({2, 4, 3}, 0, 1, generator);  // [B, S, E]
  const Tensor v = normal({2, 4, 2}, 0, 1, generator);  // [B, S, Ev]
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    std::unique_ptr<ScoreFunction> score = entry.make(attend_one_spec(3, entry.name));
    const GradCheckResult result = gradcheck_with_parameters(
        *score,
        [&](const std::vector<Variable>& x) {
          return attend_one(*score, x[0], score->prepare_keys(x[1]), x[2], options).context;
        },
        {q, k, v});
    CAPTURE(result.report);
    CHECK(result.passed);
  }
}

}  // namespace attn
