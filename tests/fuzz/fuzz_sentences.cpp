// Fuzz target: a file of labelled sentences (TREC, SST-2), as the classifier's data reader reads
// it. Whatever is accepted must keep within the reader's bounds (labels 0..999, 1..1000 words,
// none empty or holding a blank) and must write and read back to the same examples.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/targets.h"
#include "train/data/sentences.h"

namespace attn::fuzz {

namespace {

bool within_bounds(const LabelledSentence& example) {
  const auto blank_or_empty = [](const std::string& word) {
    return word.empty() || word.find_first_of(" \t\n\r\v\f") != std::string::npos;
  };
  return example.label >= 0 && example.label <= kMaxSentenceLabel && !example.words.empty() &&
         example.words.size() <= kMaxSentenceWords &&
         std::none_of(example.words.begin(), example.words.end(), blank_or_empty);
}

}  // namespace

void fuzz_sentences(const std::string& input) {
  const SentenceFile file = parse_sentences(input, "fuzz.txt", input.size() % 2 == 0);
  for (const LabelledSentence& example : file.examples)
    if (!within_bounds(example)) {
      std::fprintf(stderr, "fuzz sentences: line %lld is out of bounds\n",
                   static_cast<long long>(example.line));
      std::abort();
    }
  const SentenceFile again = parse_sentences(format_sentences(file), "fuzz.txt");
  bool same = again.examples.size() == file.examples.size();
  for (size_t i = 0; same && i < file.examples.size(); ++i)
    same = again.examples[i].label == file.examples[i].label &&
           again.examples[i].words == file.examples[i].words;
  if (!same) {
    std::fprintf(stderr, "fuzz sentences: %zu examples do not round-trip\n", file.examples.size());
    std::abort();
  }
}

std::string seed_sentences() {
  return "5 How far is it from Denver to Aspen ?\n"
         "0 What is an atom ?\r\n"
         "\n"
         "1\tthe film is a charming , often affecting journey\n"
         "12 Ünïcode wörds stay as they are\n";
}

}  // namespace attn::fuzz
