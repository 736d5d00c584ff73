// The word pieces of attn before exact round trips (see legacy_words.h), unchanged.
#include "train/text/legacy_words.h"

#include <set>

#include "train/io/utf8.h"

namespace attn {

static bool is_legacy_space(const std::string& c) {
  return c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\f" || c == "\v" ||
         c == "\u00a0" || c == "\u202f";
}

// Every ASCII punctuation character ('_' too), and a few others.
static bool is_legacy_punctuation(const std::string& c) {
  static const std::set<std::string> non_ascii{"„", "“", "”", "«", "»", "‚", "‘", "’",
                                               "¿", "¡", "…", "–", "—", "·"};
  if (c.size() == 1) {
    const char b = c[0];
    return (b >= '!' && b <= '/') || (b >= ':' && b <= '@') || (b >= '[' && b <= '`') ||
           (b >= '{' && b <= '~');
  }
  return non_ascii.count(c) > 0;
}

std::vector<std::string> legacy_split_words(const std::string& text) {
  const std::vector<std::string> chars = utf8_characters(text);
  std::vector<std::string> words;
  std::string word;
  auto finish_word = [&] {
    if (!word.empty()) words.push_back(word);
    word.clear();
  };
  for (size_t i = 0; i < chars.size(); ++i) {
    const std::string& c = chars[i];
    const bool joins_word = (c == "'" || c == "-" || c == "’") && !word.empty() &&
                            i + 1 < chars.size() && !is_legacy_space(chars[i + 1]) &&
                            !is_legacy_punctuation(chars[i + 1]);
    if (is_legacy_space(c)) {
      finish_word();
    } else if (is_legacy_punctuation(c) && !joins_word) {
      finish_word();
      words.push_back(c);
    } else {
      word += c;
    }
  }
  finish_word();
  return words;
}

std::string legacy_join_words(const std::vector<std::string>& words) {
  static const std::set<std::string> closing{".", ",", "!", "?", ";", ":", ")", "]", "}",
                                             "…", "»", "%"};
  static const std::set<std::string> opening{"(", "[", "{", "«", "„", "¿", "¡"};
  std::string text;
  bool glue_next = true;  // no space before the first word, nor after an opening mark
  for (const std::string& word : words) {
    if (!glue_next && !closing.count(word)) text += " ";
    text += word;
    glue_next = opening.count(word) > 0;
  }
  return text;
}

}  // namespace attn
