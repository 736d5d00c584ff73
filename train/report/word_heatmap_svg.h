// A sentence's words shaded by attention, one row per attention row: the picture of Lin et al.
// 2017, "A structured self-attentive sentence embedding", Figure 2.
//
//   hop 1   [what] [is]  [the] [capital] [of] [peru] [?]       each word on a red background,
//   hop 2   [what] [is]  [the] [capital] [of] [peru] [?]       as opaque as its weight over the
//   mean    [what] [is]  [the] [capital] [of] [peru] [?]       largest weight of its row
//
// The words keep their reading order and their own widths, so a row reads as the sentence it
// is. Shading by the row's largest weight makes a row that spreads its weight thinly over many
// words as readable as one that puts it all on one; each word's exact weight is its tooltip.
#pragma once

#include <string>
#include <vector>

namespace attn {

// rows: one weight per word each (>= 0), labelled by row_labels; title: the first line.
// Throws std::invalid_argument when a row's length differs from the words' or the labels' count
// from the rows'.
std::string word_heatmap_svg(const std::vector<std::string>& words,
                             const std::vector<std::vector<double>>& rows,
                             const std::vector<std::string>& row_labels, const std::string& title);

}  // namespace attn
