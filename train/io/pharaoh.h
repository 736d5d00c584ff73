// Word alignments in the Pharaoh format: which source tokens each target token comes from.
//
//   source  "21/11/26"          target  "2026-11-21"
//   links   "6-0 7-0 6-1 7-1 6-2 7-3 3-5 4-6 0-8 1-9"
//
// Each link "i-j" says that source token i (counted from 0) is one of the tokens target token j
// translates; a target token may have several links, or none ('-' above comes from nothing).
// It is the word-alignment format of the Pharaoh and Moses decoders, which the aligners write
// (GIZA++ through Moses, fast_align) and alignment scorers read. Links are separated by spaces;
// "i" is always the source side.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct AlignmentLink {
  int64_t source = 0;  // i: source token position, from 0
  int64_t target = 0;  // j: target token position, from 0
  bool operator==(const AlignmentLink&) const = default;
};

using Alignment = std::vector<AlignmentLink>;

// "i-j i-j ...", the links in their order, one space between them ("" for no link).
std::string to_pharaoh(const Alignment& alignment);

// Reads "i-j" links separated by one or more spaces; an empty or all-space text is no link. A
// position is 1 to 9 decimal digits. Throws one line naming the first malformed link:
// "'3x4' is not a link i-j (source position - target position)".
Alignment parse_pharaoh(const std::string& text);

}  // namespace attn
