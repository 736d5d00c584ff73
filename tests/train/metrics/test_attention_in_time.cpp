// Attention over audio measured against a word's samples: step centres, the share on the word,
// and the uniform reference, hand-checked.
#include <doctest/doctest.h>

#include "train/metrics/attention_in_time.h"

using namespace attn;

TEST_CASE("attention in time: a listener step is heard at the middle of its frames' reach") {
  // 8 frames a step, hop 80 samples, window 200: step 0 spans samples 0 .. 7 * 80 + 200 = 760,
  // its centre (0.5) 640 + 100 = 420; step 2: 2.5 * 640 + 100 = 1700.
  const StepTiming timing{8, 80, 200};
  CHECK(timing.centre(0) == 420);
  CHECK(timing.centre(2) == 1700);
}

TEST_CASE("attention in time: the share on a word's samples, and uniform attention's") {
  const StepTiming timing{8, 80, 200};  // centres 420, 1060, 1700, 2340
  const std::vector<double> weights = {0.1, 0.6, 0.2, 0.1};
  // samples [1000, 1800): steps 1 and 2 -> 0.6 + 0.2
  CHECK(attention_on_span(weights, timing, {1000, 1800}) == doctest::Approx(0.8));
  CHECK(uniform_attention_on_span(4, timing, {1000, 1800}) == doctest::Approx(0.5));
  // the end is exclusive: [420, 1060) holds step 0 only
  CHECK(attention_on_span(weights, timing, {420, 1060}) == doctest::Approx(0.1));
  CHECK(attention_on_span({0, 0, 0, 0}, timing, {0, 5000}) == 0);
  CHECK(uniform_attention_on_span(0, timing, {0, 5000}) == 0);
}
