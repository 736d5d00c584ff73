// Attention against gold alignments: gold mass and AER on cases worked out by hand.
#include <doctest/doctest.h>

#include "tensor/error.h"
#include "train/metrics/alignment_score.h"

using namespace attn;

namespace {

// One layer of two heads over S = 3 source tokens, T = 3 target tokens:
//            head 0              head 1             mean of the heads
//   t0   [0.7  0.2  0.1]     [0.1  0.1  0.8]     [0.4   0.15  0.45]
//   t1   [0.1  0.3  0.6]     [0.2  0.5  0.3]     [0.15  0.4   0.45]
//   t2   [0.5  0.25 0.25]    [0.2  0.4  0.4]     (t2, a '-' or <eos>, has no gold link)
// Gold: t0 <- {0}, t1 <- {1, 2}: the links 0-0 1-1 2-1.
Tensor two_heads() {
  return Tensor::from_vector({3, 1, 2, 3}, {0.7f, 0.2f, 0.1f, 0.1f, 0.1f, 0.8f,  //
                                            0.1f, 0.3f, 0.6f, 0.2f, 0.5f, 0.3f,  //
                                            0.5f, 0.25f, 0.25f, 0.2f, 0.4f, 0.4f});
}
const Alignment kGold = {{0, 0}, {1, 1}, {2, 1}};

}  // namespace

TEST_CASE("alignment score: gold mass and AER of each head and of the head mean, by hand") {
  AlignmentScore score(1, 2);
  score.add(two_heads(), kGold);
  CHECK(score.sentences() == 1);
  // head 0: mass (0.7 + (0.3 + 0.6)) / 2 = 0.8; argmax t0 -> 0 (gold), t1 -> 2 (gold): 2 hits
  //         AER = 1 - 2*2 / (2 + 3) = 0.2
  const AlignmentCounts& head0 = score.head(0, 0);
  CHECK(head0.aligned_tokens == 2);
  CHECK(head0.gold_links == 3);
  CHECK(head0.hits == 2);
  CHECK(head0.mass() == doctest::Approx(0.8));
  CHECK(head0.aer() == doctest::Approx(0.2));
  // head 1: mass (0.1 + (0.5 + 0.3)) / 2 = 0.45; argmax t0 -> 2 (miss), t1 -> 1 (gold): 1 hit
  //         AER = 1 - 2*1 / 5 = 0.6
  CHECK(score.head(0, 1).mass() == doctest::Approx(0.45));
  CHECK(score.head(0, 1).aer() == doctest::Approx(0.6));
  // mean: mass (0.4 + (0.4 + 0.45)) / 2 = 0.625, the heads' mean mass; argmax t0 -> 2 (miss),
  //       t1 -> 2 (gold): AER 0.6, not the heads' mean AER 0.4
  CHECK(score.head_mean(0).mass() == doctest::Approx(0.625));
  CHECK(score.head_mean(0).aer() == doctest::Approx(0.6));
  // AER floor: every argmax on a gold link, 1 - 2*2 / (2 + 3) = 0.2, which head 0 reaches
  CHECK(score.head_mean(0).aer_floor() == doctest::Approx(0.2));
}

TEST_CASE("alignment score: a data set's AER sums the counts, not the sentences' rates") {
  AlignmentScore score(1, 1);
  score.add(two_heads().narrow(2, 0, 1).contiguous(), kGold);  // head 0 alone: 2 hits of 2, |S| 3
  // A second sentence: t0 <- {0, 1}, attention [0.5 0.5]: mass 1, argmax 0 (the first of
  // equal maxima) is gold.
  score.add(Tensor::from_vector({1, 1, 1, 2}, {0.5f, 0.5f}), {{0, 0}, {1, 0}});
  const AlignmentCounts& counts = score.head(0, 0);
  CHECK(score.sentences() == 2);
  // N = 3, hits = 3, |S| = 5: AER = 1 - 6/8 = 0.25 (the sentences' rates 0.2 and 1/3 average
  // 0.267); mass = (0.7 + 0.9 + 1) / 3
  CHECK(counts.aer() == doctest::Approx(0.25));
  CHECK(counts.mass() == doctest::Approx(2.6 / 3));
  CHECK(counts.aer_floor() == doctest::Approx(0.25));
}

TEST_CASE(
    "alignment score: attention spread evenly puts |G_j| / S on the gold tokens, the baseline "
    "reported with every attention") {
  AlignmentScore score(2, 1);
  const Tensor even = Tensor::full({4, 2, 1, 5}, 0.2f);  // S = 5
  score.add(even, {{0, 0}, {1, 0}, {3, 2}});             // |G_0| = 2, |G_2| = 1, t1 and t3 none
  for (int64_t layer = 0; layer < 2; ++layer) {
    CHECK(score.head(layer, 0).mass() == doctest::Approx((2.0 / 5 + 1.0 / 5) / 2));
    CHECK(score.head(layer, 0).even_mass_baseline() == doctest::Approx(0.3));
    CHECK(score.head(layer, 0).hits == 1);  // argmax 0 on every row: gold for t0 only
  }
  // The baseline depends on the gold links and the lengths only: for the two heads above,
  // (1/3 + 2/3) / 2 whatever their weights.
  AlignmentScore peaked(1, 2);
  peaked.add(two_heads(), kGold);
  CHECK(peaked.head(0, 1).even_mass_baseline() == doctest::Approx(0.5));
  CHECK(peaked.head_mean(0).even_mass_baseline() == doctest::Approx(0.5));
}

TEST_CASE("alignment score: no aligned token scores 0 rather than dividing by zero") {
  AlignmentScore score(1, 1);
  score.add(Tensor::full({2, 1, 1, 2}, 0.5f), {});
  CHECK(score.head(0, 0).mass() == 0.0);
  CHECK(score.head(0, 0).aer() == 0.0);
  CHECK(score.head(0, 0).aer_floor() == 0.0);
  CHECK(score.head(0, 0).even_mass_baseline() == 0.0);
}

TEST_CASE("alignment score: attention of the wrong shape and links outside it are refused") {
  AlignmentScore score(1, 2);
  CHECK_THROWS_WITH_AS(score.add(Tensor::zeros({3, 2, 2, 3}), kGold),
                       "alignment_score: attention [3,2,2,3] is not [T,1,2,S]", Error);
  CHECK_THROWS_WITH_AS(score.add(Tensor::zeros({3, 3}), kGold),
                       "alignment_score: attention [3,3] is not [T,1,2,S]", Error);
  CHECK_THROWS_WITH_AS(score.add(two_heads(), {{3, 0}}),
                       "alignment_score: link 3-0 is outside the attention [3,1,2,3]", Error);
  CHECK_THROWS_WITH_AS(score.add(two_heads(), {{0, 3}}),
                       "alignment_score: link 0-3 is outside the attention [3,1,2,3]", Error);
  CHECK_THROWS_WITH_AS(score.head(0, 2),
                       "alignment_score: layer 0, head 2 is outside layers 0..0 and heads 0..1",
                       Error);
  CHECK_THROWS_WITH_AS(score.head_mean(1), "alignment_score: layer 1 is outside layers 0..0",
                       Error);
  CHECK_THROWS_WITH_AS(AlignmentScore(0, 1),
                       "alignment_score: needs at least one layer and one head", Error);
  CHECK(score.sentences() == 0);
}
