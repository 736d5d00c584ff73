// Example 3: attention by hand, one query and four keys, with every registered score function.
//
// What it teaches: attention is a weighted sum of the values, the weights depending on the query.
//   1. score   e_s = score(q, k_s)             how well key s matches the query
//   2. softmax a_s = exp(e_s) / sum_j exp(e_j)  positive weights that sum to 1
//   3. blend   c = sum_s a_s v_s                the context: mostly the values of matching keys
// Every mechanism (Bahdanau, Luong, Vaswani, NTM) is these three steps with a different score.
// The numbers are tiny and hand-picked, D = 4:
//   q = [1, 0, 1, 0] lines up with k1 (q.k1 = 4), half with k3 (q.k3 = 2), not with k2, k4 (0)
// so scaled_dot gives e = [4, 0, 2, 0] / sqrt(4) = [2, 0, 1, 0] and
//   a = [e^2, 1, e, 1] / (e^2 + e + 2) = [0.61, 0.08, 0.22, 0.08]
// while plain dot (no 1/sqrt(d_k)) is much sharper: [0.85, 0.02, 0.12, 0.02]. The scores with
// parameters (general, additive, cosine, location, ...) use their seeded initial values, which
// are printed when small; before training they know nothing, so their weights are
// near-arbitrary. One query per sequence is what a recurrent decoder has at each step, so the
// example calls attend_one(), which takes the query as [B, D] with no time or head axis.
//
// Run: build/examples/03_attention_by_hand
// Prints, for each score function: its formula, its parameters, the scores, the softmax weights
// and the context vector; the last line is scaled_dot's weights.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/attention/attention.h"
#include "nn/attention/registry.h"

using namespace attn;

namespace {

constexpr int64_t D = 4, S = 4;

void print_row(const std::string& label, const std::vector<real>& row) {
  std::printf("  %-10s", label.c_str());
  for (real x : row) std::printf(" %7.3f", x == 0 ? 0.0 : static_cast<double>(x));  // no "-0.000"
  std::printf("\n");
}

// A parameter as rows of numbers: a scalar, a vector, or each row of a matrix; large ones by
// their shape only.
void print_parameter(const std::string& name, const Tensor& value) {
  const std::vector<real> all = value.to_vector();
  if (all.size() > 16) {
    std::printf("  %s %s (initial value not shown)\n", name.c_str(),
                to_string(value.shape()).c_str());
    return;
  }
  std::printf("  %s %s (initial value)\n", name.c_str(), to_string(value.shape()).c_str());
  const size_t width = value.ndim() == 2 ? static_cast<size_t>(value.size(1)) : all.size();
  for (size_t start = 0; start < all.size(); start += width)
    print_row("", std::vector<real>(all.begin() + start, all.begin() + start + width));
}

}  // namespace

int main() {
  // One query [1, D]; four keys and four values [1, S, D] (B = 1).
  const Variable query(Tensor::from_vector({1, D}, {1, 0, 1, 0}));
  const Variable keys(Tensor::from_vector({1, S, D}, {2, 1, 2, 0,       // k1: q.k1 = 4
                                                      0, 1, 0, 2,       // k2: q.k2 = 0
                                                      1, 0, 1, 1,       // k3: q.k3 = 2
                                                      -1, 2, 1, 0}));   // k4: q.k4 = 0
  const Variable values(Tensor::from_vector({1, S, D}, {1, 0, 0, 1,     // v1
                                                        0, 2, 0, 0,     // v2
                                                        0, 0, 3, 0,     // v3
                                                        0, 0, 0, 4}));  // v4

  std::printf("attention by hand: one query, four keys, D = %lld\n\n", static_cast<long long>(D));
  print_row("q", query.value().to_vector());
  for (int64_t s = 0; s < S; ++s) {
    const std::string n = std::to_string(s + 1);
    print_row("k" + n, keys.value().narrow(1, s, 1).to_vector());
  }
  for (int64_t s = 0; s < S; ++s) {
    const std::string n = std::to_string(s + 1);
    print_row("v" + n, values.value().narrow(1, s, 1).to_vector());
  }

  ScoreSpec spec;
  spec.query_dim = D;
  spec.key_dim = D;
  spec.seed = 2024;

  std::vector<real> headline;
  for (const ScoreEntry& entry : score_functions()) {
    std::printf("\n%-20s %s\n", entry.name.c_str(), entry.description.c_str());
    std::unique_ptr<ScoreFunction> score = entry.make(spec);
    for (const auto& [name, parameter] : score->named_parameters())
      print_parameter(name, parameter.value());

    const Variable prepared = score->prepare_keys(keys);  // once per key sequence: [1, S, *]
    // scores() sees the one query as a sequence of T = 1: [1, 1, D] -> [1, 1, S]
    const Variable scores = score->scores(unsqueeze(query, 1), prepared, ScoreContext{});
    const AttentionResult result = attend_one(*score, query, prepared, values);
    const std::vector<real> a = result.weights.value().to_vector();  // [1, S]
    print_row("scores", scores.value().to_vector());
    print_row("softmax", a);
    std::printf("  context    = %.3f v1 + %.3f v2 + %.3f v3 + %.3f v4\n", static_cast<double>(a[0]),
                static_cast<double>(a[1]), static_cast<double>(a[2]), static_cast<double>(a[3]));
    print_row("", result.context.value().to_vector());  // [1, D]
    if (entry.name == "scaled_dot") headline = a;
  }

  std::printf("\nattention by hand: scaled_dot weights");
  for (real a : headline) std::printf(" %.2f", static_cast<double>(a));
  std::printf("\n");
  return 0;
}
