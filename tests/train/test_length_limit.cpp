// The decoding length limit learned from the training pairs: every training target fits, the
// arithmetic is exact, it survives JSON, and without one the rule of earlier models stays.
#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "train/length_limit.h"

using namespace attn;

TEST_CASE("length limit: SCAN-like pairs let every training output through with its <eos>") {
  // (source words, target actions): "walk" -> I_WALK, "walk around left thrice" -> 24 actions,
  // nine words -> 48 actions. The largest ratio is 24 / 4 = 6.
  const std::vector<std::pair<int64_t, int64_t>> pairs = {{1, 1}, {2, 3}, {3, 8}, {4, 24},
                                                          {9, 48}, {7, 12}, {3, 2}};
  LengthLimit limit;
  for (const auto& [source, target] : pairs) limit.observe(source, target);
  CHECK(limit.source_tokens == 4);
  CHECK(limit.target_tokens == 24);
  for (const auto& [source, target] : pairs) CHECK(limit.tokens(source) >= target + 1);
  CHECK(limit.tokens(4) == 24 + 5);   // ceil(6 x 4) + 5
  CHECK(limit.tokens(9) == 54 + 5);   // the old rule gave 9 x 1.5 + 10 = 23: 48 actions cut
  CHECK(limit.tokens(1) == 6 + 5);
}

TEST_CASE("length limit: the ratio is kept as whole tokens, so the limit is exact") {
  LengthLimit limit;
  limit.observe(3, 7);  // r = 7/3, which no double holds exactly
  limit.observe(6, 14);  // the same ratio: the first pair stays
  CHECK(limit.source_tokens == 3);
  CHECK(limit.tokens(3) == 7 + 5);   // ceil(7/3 x 3) = 7, not 8
  CHECK(limit.tokens(4) == 10 + 5);  // ceil(9.33...) = 10
  CHECK_THROWS_WITH(limit.observe(0, 3), "length limit: a pair of 0 and 3 tokens is out of range");
}

TEST_CASE("length limit: none learned keeps the rule of earlier model directories, "
          "1.5 x S + 10") {
  const LengthLimit none;
  CHECK_FALSE(none.learned());
  CHECK(none.tokens(20) == 40);
  CHECK(none.tokens(9) == 23);
}

TEST_CASE("length limit: saved as JSON and read back; a bad value names its key") {
  LengthLimit limit;
  limit.observe(4, 24);
  CHECK(limit.to_json().dump() == "{\"source_tokens\":4,\"target_tokens\":24}");
  const LengthLimit read = LengthLimit::from_json(limit.to_json(), "length_limit");
  CHECK(read.source_tokens == 4);
  CHECK(read.target_tokens == 24);
  CHECK_THROWS_WITH(LengthLimit::from_json(Json::parse("{\"source_tokens\":0,\"target_tokens\":5}"),
                                           "length_limit"),
                    "length_limit.source_tokens: must be in 1..1048576, got 0");
  CHECK_THROWS_WITH(LengthLimit::from_json(Json::parse("{\"ratio\":6}"), "length_limit"),
                    "length_limit: unknown setting 'ratio'");
}
