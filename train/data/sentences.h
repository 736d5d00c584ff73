// Labelled sentences for classification: TREC question types, SST-2 sentiment, or any file of
// the same format, and a generated task for tests and the curriculum.
//
// One example a line, its class first, then the tokenised sentence, separated by spaces:
//
//   5 How far is it from Denver to Aspen ?          class 5 (NUM), 9 tokens
//   0 What is an atom ?                             class 0 (DESC)
//
// (the format of ../shared/data/sentences, harvardnlp/sent-conv-torch's). Tabs (and "\r", "\v",
// "\f") separate as spaces do; a trailing "\r" (Windows line ends) is dropped; lines that are empty or only
// blanks are skipped (a file ending in a blank line is common and harmless). Lowercasing (ASCII
// letters) is an option: the classifiers of Kim 2014 read lowercased text.
//
// Rules, each broken one an attn::Error "PATH:LINE: what is wrong": the label is a whole number
// 0 .. 999 written in at most three digits (a label past any sane number of classes is a broken
// file, not a task); at least one token follows it; the line is valid UTF-8 and at most 64 KiB,
// with at most 1000 tokens; and the file has at least one example. A file over 1 GiB is refused
// before it is read. So hostile input can cost at most the file's size in memory.
//
// Without a validation file, hold_out_sentences keeps every N-th example apart: Kim 2014 (§3)
// holds out 10% of the TREC training set as its development set.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct LabelledSentence {
  int64_t label = 0;               // 0 .. 999
  std::vector<std::string> words;  // the tokens, lowercased if asked
  int64_t line = 0;                // its line in the file (1-based), for messages
  bool operator==(const LabelledSentence&) const = default;
};

struct SentenceFile {
  std::string path;
  std::vector<LabelledSentence> examples;  // in file order
  int64_t classes() const;                 // the largest label + 1
};

constexpr int64_t kMaxSentenceLabel = 999;
constexpr size_t kMaxSentenceLineBytes = 64 * 1024;
constexpr size_t kMaxSentenceWords = 1000;

// Throws attn::Error: "path:line: what is wrong", "path: no examples", or why it cannot be read.
SentenceFile read_sentences(const std::string& path, bool lowercase = false);
// The same from text in memory; `name` stands for the path in the result and in messages.
SentenceFile parse_sentences(const std::string& text, const std::string& name,
                             bool lowercase = false);
// The file's text: parse_sentences reads it back to the same examples.
std::string format_sentences(const SentenceFile& file);

// The examples split in two: example i is held out when i % every == every - 1 (every = 10:
// examples 9, 19, 29, ..., 10% of the file, spread evenly over it).
struct SentenceSplit {
  SentenceFile kept, held_out;
};
SentenceSplit hold_out_sentences(const SentenceFile& file, int64_t every);

// ---- a generated task ---------------------------------------------------------------------------
// "Which keyword?": each sentence is 4 to 11 filler words ("the", "old", "saw", "near", ...) with
// one keyword at a random place; the keyword alone decides the class, 4 classes of 3 keywords:
//   0 fruit   apple pear plum        2 colour  red blue green
//   1 animal  dog cat horse          3 vehicle car bus train
// e.g. "1 yesterday the old cat saw a house near us": class 1, because of "cat". A model that
// attends should put its weight on the keyword. The same `seed` gives the same examples.
SentenceFile keyword_task(int64_t count, uint64_t seed);
// The keyword of a keyword_task sentence's words, its index, or -1 when it has none.
int64_t keyword_position(const std::vector<std::string>& words);

}  // namespace attn
