// Corpus BLEU as sacreBLEU computes it by default (see bleu.h for the formulas).
#include "train/metrics/bleu.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace attn {

// ---- 13a tokenization ---------------------------------------------------------------------------
// mteval-v13a.pl, as sacreBLEU's Tokenizer13a: unescape a few XML entities, then four
// rewriting rules, each applied left to right over non-overlapping matches, then collapse spaces.

static void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_period_or_comma(char c) { return c == '.' || c == ','; }

// The character class [{-~ [-` space-& (-+ :-@ /]: ASCII punctuation except - . ' and ,
static bool is_split_symbol(char c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

// Rewrites every non-overlapping match of a two-character pattern, left to right.
template <typename Match, typename Rewrite>
static std::string rewrite_pairs(const std::string& text, Match match, Rewrite rewrite) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (i + 1 < text.size() && match(text[i], text[i + 1])) {
      out += rewrite(text[i], text[i + 1]);
      i += 2;
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::vector<std::string> tokenize_13a(const std::string& line) {
  std::string text = line;
  replace_all(text, "<skipped>", "");
  replace_all(text, "&quot;", "\"");
  replace_all(text, "&amp;", "&");
  replace_all(text, "&lt;", "<");
  replace_all(text, "&gt;", ">");

  std::string spaced;  // rule 1: symbols become separate tokens
  for (char c : text) {
    if (is_split_symbol(c)) spaced += std::string(" ") + c + " ";
    else spaced += c;
  }
  // rule 2: a period or comma after a non-digit is split off ("end." -> "end .")
  spaced = rewrite_pairs(
      spaced, [](char a, char b) { return !is_digit(a) && is_period_or_comma(b); },
      [](char a, char b) { return std::string{a, ' ', b, ' '}; });
  // rule 3: a period or comma before a non-digit is split off (",x" -> " , x")
  spaced = rewrite_pairs(
      spaced, [](char a, char b) { return is_period_or_comma(a) && !is_digit(b); },
      [](char a, char b) { return std::string{' ', a, ' ', b}; });
  // rule 4: a dash after a digit is split off ("1990-2000" -> "1990 - 2000")
  spaced = rewrite_pairs(
      spaced, [](char a, char b) { return is_digit(a) && b == '-'; },
      [](char a, char b) { return std::string{a, ' ', b, ' '}; });

  std::vector<std::string> tokens;
  std::string token;
  for (char c : spaced) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (!space) {
      token += c;
    } else if (!token.empty()) {
      tokens.push_back(token);
      token.clear();
    }
  }
  if (!token.empty()) tokens.push_back(token);
  return tokens;
}

// ---- n-gram statistics ------------------------------------------------------------------------

using NgramCounts = std::map<std::string, int64_t>;

// Every n-gram of order n (tokens joined by spaces) with its count.
static NgramCounts count_ngrams(const std::vector<std::string>& tokens, size_t n) {
  NgramCounts counts;
  for (size_t start = 0; start + n <= tokens.size(); ++start) {
    std::string ngram = tokens[start];
    for (size_t k = 1; k < n; ++k) ngram += " " + tokens[start + k];
    ++counts[ngram];
  }
  return counts;
}

BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size())
    throw std::invalid_argument("bleu: " + std::to_string(hypotheses.size()) +
                                " hypotheses but " + std::to_string(references.size()) +
                                " references");
  std::array<int64_t, 4> correct{}, total{};
  BleuScore bleu;
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    const auto hypothesis = tokenize_13a(hypotheses[i]);
    const auto reference = tokenize_13a(references[i]);
    bleu.hypothesis_length += static_cast<int64_t>(hypothesis.size());
    bleu.reference_length += static_cast<int64_t>(reference.size());
    for (size_t n = 1; n <= 4; ++n) {
      const NgramCounts reference_counts = count_ngrams(reference, n);
      for (const auto& [ngram, count] : count_ngrams(hypothesis, n)) {
        auto found = reference_counts.find(ngram);
        // Clipping: an n-gram earns credit at most as often as the reference has it.
        if (found != reference_counts.end()) correct[n - 1] += std::min(count, found->second);
        total[n - 1] += count;
      }
    }
  }
  const double c = static_cast<double>(bleu.hypothesis_length);
  const double r = static_cast<double>(bleu.reference_length);
  bleu.brevity_penalty = c >= r ? 1.0 : (c > 0 ? std::exp(1 - r / c) : 0.0);
  if (correct[0] == 0) return bleu;  // nothing matches: BLEU 0, as sacreBLEU

  double smoothing = 1;  // "exp" smoothing: halve the stand-in for each further empty order
  double log_sum = 0;
  for (size_t n = 0; n < 4; ++n) {
    if (total[n] == 0) {
      // Hypotheses too short for this order: precision 0, and log 0 sinks the score to 0.
      return bleu;
    }
    if (correct[n] == 0) {
      smoothing *= 2;
      bleu.precisions[n] = 100.0 / (smoothing * static_cast<double>(total[n]));
    } else {
      bleu.precisions[n] = 100.0 * static_cast<double>(correct[n]) / static_cast<double>(total[n]);
    }
    log_sum += std::log(bleu.precisions[n]);
  }
  bleu.score = bleu.brevity_penalty * std::exp(log_sum / 4);
  return bleu;
}

std::string to_string(const BleuScore& bleu) {
  char text[256];
  const double ratio = bleu.reference_length > 0 ? static_cast<double>(bleu.hypothesis_length) /
                                                       static_cast<double>(bleu.reference_length)
                                                 : 0.0;
  std::snprintf(text, sizeof(text),
                "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %lld "
                "ref_len = %lld)",
                bleu.score, bleu.precisions[0], bleu.precisions[1], bleu.precisions[2],
                bleu.precisions[3], bleu.brevity_penalty, ratio,
                static_cast<long long>(bleu.hypothesis_length),
                static_cast<long long>(bleu.reference_length));
  return text;
}

}  // namespace attn
