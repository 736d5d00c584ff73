// Labelled sentences (train/data/sentences.h, sentence_batches.h): a good file, every kind of
// broken line as "PATH:LINE: what", the hold-out split, the generated task, and batches.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "models/seq2seq/special_tokens.h"
#include "tensor/error.h"
#include "tests/temporary_path.h"
#include "train/data/sentence_batches.h"
#include "train/data/sentences.h"
#include "train/io/atomic_file.h"

using namespace attn;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_sentences(text, "s.txt");
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("sentences: a good file reads labels and tokens; blank lines are skipped; lowercasing "
          "is an option") {
  const std::string text = "5 How far is it ?\r\n\n   \n0\tWhat is an  atom ?\n12 Ünïcode Words\n";
  const SentenceFile file = parse_sentences(text, "s.txt");
  REQUIRE(file.examples.size() == 3);
  CHECK(file.examples[0] == LabelledSentence{5, {"How", "far", "is", "it", "?"}, 1});
  CHECK(file.examples[1] == LabelledSentence{0, {"What", "is", "an", "atom", "?"}, 4});
  CHECK(file.examples[2].line == 5);
  CHECK(file.classes() == 13);
  const SentenceFile lower = parse_sentences(text, "s.txt", true);
  CHECK(lower.examples[0].words[0] == "how");
  CHECK(lower.examples[2].words[0] == "Ünïcode");  // ASCII letters only: Ü stays
  CHECK(lower.examples[2].words[1] == "words");
  // Writing and reading back gives the same examples (line numbers aside, blank lines are gone).
  const SentenceFile again = parse_sentences(format_sentences(file), "again");
  REQUIRE(again.examples.size() == 3);
  for (size_t i = 0; i < 3; ++i) CHECK(again.examples[i].words == file.examples[i].words);
}

TEST_CASE("sentences: a carriage return inside a line separates tokens, so a file reads back the "
          "same after writing") {
  // Found by the fuzzer: "atom 5?\r " kept "5?\r" as a token, which was written back as
  // "5?\r\n" and then read as "5?".
  const SentenceFile file = parse_sentences("0 What is an atom 5?\r \n1 a\rb\vc\fd\n", "s.txt");
  REQUIRE(file.examples.size() == 2);
  CHECK(file.examples[0].words == std::vector<std::string>{"What", "is", "an", "atom", "5?"});
  CHECK(file.examples[1].words == std::vector<std::string>{"a", "b", "c", "d"});
  const SentenceFile again = parse_sentences(format_sentences(file), "s.txt");
  CHECK(again.examples[0].words == file.examples[0].words);
  CHECK(again.examples[1].words == file.examples[1].words);
}

TEST_CASE("sentences: each kind of broken line is one error naming the file and the line") {
  CHECK(error_of("1 fine\nx bad label\n") ==
        "s.txt:2: the label must be a whole number 0..999 first on the line, found 'x'");
  CHECK(error_of("-1 negative\n") ==
        "s.txt:1: the label must be a whole number 0..999 first on the line, found '-1'");
  CHECK(error_of("1000 too many classes\n") ==
        "s.txt:1: the label must be a whole number 0..999 first on the line, found '1000'");
  CHECK(error_of("99999999999999999999999 overflow\n").rfind("s.txt:1: the label must", 0) == 0);
  CHECK(error_of("1.5 fraction\n").rfind("s.txt:1: the label must", 0) == 0);
  CHECK(error_of("1 fine\n\n3\n") == "s.txt:3: a label without a sentence, expected 'LABEL tokens...'");
  CHECK(error_of("1 bad \xff byte\n") == "s.txt:1: the line is not valid UTF-8");
  CHECK(error_of("1 " + std::string(70000, 'a') + "\n") ==
        "s.txt:1: the line is 70002 bytes, more than the 65536 allowed");
  std::string many = "1";
  for (int i = 0; i < 1001; ++i) many += " w";
  CHECK(error_of(many) == "s.txt:1: 1001 tokens, more than the 1000 allowed");
  CHECK(error_of("\n \n") == "s.txt: no examples");
  CHECK(error_of("") == "s.txt: no examples");
}

TEST_CASE("sentences: reading a file names it, and a missing one is an error") {
  const std::string path = temporary_path("sentences_file.txt");
  write_file_atomically(path, "1 a b\n2 c\nq\n");
  CHECK_THROWS_WITH_AS(read_sentences(path), (path + ":3: the label must be a whole number 0..999 "
                                              "first on the line, found 'q'").c_str(), Error);
  CHECK_THROWS_AS(read_sentences(path + ".missing"), Error);
}

TEST_CASE("sentences: every 10th example is held out, spread over the file") {
  const SentenceFile file = keyword_task(25, 3);
  const SentenceSplit split = hold_out_sentences(file, 10);
  REQUIRE(split.held_out.examples.size() == 2);  // examples 9 and 19
  CHECK(split.kept.examples.size() == 23);
  CHECK(split.held_out.examples[0] == file.examples[9]);
  CHECK(split.held_out.examples[1] == file.examples[19]);
  CHECK(split.kept.examples[9] == file.examples[10]);
}

TEST_CASE("sentences: the keyword task is seeded, has one keyword per sentence, and the keyword "
          "decides the class") {
  const SentenceFile a = keyword_task(200, 7), b = keyword_task(200, 7), c = keyword_task(200, 8);
  CHECK(format_sentences(a) == format_sentences(b));
  CHECK(format_sentences(a) != format_sentences(c));
  std::set<int64_t> labels;
  std::map<std::string, int64_t> class_of;
  for (const LabelledSentence& example : a.examples) {
    labels.insert(example.label);
    CHECK(example.words.size() >= 5);
    CHECK(example.words.size() <= 12);
    const int64_t at = keyword_position(example.words);
    REQUIRE(at >= 0);
    const std::string& keyword = example.words[static_cast<size_t>(at)];
    if (class_of.count(keyword)) CHECK(class_of[keyword] == example.label);  // one class each
    class_of[keyword] = example.label;
  }
  CHECK(labels == std::set<int64_t>{0, 1, 2, 3});
}

TEST_CASE("sentences: batches hold padded word ids, and the class as token 4 + c") {
  const SentenceFile file = parse_sentences("2 a b c\n0 b\n1 zz a\n", "s");
  const Vocabulary vocabulary = sentence_vocabulary(file, 2);  // a and b are seen twice, c and zz once
  CHECK(vocabulary.size() == special_tokens::count + 2);
  const SentenceBatches data(file, vocabulary, 2);
  const Batch batch = data.batch({0, 1});
  CHECK(batch.source.input.shape() == Shape{2, 3});
  CHECK(batch.source.input.at({0, 2}) == special_tokens::unk);  // c
  CHECK(batch.source.input.at({1, 1}) == special_tokens::pad);
  CHECK(batch.source.mask.at({1, 1}) == 0);
  CHECK(batch.target_in.at({0, 0}) == special_tokens::bos);
  CHECK(batch.target_out.at({0, 0}) == special_tokens::count + 2);
  CHECK(batch.target_out.at({1, 0}) == special_tokens::count + 0);
  CHECK(batch.target_tokens == 2);
  CHECK(data.in_order() == std::vector<std::vector<size_t>>{{0, 1}, {2}});
  Generator order(1);
  size_t seen = 0;
  for (const auto& indices : data.epoch(order)) seen += indices.size();
  CHECK(seen == 3);
}
