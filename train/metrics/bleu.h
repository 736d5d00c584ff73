// Corpus BLEU, computed as sacreBLEU does by default (Papineni et al. 2002; Post 2018).
//
//   p_n  = (n-grams of the hypotheses also in the references, clipped per sentence)
//          / (n-grams of the hypotheses),                            n = 1..4, over the corpus
//   BP   = 1 if c >= r else exp(1 - r / c)      c, r: total hypothesis and reference lengths
//   BLEU = 100 * BP * exp( (1/4) * sum_n log p_n )
//
// Defaults of sacreBLEU 2.x: 13a tokenization (mteval-v13a.pl's rules), case-sensitive, one
// reference per sentence, and "exp" smoothing: the k-th order with no match gets
// p_n = 1 / (2^k * total_n) instead of 0. A corpus with no matching unigram at all scores 0.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace attn {

struct BleuScore {
  double score = 0;                    // 0..100
  std::array<double, 4> precisions{};  // p_1..p_4 in percent
  double brevity_penalty = 0;
  int64_t hypothesis_length = 0;       // c, in 13a tokens
  int64_t reference_length = 0;        // r
};

// mteval-v13a tokenization: splits punctuation off words, keeps "1,000" and "3.5" whole.
std::vector<std::string> tokenize_13a(const std::string& line);

// Throws when the two lists differ in length.
BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references);

// "BLEU = 36.52 68.1/43.0/29.5/20.6 (BP = 1.000 ratio = 1.012 hyp_len = 13021 ref_len = 12867)"
std::string to_string(const BleuScore& bleu);

}  // namespace attn
