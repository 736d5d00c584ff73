// Reading parallel corpora and batching them: the documented rules, and errors that name
// the file and the line.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "train/data/batching.h"
#include "train/data/corpus.h"
#include "tests/temporary_path.h"

using namespace attn;

static std::string write_temporary(const std::string& name, const std::string& contents) {
  const std::string path = temporary_path(name);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

TEST_CASE("corpus: two aligned files give pairs; empty sides are skipped and counted") {
  const auto src = write_temporary("attn_src.txt", "Ein Hund.\r\n\nZwei Katzen.\n  Grüße  \n");
  const auto tgt = write_temporary("attn_tgt.txt", "A dog.\nnot used\nTwo cats.\nGreetings\n");
  const Corpus corpus = read_parallel_files(src, tgt);
  REQUIRE(corpus.pairs.size() == 3);
  CHECK(corpus.skipped_empty == 1);
  CHECK(corpus.pairs[0].source == "Ein Hund.");  // "\r" dropped
  CHECK(corpus.pairs[2].source == "Grüße");       // trimmed
  CHECK(corpus.pairs[2].target == "Greetings");
}

TEST_CASE("corpus: files with different line counts are refused") {
  const auto src = write_temporary("attn_src2.txt", "a\nb\nc\n");
  const auto tgt = write_temporary("attn_tgt2.txt", "a\nb\n");
  CHECK_THROWS_WITH(read_parallel_files(src, tgt),
                    (src + " has 3 lines but " + tgt + " has 2: the files must be line-aligned").c_str());
}

TEST_CASE("corpus: a malformed line names the file and the line") {
  const auto bad = write_temporary("attn_bad.txt", "fine\nalso fine\nbroken \xFF here\n");
  CHECK_THROWS_WITH(read_lines(bad), (bad + ":3: invalid UTF-8 at byte 7").c_str());
  const auto tsv = write_temporary("attn_bad.tsv", "Go.\tVa !\nno tab on this line\n");
  CHECK_THROWS_WITH(read_tsv(tsv), (tsv + ":2: expected source<TAB>target, found no tab").c_str());
}

TEST_CASE("corpus: a TSV file gives pairs and ignores a third column") {
  const auto tsv = write_temporary("attn_ok.tsv", "Go.\tVa !\tCC-BY 2.0\nHi.\tSalut !\n\n");
  const Corpus corpus = read_tsv(tsv);
  REQUIRE(corpus.pairs.size() == 2);
  CHECK(corpus.pairs[0].target == "Va !");
  CHECK(corpus.skipped_empty == 1);
}

static std::vector<Example> examples_of_lengths(const std::vector<int>& lengths) {
  std::vector<Example> examples;
  for (int n : lengths)
    examples.push_back({std::vector<int64_t>(static_cast<size_t>(n), 5),
                        std::vector<int64_t>(static_cast<size_t>(n), 6)});
  return examples;
}

TEST_CASE("batching: every example lands in exactly one batch within the token budget") {
  const auto examples = examples_of_lengths({3, 9, 4, 4, 12, 2, 7, 7, 5, 30});
  Generator generator(1);
  const auto batches = make_batches(examples, 24, generator);
  std::multiset<size_t> seen;
  for (const auto& batch : batches) {
    int64_t longest = 0;
    for (size_t i : batch) {
      seen.insert(i);
      longest = std::max<int64_t>(longest, static_cast<int64_t>(examples[i].target.size()) + 1);
    }
    // The one example longer than the budget (30 + 1 tokens) is alone in its batch.
    CHECK((static_cast<int64_t>(batch.size()) * longest <= 24 || batch.size() == 1));
  }
  CHECK(seen.size() == examples.size());
  for (size_t i = 0; i < examples.size(); ++i) CHECK(seen.count(i) == 1);
}

TEST_CASE("batching: the same seed gives the same batches, another seed another order") {
  const auto examples = examples_of_lengths({3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4});
  Generator a(7), b(7), c(8);
  const auto first = make_batches(examples, 8, a);
  CHECK(first == make_batches(examples, 8, b));
  CHECK(first != make_batches(examples, 8, c));
}

TEST_CASE(
    "batching: collate pads, masks the source's padding and shifts the target for teacher "
    "forcing") {
  const std::vector<Example> examples{{{10, 11, 12}, {20, 21}}, {{13}, {22, 23, 24}}};
  const Batch batch = collate(examples, {0, 1});
  // source  [[10 11 12], [13 pad pad]]
  CHECK(batch.source.input.to_vector() == std::vector<real>{10, 11, 12, 13, 0, 0});
  CHECK(batch.source.mask.to_vector() == std::vector<real>{1, 1, 1, 1, 0, 0});
  // target_in  [[bos 20 21 pad], [bos 22 23 24]]    target_out [[20 21 eos pad], [22 23 24 eos]]
  CHECK(batch.target_in.to_vector() == std::vector<real>{1, 20, 21, 0, 1, 22, 23, 24});
  CHECK(batch.target_out.to_vector() == std::vector<real>{20, 21, 2, 0, 22, 23, 24, 2});
  CHECK(batch.target_tokens == 7);
}
