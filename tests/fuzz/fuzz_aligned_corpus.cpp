// Fuzz target: sentence pairs with gold alignments, source<TAB>target<TAB>Pharaoh links, as
// `attn align --data` reads them. Whatever is accepted must write and read back to the same
// pairs and links.
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/targets.h"
#include "train/data/aligned_corpus.h"
#include "train/io/atomic_file.h"

namespace attn::fuzz {

namespace {

bool same_pairs(const std::vector<AlignedPair>& a, const std::vector<AlignedPair>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].source != b[i].source || a[i].target != b[i].target ||
        a[i].alignment != b[i].alignment)
      return false;
  return true;
}

}  // namespace

void fuzz_aligned_corpus(const std::string& input) {
  const std::string path = scratch_directory() + "/aligned.tsv";
  write_file_atomically(path, input);
  const std::vector<AlignedPair> pairs = read_aligned_tsv(path);
  write_file_atomically(path, aligned_tsv(pairs));
  if (!same_pairs(read_aligned_tsv(path), pairs)) {
    std::fprintf(stderr, "fuzz aligned_corpus: %zu pairs do not round-trip\n", pairs.size());
    std::abort();
  }
}

std::string seed_aligned_corpus() {
  return "21/11/26\t2026-11-21\t6-0 7-0 6-1 7-1 6-2 7-3 3-5 4-6 0-8 1-9\n"
         "5. März 1999\t1999-03-05\t8-0 9-1 10-2 11-3 3-5 4-5 5-5 6-5 3-6 4-6 5-6 6-6 0-8 0-9\n"
         "ein Hund\ta dog\t  0-0  4-2 \r\n"
         "고양이\tcat\t\n";
}

}  // namespace attn::fuzz
