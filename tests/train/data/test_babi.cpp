// The bAbI reader (train/data/babi.h): statements become a story's memory once, questions point
// into it with supporting indices that skip question lines, the text writes and reads back, and
// every broken rule is one attn::Error naming the file and the line.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "tensor/error.h"
#include "train/data/babi.h"

using namespace attn;
namespace fs = std::filesystem;

namespace {

using Words = std::vector<std::string>;

// Two stories; the first has three questions, the last naming two statements, newest first.
const std::string kTwoStories =
    "1 Mary moved to the bathroom.\n"
    "2 John went to the hallway.\n"
    "3 Where is Mary? \tbathroom\t1\n"
    "4 Daniel went back to the hallway.\n"
    "5 Where is Daniel? \thallway\t4\n"
    "6 John moved to the office.\n"
    "7 Where is John? \toffice\t6 2\n"
    "1 Sandra travelled to the office.\n"
    "2 Where is Sandra?\toffice\t1\n";

// A fresh empty folder under the system's temporary one.
fs::path empty_folder(const std::string& name) {
  const fs::path folder = fs::temp_directory_path() / name;
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

}  // namespace

TEST_CASE("babi: statements are each story's memory, and questions point into it") {
  const BabiFile file = parse_babi(kTwoStories, "two.txt");
  CHECK(file.path == "two.txt");
  REQUIRE(file.stories.size() == 2);
  REQUIRE(file.stories[0].sentences.size() == 4);  // lines 1, 2, 4 and 6
  CHECK(file.stories[0].sentences[0] == Words{"mary", "moved", "to", "the", "bathroom"});
  CHECK(file.stories[0].sentences[2] == Words{"daniel", "went", "back", "to", "the", "hallway"});
  CHECK(file.stories[1].sentences ==
        std::vector<Words>{{"sandra", "travelled", "to", "the", "office"}});
  REQUIRE(file.questions.size() == 4);
  const BabiQuestion& mary = file.questions[0];
  CHECK(mary.story == 0);
  CHECK(mary.sentences_before == 2);
  CHECK(mary.words == Words{"where", "is", "mary"});
  CHECK(mary.answer == "bathroom");
  CHECK(mary.supporting == std::vector<int64_t>{0});
  CHECK(mary.line == 3);
  // Line 4 is statement 2: line 3 was a question, which is not memory.
  CHECK(file.questions[1].sentences_before == 3);
  CHECK(file.questions[1].supporting == std::vector<int64_t>{2});
  CHECK(file.questions[1].line == 5);
  CHECK(file.questions[2].sentences_before == 4);
  CHECK(file.questions[2].supporting == std::vector<int64_t>{3, 1});  // lines 6 and 2
  const BabiQuestion& sandra = file.questions[3];
  CHECK(sandra.story == 1);
  CHECK(sandra.sentences_before == 1);
  CHECK(sandra.supporting == std::vector<int64_t>{0});
  CHECK(sandra.line == 9);
}

TEST_CASE("babi: an answer of several items is one token, and text is lower case without its "
          "final mark") {
  const BabiFile file = parse_babi(
      "1 Mary got the Apple there.\r\n"
      "2 Mary  took the football there .\r\n"
      "3 What is Mary carrying?\tapple,football\t1 2\r\n"
      "4 Bill gave the apple to Fred.\r\n"
      "5 Who gave the apple?\tBill\t4",  // no newline at the end
      "items.txt");
  CHECK(file.stories[0].sentences[0] == Words{"mary", "got", "the", "apple", "there"});
  CHECK(file.stories[0].sentences[1] == Words{"mary", "took", "the", "football", "there"});
  CHECK(file.questions[0].words == Words{"what", "is", "mary", "carrying"});
  CHECK(file.questions[0].answer == "apple,football");
  CHECK(file.questions[1].answer == "bill");
  CHECK(file.questions[1].supporting == std::vector<int64_t>{2});
}

TEST_CASE("babi: format_babi writes the tokenised file, which reads back the same") {
  const BabiFile file = parse_babi(kTwoStories, "two.txt");
  const std::string text = format_babi(file);
  CHECK(text.starts_with("1 mary moved to the bathroom.\n2 john went to the hallway.\n"
                         "3 where is mary?\tbathroom\t1\n4 daniel went back to the hallway.\n"));
  CHECK(parse_babi(text, "two.txt") == file);
  // A story without questions, and statements after a story's last question, are kept too.
  const BabiFile tails = parse_babi("1 a.\n1 b.\n2 b?\tx\t1\n3 c c.\n", "tails.txt");
  CHECK(format_babi(tails) == "1 a.\n1 b.\n2 b?\tx\t1\n3 c c.\n");
}

TEST_CASE("babi: a story's statements are stored once, however many questions follow them") {
  std::string text;
  const int64_t statements = 200;
  for (int64_t i = 0; i < statements; ++i)
    text += std::to_string(2 * i + 1) + " Mary moved to room " + std::to_string(i) + ".\n" +
            std::to_string(2 * i + 2) + " Where is Mary?\troom\t1\n";
  const BabiFile file = parse_babi(text, "long.txt");
  REQUIRE(file.stories.size() == 1);
  CHECK(std::ssize(file.stories[0].sentences) == statements);
  REQUIRE(std::ssize(file.questions) == statements);
  for (const BabiQuestion& question : file.questions) {
    CHECK(question.sentences_before == question.line / 2);  // a prefix of the one story, not a copy
    CHECK(question.words.size() == 3);                      // the question holds only its own words
  }
}

TEST_CASE("babi: each broken rule is one error naming the file and the line") {
  const std::string not_a_number = "expected a line number (a positive whole number below 10^18)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1 a.\nx b.\n", ":2: " + not_a_number + ", found 'x'"},
      {"1 a.\n0 b.\n", ":2: " + not_a_number + ", found '0'"},
      {"1 a.\n-2 b.\n", ":2: " + not_a_number + ", found '-2'"},
      {"1 a.\n99999999999999999999 b.\n", ":2: " + not_a_number + ", found '99999999999999999999'"},
      {"1 a.\n" + std::string(1000, '7') + " b.\n",  // a long token is cut short in the message
       ":2: " + not_a_number + ", found '77777777777777777777...'"},
      {" 1 a.\n", ":1: " + not_a_number + ", found ''"},
      {"2 a.\n", ":1: the first line number must be 1, found 2"},
      {"1 a.\n2 b.\n4 c.\n",
       ":3: line number 4 neither continues the story (3) nor starts a new one (1)"},
      {"1 a.\n\n", ":2: an empty line, expected 'ID text'"},
      {"1 a.\n2 .\n", ":2: the statement has no words"},
      {"1 a.\n2\n", ":2: the statement has no words"},
      {"1 a\xFF.\n", ":1: invalid UTF-8 at byte 3"},
      {"1 a.\n2 where?\tx\n",
       ":2: expected 'ID text' or 'ID question<TAB>answer<TAB>supporting ids', found 1 tab"},
      {"1 a.\n2 where?\tx\t1\tnote\n",
       ":2: expected 'ID text' or 'ID question<TAB>answer<TAB>supporting ids', found 3 tabs"},
      {"1 a.\n2 ?\tx\t1\n", ":2: the question has no words"},
      {"1 a.\n2 where?\t\t1\n", ":2: the answer is empty"},
      {"1 a.\n2 where?\tthe hall\t1\n",
       ":2: the answer 'the hall' holds a space: an answer is one token (tasks 8 and 19 join "
       "theirs with commas)"},
      {"1 a.\n2 where?\tx\t \n", ":2: the question has no supporting ids"},
      {"1 a.\n2 where?\tx\tone\n", ":2: supporting id 'one' is not a line number"},
      {"1 a.\n2 where?\tx\t0\n", ":2: supporting id '0' is not a line number"},
      {"1 a.\n2 where?\tx\t2\n", ":2: supporting id 2 is not before the question (line number 2)"},
      {"1 a.\n2 where?\tx\t3\n", ":2: supporting id 3 is not before the question (line number 2)"},
      {"1 a.\n2 where?\tx\t1\n3 who?\ty\t2\n",
       ":3: supporting id 2 is a question, not a statement"},
      {"1 a.\n2 b.\n3 where?\tx\t1\n1 c.\n2 who?\ty\t3\n",  // 3 is in the story before
       ":5: supporting id 3 is not before the question (line number 2)"},
  };
  for (const auto& [text, message] : cases) {
    CAPTURE(text);
    CHECK_THROWS_WITH_AS(parse_babi(text, "story.txt"), ("story.txt" + message).c_str(), Error);
  }
}

TEST_CASE("babi: a file without questions, a missing file and a folder are refused in one line") {
  CHECK_THROWS_WITH_AS(parse_babi("", "empty.txt"), "empty.txt: no questions", Error);
  CHECK_THROWS_WITH_AS(parse_babi("1 a.\n2 b.\n", "statements.txt"), "statements.txt: no questions",
                       Error);
  const fs::path folder = empty_folder("attn_babi_read");
  const std::string missing = (folder / "qa1_train.txt").string();
  CHECK_THROWS_WITH_AS(read_babi(missing),
                       ("cannot open " + missing + ": No such file or directory").c_str(), Error);
  CHECK_THROWS_WITH_AS(read_babi(folder.string()),
                       (folder.string() + " is a directory, not a file").c_str(), Error);
  std::ofstream(missing, std::ios::binary) << kTwoStories;
  CHECK(read_babi(missing) == parse_babi(kTwoStories, missing));
  fs::remove_all(folder);
}

TEST_CASE("babi: a task's files are found by the names of en/ and en-valid/, once each") {
  const fs::path folder = empty_folder("attn_babi_tasks");
  for (const char* name :
       {"qa1_single-supporting-fact_train.txt", "qa10_indefinite-knowledge_train.txt",
        "qa2_train.txt", "qa2_valid.txt", "qa3_a_train.txt", "qa3_b_train.txt", "qa4_test.txt"})
    std::ofstream(folder / name) << "";
  const std::string dir = folder.string();
  const BabiTaskFiles one = find_babi_task(dir, 1);  // not qa10_...
  CHECK(one.train == (folder / "qa1_single-supporting-fact_train.txt").string());
  CHECK(one.valid.empty());
  CHECK(find_babi_task(dir, 10).train == (folder / "qa10_indefinite-knowledge_train.txt").string());
  const BabiTaskFiles two = find_babi_task(dir, 2);
  CHECK(two.train == (folder / "qa2_train.txt").string());
  CHECK(two.valid == (folder / "qa2_valid.txt").string());
  CHECK_THROWS_WITH_AS(find_babi_task(dir, 3),
                       (dir + " has 2 bAbI task 3 training files (qa3_a_train.txt, "
                              "qa3_b_train.txt): keep one").c_str(),
                       Error);
  CHECK_THROWS_WITH_AS(find_babi_task(dir, 4),
                       (dir + " has no bAbI task 4 training file (qa4_*train.txt)").c_str(), Error);
  CHECK_THROWS_WITH_AS(find_babi_task(dir, 21), "bAbI: tasks are numbered 1..20, got 21", Error);
  CHECK_THROWS_WITH_AS(find_babi_task(dir + "/none", 1), (dir + "/none is not a folder").c_str(),
                       Error);
  fs::remove_all(folder);
}

namespace {

// The file's questions, after checking that it writes and reads back the same.
int64_t question_count(const std::string& path) {
  CAPTURE(path);
  const BabiFile file = read_babi(path);
  CHECK(parse_babi(format_babi(file), path) == file);
  return std::ssize(file.questions);
}

}  // namespace

TEST_CASE("babi: every task of the shared data reads and writes back the same, 1,000 questions "
          "each (skipped without ../shared/data/babi)") {
  const fs::path root = fs::path(ATTN_SOURCE_DIR) / "../shared/data/babi";
  if (!fs::is_directory(root)) {
    std::cout << "test skipped: no bAbI tasks at " << root.string() << "\n";
    return;
  }
  for (int task = 1; task <= 20; ++task) {
    CAPTURE(task);
    const BabiTaskFiles en = find_babi_task((root / "en").string(), task);
    CHECK(en.valid.empty());
    CHECK(question_count(en.train) == 1000);
    // en-valid splits the same stories 90/10 by story, so its question counts are near 900/100.
    const BabiTaskFiles split = find_babi_task((root / "en-valid").string(), task);
    REQUIRE_FALSE(split.valid.empty());
    CHECK(question_count(split.train) + question_count(split.valid) == 1000);
  }
}
