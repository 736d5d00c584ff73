// Character and word tokenizers, and the word splitting that BPE builds on (see tokenizer.h).
#include "train/text/tokenizer.h"

#include <set>
#include <stdexcept>

#include "train/text/bpe.h"
#include "train/io/utf8.h"

namespace attn {

Json Tokenizer::to_json() const { return Json(Json::Object{{"kind", Json(kind())}}); }

// ---- characters -------------------------------------------------------------------------------

std::vector<std::string> CharTokenizer::tokenize(const std::string& text) const {
  return utf8_characters(text);
}

std::string CharTokenizer::detokenize(const std::vector<std::string>& tokens) const {
  std::string text;
  for (const std::string& token : tokens) text += token;
  return text;
}

// ---- words ------------------------------------------------------------------------------------

static bool is_space(const std::string& c) {
  return c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\f" || c == "\v" ||
         c == "\u00a0" || c == "\u202f";  // no-break spaces, common in French text
}

static bool is_punctuation(const std::string& c) {
  static const std::set<std::string> non_ascii{"„", "“", "”", "«", "»", "‚", "‘", "’",
                                               "¿", "¡", "…", "–", "—", "·"};
  if (c.size() == 1) {
    const char b = c[0];
    return (b >= '!' && b <= '/') || (b >= ':' && b <= '@') || (b >= '[' && b <= '`') ||
           (b >= '{' && b <= '~');
  }
  return non_ascii.count(c) > 0;
}

static bool is_word_character(const std::string& c) { return !is_space(c) && !is_punctuation(c); }

std::vector<std::string> split_words(const std::string& text) {
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
                            i + 1 < chars.size() && is_word_character(chars[i + 1]);
    if (is_space(c)) {
      finish_word();
    } else if (is_punctuation(c) && !joins_word) {
      finish_word();
      words.push_back(c);
    } else {
      word += c;
    }
  }
  finish_word();
  return words;
}

std::string join_words(const std::vector<std::string>& words) {
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

std::vector<std::string> WordTokenizer::tokenize(const std::string& text) const {
  return split_words(text);
}

std::string WordTokenizer::detokenize(const std::vector<std::string>& tokens) const {
  return join_words(tokens);
}

// ---- saved tokenizers -------------------------------------------------------------------------

std::unique_ptr<Tokenizer> tokenizer_from_json(const Json& json) {
  const std::string kind = json.at("kind").as_string();
  if (kind == "char") return std::make_unique<CharTokenizer>();
  if (kind == "word") return std::make_unique<WordTokenizer>();
  if (kind == "bpe") return std::make_unique<BpeTokenizer>(BpeTokenizer::from_json(json));
  throw std::runtime_error("tokenizer: unknown kind \"" + kind + "\" (char, word or bpe)");
}

}  // namespace attn
