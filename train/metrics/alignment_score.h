// Attention as alignment, measured: a model's cross-attention against a gold word alignment.
//
// The lectures say attention gives a soft alignment for free: Bahdanau et al. 2015 (§5.2.1,
// Figure 3) draw the attention weights of a trained model as the alignment between the source
// sentence and its translation. Here is how good that alignment is. For one sentence, a[j, i] is
// the attention of target token j on source token i (each row sums to 1), and
// G_j = { i : the gold alignment links source token i to target token j }.
//
// Only the target tokens with a gold link are scored: softmax attention must put its mass
// somewhere, so it cannot say "from nothing", as a date's '-' or <eos> would need to.
//
//   (a) gold mass: the share of attention on the gold source tokens, over the N aligned target
//       tokens of the data set
//
//         mass = (1 / N) * sum_j  sum_{i in G_j} a[j, i]
//
//       1 when every token attends only where it comes from; attention spread evenly over the
//       S source tokens scores (1 / N) * sum_j |G_j| / S, the baseline printed with it.
//
//   (b) alignment error rate (Och & Ney 2003, "A Systematic Comparison of Various Statistical
//       Alignment Models", §5) of the hard alignment A that links each aligned target token to
//       its argmax source token (the first, on ties), with every gold link a sure link (S = P):
//
//         AER = 1 - (|A & S| + |A & P|) / (|A| + |S|)  =  1 - 2 |A & S| / (|A| + |S|)
//
//       counted over the data set (sums of the counts, as Och & Ney do, not a mean of the
//       sentences' rates); |A| = N. When a target token has several gold links (a month name's
//       letters), A finds at most one of them, so the AER of even a perfect argmax is
//
//         AER_floor = 1 - 2 N / (N + |S|)        (every argmax on a gold link)
//
// Both measures for every attention layer and head, and for the mean of each layer's heads (the
// picture `attn attention` draws by default): the mean's mass is the heads' mean mass, its AER
// is that of the mean's argmax, which no head need share.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"
#include "train/io/pharaoh.h"

namespace attn {

// The counts behind both measures, for one attention (a head, or a layer's head mean).
struct AlignmentCounts {
  double gold_mass = 0;        // sum over aligned target tokens of their attention on gold
  double even_mass = 0;        // the same for attention spread evenly: sum of |G_j| / S
  int64_t aligned_tokens = 0;  // N: target tokens with at least one gold link; also |A|
  int64_t hits = 0;            // |A & S|: argmax links that are gold links
  int64_t gold_links = 0;      // |S|

  double mass() const;                // gold_mass / N (0 when N = 0)
  double even_mass_baseline() const;  // even_mass / N
  double aer() const;                 // 1 - 2 hits / (N + |S|)  (0 when nothing is aligned)
  double aer_floor() const;           // 1 - 2 N / (N + |S|)
};

// The measures summed over sentences.
class AlignmentScore {
 public:
  AlignmentScore(int64_t layers, int64_t heads);

  // One sentence: attention [T, layers, heads, S] (row j the attention that produced target
  // token j) and its gold links. Throws naming the shape when it is not [T, layers, heads, S] or
  // a link points outside it.
  void add(const Tensor& attention, const Alignment& gold);

  int64_t layers() const { return layers_; }
  int64_t heads() const { return heads_; }
  int64_t sentences() const { return sentences_; }
  const AlignmentCounts& head(int64_t layer, int64_t head) const;
  const AlignmentCounts& head_mean(int64_t layer) const;

 private:
  int64_t layers_, heads_;
  int64_t sentences_ = 0;
  std::vector<AlignmentCounts> heads_counts_;  // [layers * heads]
  std::vector<AlignmentCounts> mean_counts_;   // [layers]
};

}  // namespace attn
