// Exact match (see exact_match.h): a line counts when every byte equals its reference.
#include "train/metrics/exact_match.h"

#include <cstdio>
#include <stdexcept>

namespace attn {

double ExactMatch::percent() const {
  return lines == 0 ? 0.0 : 100.0 * static_cast<double>(matching) / static_cast<double>(lines);
}

ExactMatch exact_match(const std::vector<std::string>& hypotheses,
                       const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size())
    throw std::invalid_argument("exact_match: " + std::to_string(hypotheses.size()) +
                                " hypotheses for " + std::to_string(references.size()) +
                                " references");
  ExactMatch exact;
  exact.lines = static_cast<int64_t>(references.size());
  for (size_t i = 0; i < references.size(); ++i)
    if (hypotheses[i] == references[i]) ++exact.matching;
  return exact;
}

std::string to_string(const ExactMatch& exact) {
  char percent[32];
  std::snprintf(percent, sizeof percent, "%.2f", exact.percent());
  return "exact match = " + std::string(percent) + "% (" + std::to_string(exact.matching) +
         " of " + std::to_string(exact.lines) + " lines)";
}

}  // namespace attn
