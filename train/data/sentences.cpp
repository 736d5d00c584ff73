// Labelled sentences: reading, writing, holding out, and a generated task (see sentences.h).
#include "train/data/sentences.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "tensor/error.h"
#include "tensor/random.h"
#include "train/io/atomic_file.h"
#include "train/io/utf8.h"

namespace attn {

namespace {

constexpr uintmax_t kMaxFileBytes = uintmax_t{1} << 30;

// Every ASCII blank separates tokens, a stray carriage return inside a line too: a token holding
// one would be written back as a line end, and read back as a different sentence.
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Reads one line at a time, knowing where it is for its messages.
class SentenceParser {
 public:
  SentenceParser(std::string name, bool lowercase) : lowercase_(lowercase) {
    file_.path = std::move(name);
  }

  void read_line(std::string_view line) {
    ++line_;
    if (std::all_of(line.begin(), line.end(), is_blank)) return;  // blank lines are skipped
    if (line.size() > kMaxSentenceLineBytes)
      fail("the line is " + std::to_string(line.size()) + " bytes, more than the " +
           std::to_string(kMaxSentenceLineBytes) + " allowed");
    const std::string text(line);
    if (!is_valid_utf8(text)) fail("the line is not valid UTF-8");
    std::vector<std::string> fields = split(text);
    LabelledSentence example;
    example.label = label(fields[0]);
    example.words.assign(fields.begin() + 1, fields.end());
    if (example.words.empty()) fail("a label without a sentence, expected 'LABEL tokens...'");
    if (example.words.size() > kMaxSentenceWords)
      fail(std::to_string(example.words.size()) + " tokens, more than the " +
           std::to_string(kMaxSentenceWords) + " allowed");
    example.line = line_;
    file_.examples.push_back(std::move(example));
  }

  SentenceFile finish() && {
    if (file_.examples.empty()) throw Error(file_.path + ": no examples");
    return std::move(file_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(file_.path + ":" + std::to_string(line_) + ": " + what);
  }

  // The fields between blanks, lowercased (ASCII) if asked; the first is the label.
  std::vector<std::string> split(const std::string& text) const {
    std::vector<std::string> fields;
    for (size_t i = 0; i < text.size();) {
      while (i < text.size() && is_blank(text[i])) ++i;
      size_t end = i;
      while (end < text.size() && !is_blank(text[end])) ++end;
      if (end > i) fields.push_back(text.substr(i, end - i));
      i = end;
    }
    if (lowercase_)
      for (size_t f = 1; f < fields.size(); ++f)
        for (char& c : fields[f])
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return fields;
  }

  int64_t label(const std::string& field) const {
    const bool digits = !field.empty() && field.size() <= 3 &&
                        std::all_of(field.begin(), field.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    if (!digits)
      fail("the label must be a whole number 0.." + std::to_string(kMaxSentenceLabel) +
           " first on the line, found '" + field.substr(0, 20) + "'");
    return std::stoll(field);
  }

  SentenceFile file_;
  bool lowercase_;
  int64_t line_ = 0;  // the line being read, 1-based
};

}  // namespace

int64_t SentenceFile::classes() const {
  int64_t largest = -1;
  for (const LabelledSentence& example : examples) largest = std::max(largest, example.label);
  return largest + 1;
}

SentenceFile parse_sentences(const std::string& text, const std::string& name, bool lowercase) {
  SentenceParser parser(name, lowercase);
  for (std::string_view rest = text; !rest.empty();) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // Windows line ends
    parser.read_line(line);
  }
  return std::move(parser).finish();
}

SentenceFile read_sentences(const std::string& path, bool lowercase) {
  std::string text;
  try {
    std::error_code error;
    const uintmax_t bytes = std::filesystem::file_size(path, error);
    if (!error && bytes > kMaxFileBytes)
      throw Error(path + ": " + std::to_string(bytes) + " bytes, more than the 1 GiB allowed");
    text = read_file(path);
  } catch (const std::runtime_error& error) {
    throw Error(error.what());  // every failure to read sentences is an attn::Error
  }
  return parse_sentences(text, path, lowercase);
}

std::string format_sentences(const SentenceFile& file) {
  std::string text;
  for (const LabelledSentence& example : file.examples) {
    text += std::to_string(example.label);
    for (const std::string& word : example.words) text += " " + word;
    text += "\n";
  }
  return text;
}

SentenceSplit hold_out_sentences(const SentenceFile& file, int64_t every) {
  check(every >= 2, "hold_out_sentences", "every must be at least 2, got " + std::to_string(every));
  SentenceSplit split;
  split.kept.path = file.path;
  split.held_out.path = file.path + " (held out)";
  for (size_t i = 0; i < file.examples.size(); ++i) {
    const bool held = static_cast<int64_t>(i % static_cast<size_t>(every)) == every - 1;
    (held ? split.held_out : split.kept).examples.push_back(file.examples[i]);
  }
  return split;
}

// ---- the generated task -------------------------------------------------------------------------

namespace {

const std::vector<std::vector<std::string>> kKeywords = {
    {"apple", "pear", "plum"}, {"dog", "cat", "horse"}, {"red", "blue", "green"},
    {"car", "bus", "train"}};

const std::vector<std::string> kFillers = {
    "the", "a",     "old",  "new",   "saw",   "near",  "house", "today", "yesterday", "we",
    "us",  "big",   "small", "there", "was",  "is",    "very",  "one",   "and",       "then",
    "by",  "river", "road", "man",   "woman", "liked", "found", "over",  "under",     "with"};

template <typename T>
const T& pick(const std::vector<T>& items, Generator& generator) {
  return items[generator.next_u64() % items.size()];
}

}  // namespace

SentenceFile keyword_task(int64_t count, uint64_t seed) {
  check(count >= 1, "keyword_task", "count must be at least 1, got " + std::to_string(count));
  Generator generator(seed);
  SentenceFile file;
  file.path = "keyword_task(seed " + std::to_string(seed) + ")";
  for (int64_t i = 0; i < count; ++i) {
    LabelledSentence example;
    example.label = static_cast<int64_t>(generator.next_u64() % kKeywords.size());
    const size_t fillers = 4 + generator.next_u64() % 8;  // 4 .. 11
    for (size_t w = 0; w < fillers; ++w) example.words.push_back(pick(kFillers, generator));
    const size_t at = generator.next_u64() % (fillers + 1);
    example.words.insert(example.words.begin() + static_cast<std::ptrdiff_t>(at),
                         pick(kKeywords[static_cast<size_t>(example.label)], generator));
    example.line = i + 1;
    file.examples.push_back(std::move(example));
  }
  return file;
}

int64_t keyword_position(const std::vector<std::string>& words) {
  for (size_t i = 0; i < words.size(); ++i)
    for (const std::vector<std::string>& group : kKeywords)
      if (std::find(group.begin(), group.end(), words[i]) != group.end())
        return static_cast<int64_t>(i);
  return -1;
}

}  // namespace attn
