// Parallel corpora: pairs of sentences that translate each other.
//
// Two layouts are read:
//   two line-aligned files (Multi30k):   train.de line i  <->  train.en line i
//   one tab-separated file (Tatoeba):    "Go.\tVa !" (columns after the second are ignored)
// Rules, the same for both:
//   - every line must be valid UTF-8; a malformed line is an error naming file and line;
//   - files with different line counts are refused before anything else happens;
//   - a trailing "\r" (Windows line ends) is dropped, surrounding spaces are trimmed;
//   - a pair with an empty side is skipped and counted (Corpus::skipped_empty), not an error;
//   - over-long sentences are dropped later, when their token count is known (dataset.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct SentencePair {
  std::string source;
  std::string target;
};

struct Corpus {
  std::vector<SentencePair> pairs;
  int64_t skipped_empty = 0;  // pairs dropped because one side was empty
};

Corpus read_parallel_files(const std::string& source_path, const std::string& target_path);
Corpus read_tsv(const std::string& path);

// The lines of a UTF-8 text file, each checked; throws "path:line: invalid UTF-8 at byte N".
std::vector<std::string> read_lines(const std::string& path);

}  // namespace attn
