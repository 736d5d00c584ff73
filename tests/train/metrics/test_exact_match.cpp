// Exact match: the share of hypotheses equal to their reference byte for byte (SCAN's yardstick,
// Lake & Baroni 2018, §3), checked on lines that differ by one action, a space or case.
#include <doctest/doctest.h>

#include "train/metrics/exact_match.h"

using namespace attn;

TEST_CASE("exact match: a line counts only when every byte equals its reference") {
  const ExactMatch exact =
      exact_match({"I_WALK I_WALK", "I_WALK", "I_JUMP ", "i_jump"},
                  {"I_WALK I_WALK", "I_WALK I_WALK", "I_JUMP", "I_JUMP"});
  CHECK(exact.matching == 1);
  CHECK(exact.lines == 4);
  CHECK(exact.percent() == doctest::Approx(25.0));
  CHECK(to_string(exact) == "exact match = 25.00% (1 of 4 lines)");
}

TEST_CASE("exact match: no lines score 0, and lists of different lengths are refused") {
  CHECK(exact_match({}, {}).percent() == 0.0);
  CHECK_THROWS_WITH(exact_match({"a"}, {"a", "b"}), "exact_match: 1 hypotheses for 2 references");
}
