// Edit distance, WER and CER (see edit_distance.h for the recurrence and the conventions).
#include "train/metrics/edit_distance.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "tensor/error.h"
#include "train/io/utf8.h"

namespace attn {

int64_t edit_distance(const std::vector<std::string>& hypothesis,
                      const std::vector<std::string>& reference) {
  const size_t m = reference.size();
  // previous[j] = D[i-1][j]; row 0 is D[0][j] = j, j deletions from an empty hypothesis.
  std::vector<int64_t> previous(m + 1), current(m + 1);
  std::iota(previous.begin(), previous.end(), int64_t{0});
  for (size_t i = 1; i <= hypothesis.size(); ++i) {
    current[0] = static_cast<int64_t>(i);  // D[i][0] = i insertions against an empty reference
    for (size_t j = 1; j <= m; ++j) {
      const int64_t substitution = previous[j - 1] + (hypothesis[i - 1] != reference[j - 1]);
      const int64_t insertion = previous[j] + 1;
      const int64_t deletion = current[j - 1] + 1;
      current[j] = std::min({substitution, insertion, deletion});
    }
    std::swap(previous, current);
  }
  return previous[m];
}

double ErrorCount::rate() const {
  if (reference_length > 0)
    return static_cast<double>(errors) / static_cast<double>(reference_length);
  return errors == 0 ? 0.0 : std::numeric_limits<double>::infinity();
}

void ErrorCount::add(const ErrorCount& other) {
  errors += other.errors;
  reference_length += other.reference_length;
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (!space) {
      word += c;
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

// The errors of `hypothesis` against `reference`, both already split into tokens.
static ErrorCount count_errors(const std::vector<std::string>& hypothesis,
                               const std::vector<std::string>& reference) {
  return {edit_distance(hypothesis, reference), static_cast<int64_t>(reference.size())};
}

ErrorCount word_errors(const std::string& hypothesis, const std::string& reference) {
  return count_errors(words_of(hypothesis), words_of(reference));
}

ErrorCount character_errors(const std::string& hypothesis, const std::string& reference) {
  return count_errors(utf8_characters(hypothesis), utf8_characters(reference));
}

// The sum of `errors_of` over the sentence pairs of a corpus.
template <typename ErrorsOf>
static ErrorCount corpus_errors(const std::vector<std::string>& hypotheses,
                                const std::vector<std::string>& references, ErrorsOf errors_of) {
  check(hypotheses.size() == references.size(), "error rate",
        std::to_string(hypotheses.size()) + " hypotheses but " + std::to_string(references.size()) +
            " references");
  ErrorCount total;
  for (size_t i = 0; i < hypotheses.size(); ++i) total.add(errors_of(hypotheses[i], references[i]));
  return total;
}

ErrorCount corpus_word_errors(const std::vector<std::string>& hypotheses,
                              const std::vector<std::string>& references) {
  return corpus_errors(hypotheses, references, word_errors);
}

ErrorCount corpus_character_errors(const std::vector<std::string>& hypotheses,
                                   const std::vector<std::string>& references) {
  return corpus_errors(hypotheses, references, character_errors);
}

}  // namespace attn
