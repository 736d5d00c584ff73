// Pairs with gold alignments (source<TAB>target<TAB>links): read, written back, and every broken
// rule named with the file and the line.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "train/data/aligned_corpus.h"

using namespace attn;

static std::string write_temporary(const std::string& name, const std::string& contents) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

TEST_CASE("aligned corpus: positions count characters as written, and the file reads back") {
  const std::string text =
      "5. März 1999\t1999-03-05\t8-0 9-1 10-2 11-3 3-5 4-5 5-5 6-5 3-6 4-6 5-6 6-6 0-8 0-9\n"
      " hé \tx\t3-0\r\n"
      "고양이\tcat\t\n";
  const auto path = write_temporary("attn_aligned.tsv", text);
  const std::vector<AlignedPair> pairs = read_aligned_tsv(path);
  REQUIRE(pairs.size() == 3);
  CHECK(pairs[0].alignment.size() == 14);
  CHECK(pairs[0].alignment[2] == AlignmentLink{10, 2});
  CHECK(pairs[1].source == " hé ");  // nothing trimmed: the link 3-0 is the trailing space
  CHECK(pairs[1].alignment == Alignment{{3, 0}});
  CHECK(pairs[2].alignment.empty());
  CHECK(aligned_tsv({pairs[1]}) == " hé \tx\t3-0\n");
  const auto again = write_temporary("attn_aligned_again.tsv", aligned_tsv(pairs));
  const std::vector<AlignedPair> reread = read_aligned_tsv(again);
  REQUIRE(reread.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(reread[i].source == pairs[i].source);
    CHECK(reread[i].target == pairs[i].target);
    CHECK(reread[i].alignment == pairs[i].alignment);
  }
}

TEST_CASE("aligned corpus: each broken rule is one error naming the file and the line") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ab\tcd", "expected source<TAB>target<TAB>alignment, found 2 columns"},
      {"ab", "expected source<TAB>target<TAB>alignment, found 1 column"},
      {"", "expected source<TAB>target<TAB>alignment, found 1 column"},
      {"ab\tcd\t0-0\tnote", "expected source<TAB>target<TAB>alignment, found 4 columns"},
      {"\tcd\t", "the source is empty"},
      {"ab\t\t", "the target is empty"},
      {"ab\tcd\t0-0 1x1", "'1x1' is not a link i-j (source position - target position)"},
      {"ab\tcd\t2-0", "link 2-0 points past the source's 2 characters"},
      {"äb\tcd\t1-2", "link 1-2 points past the target's 2 characters"},
      {"ab\tcd\t0-1 1-1 0-1", "link 0-1 appears twice"},
  };
  for (const auto& [line, message] : cases) {
    CAPTURE(line);
    const auto path = write_temporary("attn_bad_aligned.tsv", "ab\tcd\t0-0 1-1\n" + line + "\n");
    CHECK_THROWS_WITH(read_aligned_tsv(path), (path + ":2: " + message).c_str());
  }
  const auto utf8 = write_temporary("attn_bad_utf8_aligned.tsv", "a\xFF\tb\t0-0\n");
  CHECK_THROWS_WITH(read_aligned_tsv(utf8), (utf8 + ":1: invalid UTF-8 at byte 1").c_str());
}
