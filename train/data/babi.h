// The bAbI question-answering tasks (Weston et al. 2015, "Towards AI-Complete Question Answering:
// A Set of Prerequisite Toy Tasks"), read for End-To-End Memory Networks (Sukhbaatar et al. 2015,
// §4), whose memory is the story's statements before a question.
//
// A file is numbered lines; the numbers restart at 1 for each new story, and a question line
// carries its answer and the numbers of the statements it rests on, after tabs:
//
//   1 Mary moved to the bathroom.
//   2 John went to the hallway.
//   3 Where is Mary? <TAB>bathroom<TAB>1          memory: sentences[0..2), supporting: {0}
//   4 Daniel went back to the hallway.
//   5 Where is Daniel? <TAB>hallway<TAB>4         memory: sentences[0..3), supporting: {2}
//   1 Sandra travelled to the office.             a new story
//
// Text is tokenised as the official MemN2N code (MemN2N-babi-matlab/parseBabiTask.m) does: lower
// case (ASCII letters), split on spaces, and the sentence's final '.' or '?' removed. An answer is
// one token, also lower case; tasks 8 and 19 have answers such as "apple,football" and "n,w",
// kept whole. A trailing "\r" (Windows line ends) is dropped.
//
// Rules: line numbers are positive and either continue the story (previous + 1) or start a new
// one (1); a line is a statement ("ID text") or a question (exactly three tab-separated columns);
// every statement and question has words; an answer is not empty and holds no space; a question
// has at least one supporting number, each naming a statement of its story before it; the text
// is valid UTF-8 (its words end up in vocabularies saved as JSON); and a file has a question.
// A line that breaks one is an attn::Error "FILE:LINE: what is wrong".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

// A story's statements, each tokenised, in order; its questions are not memory.
struct BabiStory {
  std::vector<std::vector<std::string>> sentences;
  bool operator==(const BabiStory&) const = default;
};

// A question points into its story rather than copying it, so a file's memory stays linear in its
// size however many questions a long story has.
struct BabiQuestion {
  int64_t story = 0;                // index into BabiFile::stories
  int64_t sentences_before = 0;     // its memory: the story's sentences[0 .. sentences_before)
  std::vector<std::string> words;   // the question, tokenised
  std::string answer;               // one token
  std::vector<int64_t> supporting;  // indices into the story's sentences, each < sentences_before
  int64_t line = 0;                 // the question's line in the file (1-based), for messages
  bool operator==(const BabiQuestion&) const = default;
};

struct BabiFile {
  std::string path;
  std::vector<BabiStory> stories;
  std::vector<BabiQuestion> questions;  // in file order
  bool operator==(const BabiFile&) const = default;
};

// Throws attn::Error: "path:line: what is wrong", "path: no questions", or why the file cannot
// be read.
BabiFile read_babi(const std::string& path);
// The same from text in memory; `name` stands for the path in the result and in messages.
BabiFile parse_babi(const std::string& text, const std::string& name);

// The file in the bAbI format, with its tokenised text (a '.' ends a statement, a '?' a
// question): parse_babi reads it back to the same stories and questions.
std::string format_babi(const BabiFile& file);

// The files of task `task` (1..20) in `folder`: "qaN_*train.txt" (which matches both
// "qa1_single-supporting-fact_train.txt" of en/ and "qa1_train.txt" of en-valid/), and likewise
// "qaN_*valid.txt" if there is one (otherwise `valid` is empty). Throws attn::Error when the
// task is out of range, the folder is not one, or the training file is missing or ambiguous.
struct BabiTaskFiles {
  std::string train;
  std::string valid;
};
BabiTaskFiles find_babi_task(const std::string& folder, int task);

}  // namespace attn
