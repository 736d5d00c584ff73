// Reading and writing bAbI task files, and finding a task's files in a folder (see babi.h).
#include "train/data/babi.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

#include "tensor/error.h"
#include "train/io/atomic_file.h"
#include "train/io/utf8.h"

namespace attn {

namespace {

constexpr int kTaskCount = 20;
constexpr int64_t kQuestionLine = -1;  // a story line that is a question, so no statement
constexpr auto npos = std::string_view::npos;

// The words of `text`, split on runs of spaces.
std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> words;
  for (size_t begin = text.find_first_not_of(' '); begin != npos;) {
    const size_t end = std::min(text.find(' ', begin), text.size());
    words.push_back(text.substr(begin, end - begin));
    begin = text.find_first_not_of(' ', end);
  }
  return words;
}

// ASCII only: UTF-8 text (the Hindi tasks) passes through unchanged, and no locale is involved.
std::string lower_case(std::string_view text) {
  std::string lower(text);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return lower;
}

// parseBabiTask.m drops a final '.' or '?' from every word; bAbI's only punctuation ends its
// sentences, so dropping the sentence's last one is the same there, and it lets format_babi
// write any word back exactly.
std::vector<std::string> babi_words(std::string_view text) {
  text = text.substr(0, text.find_last_not_of(' ') + 1);  // npos + 1 is 0: all spaces
  if (!text.empty() && (text.back() == '.' || text.back() == '?')) text.remove_suffix(1);
  std::vector<std::string> words;
  for (std::string_view word : split_spaces(text)) words.push_back(lower_case(word));
  return words;
}

// A positive line number, or nothing. At most 18 digits, fewer than int64_t holds, so nothing
// wraps; no real file comes near 10^18 lines.
std::optional<int64_t> line_number(std::string_view text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != npos)
    return std::nullopt;
  int64_t value = 0;
  for (char digit : text) value = value * 10 + (digit - '0');
  if (value == 0) return std::nullopt;
  return value;
}

// `text` quoted for a message, cut after about 20 bytes (at a character boundary) so that a
// megabyte-long token in a hostile file still gives a short error.
std::string quoted(std::string_view text) {
  if (text.size() <= 24) return "'" + std::string(text) + "'";
  size_t cut = 20;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return "'" + std::string(text.substr(0, cut)) + "...'";
}

// Reads a file line by line. What a line is checked against is the current story so far: for
// each of its line numbers, the statement it holds (or kQuestionLine).
class BabiParser {
 public:
  explicit BabiParser(const std::string& name) { file_.path = name; }

  void read_line(std::string_view line) {
    ++line_;
    check_utf8(line);
    if (line.empty()) fail("an empty line, expected 'ID text'");
    const auto tabs = std::count(line.begin(), line.end(), '\t');
    if (tabs != 0 && tabs != 2)
      fail("expected 'ID text' or 'ID question<TAB>answer<TAB>supporting ids', found " +
           std::to_string(tabs) + (tabs == 1 ? " tab" : " tabs"));
    const size_t tab = line.find('\t');
    const std::string_view first = line.substr(0, tab);
    const size_t space = first.find(' ');
    const int64_t id = start_line(first.substr(0, space));
    const std::string_view text = space == npos ? std::string_view() : first.substr(space + 1);
    if (tab == npos) {
      add_statement(text);
    } else {
      const size_t second_tab = line.find('\t', tab + 1);
      add_question(id, text, line.substr(tab + 1, second_tab - tab - 1),
                   line.substr(second_tab + 1));
    }
  }

  BabiFile finish() && {
    if (file_.questions.empty()) throw Error(file_.path + ": no questions");
    return std::move(file_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(file_.path + ":" + std::to_string(line_) + ": " + what);
  }

  // Words end up in vocabularies saved as JSON, which refuses invalid UTF-8: refuse it here,
  // where the line is known (utf8_characters names the byte).
  void check_utf8(std::string_view line) const {
    const std::string text(line);
    if (is_valid_utf8(text)) return;
    try {
      utf8_characters(text);
    } catch (const std::runtime_error& error) {
      fail(error.what());
    }
  }

  // Checks the line's number against the story so far; 1 starts a new story.
  int64_t start_line(std::string_view id_text) {
    const std::optional<int64_t> id = line_number(id_text);
    if (!id)
      fail("expected a line number (a positive whole number below 10^18), found " +
           quoted(id_text));
    const int64_t next = std::ssize(statement_at_) + 1;
    if (*id == 1) {
      file_.stories.emplace_back();
      statement_at_.clear();
    } else if (file_.stories.empty()) {
      fail("the first line number must be 1, found " + std::to_string(*id));
    } else if (*id != next) {
      fail("line number " + std::to_string(*id) + " neither continues the story (" +
           std::to_string(next) + ") nor starts a new one (1)");
    }
    return *id;
  }

  void add_statement(std::string_view text) {
    std::vector<std::string> words = babi_words(text);
    if (words.empty()) fail("the statement has no words");
    auto& sentences = file_.stories.back().sentences;
    statement_at_.push_back(std::ssize(sentences));
    sentences.push_back(std::move(words));
  }

  void add_question(int64_t id, std::string_view text, std::string_view answer,
                    std::string_view supporting) {
    BabiQuestion question;
    question.story = std::ssize(file_.stories) - 1;
    question.sentences_before = std::ssize(file_.stories.back().sentences);
    question.words = babi_words(text);
    if (question.words.empty()) fail("the question has no words");
    question.answer = answer_token(answer);
    question.supporting = supporting_statements(supporting, id);
    question.line = line_;
    statement_at_.push_back(kQuestionLine);
    file_.questions.push_back(std::move(question));
  }

  std::string answer_token(std::string_view answer) const {
    if (answer.empty()) fail("the answer is empty");
    if (answer.find(' ') != npos)
      fail("the answer " + quoted(answer) +
           " holds a space: an answer is one token (tasks 8 and 19 join theirs with commas)");
    return lower_case(answer);
  }

  // The statements that the line numbers in `field` name, as indices into the story's sentences.
  std::vector<int64_t> supporting_statements(std::string_view field, int64_t question_id) const {
    std::vector<int64_t> statements;
    for (std::string_view word : split_spaces(field)) {
      const std::optional<int64_t> id = line_number(word);
      if (!id) fail("supporting id " + quoted(word) + " is not a line number");
      const std::string name = "supporting id " + std::to_string(*id);
      if (*id >= question_id)
        fail(name + " is not before the question (line number " + std::to_string(question_id) +
             ")");
      const int64_t statement = statement_at_[static_cast<size_t>(*id - 1)];
      if (statement == kQuestionLine) fail(name + " is a question, not a statement");
      statements.push_back(statement);
    }
    if (statements.empty()) fail("the question has no supporting ids");
    return statements;
  }

  BabiFile file_;
  int64_t line_ = 0;                   // the file's line being read, 1-based
  std::vector<int64_t> statement_at_;  // [line number - 1] of the current story
};

}  // namespace

BabiFile parse_babi(const std::string& text, const std::string& name) {
  BabiParser parser(name);
  for (std::string_view rest = text; !rest.empty();) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == npos ? std::string_view() : rest.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // Windows line ends
    parser.read_line(line);
  }
  return std::move(parser).finish();
}

BabiFile read_babi(const std::string& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::runtime_error& error) {
    throw Error(error.what());  // every bAbI failure is an attn::Error
  }
  return parse_babi(text, path);
}

// ---- writing ----------------------------------------------------------------------------------

namespace {

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

// Writes one story, numbering its lines as it goes, and remembers each statement's number for
// the supporting ids of the questions after it.
class StoryWriter {
 public:
  StoryWriter(const BabiStory& story, std::string& out) : story_(story), out_(out) {}

  void statements_until(int64_t count) {
    check(count >= std::ssize(numbers_) && count <= std::ssize(story_.sentences), "format_babi",
          "questions must be in file order, each within its story's statements");
    for (auto statement = std::ssize(numbers_); statement < count; ++statement) {
      numbers_.push_back(++lines_);
      out_ += std::to_string(lines_) + " " +
              joined(story_.sentences[static_cast<size_t>(statement)]) + ".\n";
    }
  }

  void question(const BabiQuestion& question) {
    statements_until(question.sentences_before);
    std::string supporting;
    for (int64_t statement : question.supporting) {
      check(statement >= 0 && statement < question.sentences_before, "format_babi",
            "supporting statement " + std::to_string(statement) + " is not in the memory");
      supporting += (supporting.empty() ? "" : " ") +
                    std::to_string(numbers_[static_cast<size_t>(statement)]);
    }
    out_ += std::to_string(++lines_) + " " + joined(question.words) + "?\t" + question.answer +
            "\t" + supporting + "\n";
  }

 private:
  const BabiStory& story_;
  std::string& out_;
  std::vector<int64_t> numbers_;  // the line number of each statement written
  int64_t lines_ = 0;
};

}  // namespace

std::string format_babi(const BabiFile& file) {
  std::string out;
  size_t next = 0;  // the first question not yet written
  for (int64_t story = 0; story < std::ssize(file.stories); ++story) {
    const BabiStory& statements = file.stories[static_cast<size_t>(story)];
    StoryWriter writer(statements, out);
    while (next < file.questions.size() && file.questions[next].story == story)
      writer.question(file.questions[next++]);
    writer.statements_until(std::ssize(statements.sentences));
  }
  check(next == file.questions.size(), "format_babi",
        "question " + std::to_string(next) + " is not in the order of the stories");
  return out;
}

// ---- finding a task's files -------------------------------------------------------------------

namespace {

// The names in `folder` that start with "qaN_" and end with `ending`, sorted.
std::vector<std::string> task_files(const std::string& folder, int task,
                                    const std::string& ending) {
  const std::string prefix = "qa" + std::to_string(task) + "_";
  std::vector<std::string> names;
  try {
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      const std::string name = entry.path().filename().string();
      if (name.size() >= prefix.size() + ending.size() && name.starts_with(prefix) &&
          name.ends_with(ending))
        names.push_back(name);
    }
  } catch (const std::filesystem::filesystem_error& error) {
    throw Error(folder + ": " + error.code().message());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The one file of `names` as a path in `folder`, or "" if there is none; two are ambiguous.
std::string only_file(const std::string& folder, const std::vector<std::string>& names,
                      const std::string& what) {
  if (names.empty()) return "";
  if (names.size() > 1)
    throw Error(folder + " has " + std::to_string(names.size()) + " " + what + " files (" +
                names[0] + ", " + names[1] + "): keep one");
  return (std::filesystem::path(folder) / names[0]).string();
}

}  // namespace

BabiTaskFiles find_babi_task(const std::string& folder, int task) {
  check(task >= 1 && task <= kTaskCount, "bAbI",
        "tasks are numbered 1.." + std::to_string(kTaskCount) + ", got " + std::to_string(task));
  std::error_code ignored;
  if (!std::filesystem::is_directory(folder, ignored)) throw Error(folder + " is not a folder");
  const std::string name = "bAbI task " + std::to_string(task);
  BabiTaskFiles files{
      only_file(folder, task_files(folder, task, "train.txt"), name + " training"),
      only_file(folder, task_files(folder, task, "valid.txt"), name + " validation")};
  if (files.train.empty())
    throw Error(folder + " has no " + name + " training file (qa" + std::to_string(task) +
                "_*train.txt)");
  return files;
}

}  // namespace attn
