// Fuzz target: a bAbI task file (Weston et al. 2015), numbered statements and questions with
// their answers and supporting line numbers, as the memory-network data reader reads it. Whatever
// is accepted must point only inside itself (each question into a story, each supporting fact
// into the question's memory) and must write and read back to the same stories and questions.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "tests/fuzz/targets.h"
#include "train/data/babi.h"

namespace attn::fuzz {

namespace {

// True when `question` points inside its file: its story exists, its memory is a prefix of that
// story's statements, and each supporting fact lies in its memory.
bool points_inside(const BabiFile& file, const BabiQuestion& question) {
  if (question.story < 0 || question.story >= std::ssize(file.stories)) return false;
  const auto& sentences = file.stories[static_cast<size_t>(question.story)].sentences;
  if (question.sentences_before < 0 || question.sentences_before > std::ssize(sentences))
    return false;
  return std::all_of(question.supporting.begin(), question.supporting.end(), [&](int64_t fact) {
    return fact >= 0 && fact < question.sentences_before;
  });
}

}  // namespace

void fuzz_babi(const std::string& input) {
  const BabiFile file = parse_babi(input, "fuzz.txt");
  for (const BabiQuestion& question : file.questions)
    if (!points_inside(file, question)) {
      std::fprintf(stderr, "fuzz babi: the question of line %lld points outside its memory\n",
                   static_cast<long long>(question.line));
      std::abort();
    }
  if (!(parse_babi(format_babi(file), "fuzz.txt") == file)) {
    std::fprintf(stderr, "fuzz babi: %zu questions do not round-trip\n", file.questions.size());
    std::abort();
  }
}

std::string seed_babi() {
  return "1 Mary moved to the bathroom.\n"
         "2 John went to the hallway.\n"
         "3 Where is Mary? \tbathroom\t1\n"
         "4 Mary got the apple there.\n"
         "5 Mary took the football there.\n"
         "6 What is Mary carrying?\tapple,football\t4 5\n"
         "1 The kitchen is north of the office.\r\n"
         "2 How do you go from the office to the kitchen?\tn\t1\r\n"
         "3 Bill gave the milk to Fred.\n"
         "4 Who gave the milk?\tBill\t3\n";
}

}  // namespace attn::fuzz
