// Parallel sentences with their gold word alignment: the data that measures how well a model's
// attention aligns (train/metrics/alignment_score.h, `attn align`).
//
// One file, one pair per line, three tab-separated columns:
//
//   21/11/26<TAB>2026-11-21<TAB>6-0 7-0 6-1 7-1 6-2 7-3 3-5 4-6 0-8 1-9
//
// the source, the target, and the links in the Pharaoh format (train/io/pharaoh.h), whose
// positions count *characters* (UTF-8 code points, the tokens of the char tokenizer) of the
// first two columns exactly as written: no trimming, spaces count. The first two columns are a
// TSV corpus as `attn train --tsv` reads it (it ignores the third), so the same file trains a
// model and measures it. Two separate files, a TSV corpus and a Pharaoh file with one line per
// pair, become one with `paste data.tsv data.align`.
//
// Rules: every line is valid UTF-8 and has exactly three columns; neither sentence is empty;
// every link points inside both sentences and appears once; a line may have no link (an empty
// third column). A line that breaks one is an error naming the file, the line and the link.
#pragma once

#include <string>
#include <vector>

#include "train/io/pharaoh.h"

namespace attn {

struct AlignedPair {
  std::string source;
  std::string target;
  Alignment alignment;  // source and target positions count characters
};

// Throws "path:line: what is wrong" for the first line that breaks a rule above.
std::vector<AlignedPair> read_aligned_tsv(const std::string& path);

// The pairs as the lines read_aligned_tsv reads, each ending in "\n".
std::string aligned_tsv(const std::vector<AlignedPair>& pairs);

}  // namespace attn
