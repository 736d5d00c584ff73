// Cross-attention against a gold alignment: gold mass and AER (see alignment_score.h).
#include "train/metrics/alignment_score.h"

#include "tensor/error.h"

namespace attn {

double AlignmentCounts::mass() const {
  return aligned_tokens == 0 ? 0.0 : gold_mass / static_cast<double>(aligned_tokens);
}

double AlignmentCounts::even_mass_baseline() const {
  return aligned_tokens == 0 ? 0.0 : even_mass / static_cast<double>(aligned_tokens);
}

double AlignmentCounts::aer() const {
  const auto total = static_cast<double>(aligned_tokens + gold_links);  // |A| + |S|
  return total == 0 ? 0.0 : 1.0 - 2.0 * static_cast<double>(hits) / total;
}

double AlignmentCounts::aer_floor() const {
  const auto total = static_cast<double>(aligned_tokens + gold_links);
  return total == 0 ? 0.0 : 1.0 - 2.0 * static_cast<double>(aligned_tokens) / total;
}

namespace {

// Adds one target token's attention row [S] against its gold sources G_j (none: not scored).
void score_row(const std::vector<double>& row, const std::vector<int64_t>& gold,
               AlignmentCounts& counts) {
  if (gold.empty()) return;
  size_t argmax = 0;  // the first of equal maxima
  for (size_t i = 1; i < row.size(); ++i)
    if (row[i] > row[argmax]) argmax = i;
  bool hit = false;
  for (int64_t i : gold) {
    counts.gold_mass += row[static_cast<size_t>(i)];  // sum_{i in G_j} a[j, i]
    hit = hit || static_cast<size_t>(i) == argmax;
  }
  counts.even_mass += static_cast<double>(gold.size()) / static_cast<double>(row.size());
  counts.aligned_tokens += 1;
  counts.gold_links += static_cast<int64_t>(gold.size());
  counts.hits += hit ? 1 : 0;
}

}  // namespace

AlignmentScore::AlignmentScore(int64_t layers, int64_t heads)
    : layers_(layers),
      heads_(heads),
      heads_counts_(static_cast<size_t>(layers * heads)),
      mean_counts_(static_cast<size_t>(layers)) {
  check(layers >= 1 && heads >= 1, "alignment_score", "needs at least one layer and one head");
}

void AlignmentScore::add(const Tensor& attention, const Alignment& gold) {
  const std::string expected =
      "[T," + std::to_string(layers_) + "," + std::to_string(heads_) + ",S]";
  check(attention.ndim() == 4 && attention.size(1) == layers_ && attention.size(2) == heads_,
        "alignment_score", "attention " + to_string(attention.shape()) + " is not " + expected);
  const int64_t T = attention.size(0), S = attention.size(3);
  std::vector<std::vector<int64_t>> sources(static_cast<size_t>(T));  // G_j for each j
  for (const AlignmentLink& link : gold) {
    check(
        link.source >= 0 && link.target >= 0 && link.target < T && link.source < S,
        "alignment_score",
        "link " + to_pharaoh({link}) + " is outside the attention " + to_string(attention.shape()));
    sources[static_cast<size_t>(link.target)].push_back(link.source);
  }
  const std::vector<real> weights = attention.to_vector();  // [T, layers, heads, S], row-major
  auto row = [&](int64_t t, int64_t layer, int64_t head) {  // [S]
    const auto begin = weights.begin() + ((t * layers_ + layer) * heads_ + head) * S;
    return std::vector<double>(begin, begin + S);
  };
  for (int64_t layer = 0; layer < layers_; ++layer) {
    for (int64_t t = 0; t < T; ++t) {
      std::vector<double> mean(static_cast<size_t>(S), 0.0);  // [S] the heads' mean
      for (int64_t head = 0; head < heads_; ++head) {
        const std::vector<double> weights_of_head = row(t, layer, head);
        score_row(weights_of_head, sources[static_cast<size_t>(t)],
                  heads_counts_[static_cast<size_t>(layer * heads_ + head)]);
        for (int64_t i = 0; i < S; ++i)
          mean[static_cast<size_t>(i)] +=
              weights_of_head[static_cast<size_t>(i)] / static_cast<double>(heads_);
      }
      score_row(mean, sources[static_cast<size_t>(t)], mean_counts_[static_cast<size_t>(layer)]);
    }
  }
  ++sentences_;
}

const AlignmentCounts& AlignmentScore::head(int64_t layer, int64_t head) const {
  check(layer >= 0 && layer < layers_ && head >= 0 && head < heads_, "alignment_score",
        "layer " + std::to_string(layer) + ", head " + std::to_string(head) +
            " is outside layers 0.." + std::to_string(layers_ - 1) + " and heads 0.." +
            std::to_string(heads_ - 1));
  return heads_counts_[static_cast<size_t>(layer * heads_ + head)];
}

const AlignmentCounts& AlignmentScore::head_mean(int64_t layer) const {
  check(layer >= 0 && layer < layers_, "alignment_score",
        "layer " + std::to_string(layer) + " is outside layers 0.." + std::to_string(layers_ - 1));
  return mean_counts_[static_cast<size_t>(layer)];
}

}  // namespace attn
