// Exact match: the share of hypotheses equal to their reference, byte for byte.
//
//   exact = |{ i : hypothesis_i == reference_i }| / N
//
// The yardstick of tasks with one right answer, such as SCAN (Lake & Baroni 2018, §3), where a
// command translated with one action wrong counts as wrong, however close its BLEU.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct ExactMatch {
  int64_t matching = 0;  // lines equal to their reference
  int64_t lines = 0;     // N
  double percent() const;
};

// Throws when the two lists differ in length.
ExactMatch exact_match(const std::vector<std::string>& hypotheses,
                       const std::vector<std::string>& references);

// "exact match = 99.88% (1670 of 1672 lines)"
std::string to_string(const ExactMatch& exact);

}  // namespace attn
