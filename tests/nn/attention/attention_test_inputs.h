// Inputs shared by the attention tests: the sizes, a score function's small settings, random
// queries, keys and values, and options with a mask.
#pragma once

#include <cstdint>
#include <memory>

#include "nn/attention/attention.h"
#include "nn/attention/registry.h"
#include "tensor/random.h"

namespace attn::attention_test {

constexpr int64_t B = 2, H = 2, T = 3, S = 4, E = 3, Ev = 2;

// Small settings where a score has them, so its parameters stay few.
inline ScoreSpec spec_for_tests() {
  ScoreSpec spec;
  spec.query_dim = E;
  spec.key_dim = E;
  spec.heads = H;
  spec.seed = 42;
  return spec;
}

inline std::unique_ptr<ScoreFunction> make_for_tests(const ScoreEntry& entry) {
  ScoreSpec spec = spec_for_tests();
  if (entry.name == "location_aware") spec.settings = "filters=2,width=3";
  return entry.make(spec);
}

struct Inputs {
  Tensor queries;  // [B, H, T, E]
  Tensor keys;     // [B, H, S, E]
  Tensor values;   // [B, H, S, Ev]
};

inline Inputs random_inputs(uint64_t seed = 7) {
  Generator generator(seed);
  Inputs in;
  in.queries = normal({B, H, T, E}, 0, 1, generator);
  in.keys = normal({B, H, S, E}, 0, 1, generator);
  in.values = normal({B, H, S, Ev}, 0, 1, generator);
  return in;
}

inline AttentionOptions with_mask(const Tensor& mask, AttentionKind kind = AttentionKind::cross) {
  AttentionOptions options;
  options.kind = kind;
  options.mask = mask;
  return options;
}

}  // namespace attn::attention_test
