// Character and word tokenizers, and the word pieces with joiner marks that BPE builds on
// (see tokenizer.h).
#include "train/text/tokenizer.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "train/io/utf8.h"
#include "train/text/bpe.h"
#include "train/text/legacy_words.h"

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

// ---- characters of the word pieces ------------------------------------------------------------

static bool is_space(const std::string& c) {
  return c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\f" || c == "\v" ||
         c == "\u00a0" || c == "\u202f";  // no-break spaces, common in French text
}

// ASCII punctuation but '_' (a letter of identifiers and of SCAN's I_TURN_RIGHT), the common
// non-ASCII marks, and the joiner itself.
static bool is_punctuation(const std::string& c) {
  static const std::set<std::string> non_ascii{"„", "“", "”", "«", "»", "‚", "‘", "’", "¿",
                                               "¡", "…", "–", "—", "·", joiner};
  if (c.size() == 1) {
    const char b = c[0];
    return b != '_' && ((b >= '!' && b <= '/') || (b >= ':' && b <= '@') ||
                         (b >= '[' && b <= '`') || (b >= '{' && b <= '~'));
  }
  return non_ascii.count(c) > 0;
}

static bool is_word_character(const std::string& c) { return !is_space(c) && !is_punctuation(c); }

bool is_whitespace(const std::string& text) {
  // Every whitespace character starts with a space, a control byte or 0xC2/0xE2 (no-break
  // spaces): most tokens are ruled out by their first byte, without splitting them.
  if (text.empty() || !(text[0] == ' ' || (text[0] >= '\t' && text[0] <= '\r') ||
                        text[0] == '\xC2' || text[0] == '\xE2'))
    return false;
  const std::vector<std::string> chars = utf8_characters(text);
  return std::all_of(chars.begin(), chars.end(), is_space);
}

std::string visible_whitespace(const std::string& text) {
  std::string shown;
  for (const std::string& c : utf8_characters(text)) shown += is_space(c) ? "␣" : c;
  return shown;
}

// ---- cutting text into pieces -----------------------------------------------------------------

namespace {

enum class PieceKind { word, punctuation, space };

struct Piece {
  std::string text;
  PieceKind kind;
};

// `text` as words, single punctuation marks and maximal runs of whitespace, in order; their
// concatenation is `text`.
std::vector<Piece> cut(const std::string& text) {
  const std::vector<std::string> chars = utf8_characters(text);
  std::vector<Piece> pieces;
  auto extend = [&](const std::string& c, PieceKind kind) {
    if (!pieces.empty() && pieces.back().kind == kind && kind != PieceKind::punctuation)
      pieces.back().text += c;
    else
      pieces.push_back({c, kind});
  };
  for (size_t i = 0; i < chars.size(); ++i) {
    const std::string& c = chars[i];
    const bool inside_word = (c == "'" || c == "-" || c == "’") && !pieces.empty() &&
                             pieces.back().kind == PieceKind::word && i + 1 < chars.size() &&
                             is_word_character(chars[i + 1]);
    if (is_space(c)) extend(c, PieceKind::space);
    else if (is_punctuation(c) && !inside_word) extend(c, PieceKind::punctuation);
    else extend(c, PieceKind::word);
  }
  return pieces;
}

}  // namespace

// ---- joiner marks -----------------------------------------------------------------------------

static bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

static bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string write_joiners(const JoinedWord& word) {
  return (word.joined_before ? joiner : "") + word.text + (word.joined_after ? joiner : "");
}

// A token longer than one joiner that starts (ends) with one was joined before (after). The
// joiner as a piece of text is the one token that is a joiner alone; it is never joined after,
// so "￭￭" is that piece joined before, never the other way round.
JoinedWord read_joiners(const std::string& token) {
  const std::string mark = joiner;
  JoinedWord word{false, token, false};
  if (word.text.size() > mark.size() && starts_with(word.text, mark)) {
    word.joined_before = true;
    word.text.erase(0, mark.size());
  }
  if (word.text.size() > mark.size() && ends_with(word.text, mark)) {
    word.joined_after = true;
    word.text.erase(word.text.size() - mark.size());
  }
  return word;
}

std::vector<std::string> split_words(const std::string& text) {
  const std::vector<Piece> pieces = cut(text);
  std::vector<JoinedWord> words;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const Piece& piece = pieces[i];
    // A single space between two pieces is the default; join_words puts it back. Runs are
    // maximal, so a space's neighbours are never whitespace.
    if (piece.kind == PieceKind::space && piece.text == " " && i > 0 && i + 1 < pieces.size())
      continue;
    JoinedWord word{false, piece.text, false};
    const bool touches_previous = i > 0 && piece.kind != PieceKind::space &&
                                  pieces[i - 1].kind != PieceKind::space;
    if (touches_previous) {
      // The joiner goes on the punctuation mark's side: a word takes none, unless the mark
      // before it is the joiner character itself (which never takes one behind it).
      if (piece.kind == PieceKind::word && pieces[i - 1].text != joiner)
        words.back().joined_after = true;
      else
        word.joined_before = true;
    }
    words.push_back(std::move(word));
  }
  std::vector<std::string> tokens;
  for (const JoinedWord& word : words) tokens.push_back(write_joiners(word));
  return tokens;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string text;
  bool glued = true;  // nothing goes before the first token
  for (const std::string& token : words) {
    const JoinedWord word = read_joiners(token);
    const bool space_token = is_whitespace(word.text);
    if (!glued && !word.joined_before && !space_token) text += " ";
    text += word.text;
    glued = word.joined_after || space_token;
  }
  return text;
}

// ---- words ------------------------------------------------------------------------------------

std::vector<std::string> WordTokenizer::tokenize(const std::string& text) const {
  return spacing_ == Spacing::joiners ? split_words(text) : legacy_split_words(text);
}

std::string WordTokenizer::detokenize(const std::vector<std::string>& tokens) const {
  return spacing_ == Spacing::joiners ? join_words(tokens) : legacy_join_words(tokens);
}

std::vector<std::string> WordTokenizer::display(const std::vector<std::string>& tokens) const {
  if (spacing_ == Spacing::legacy) return tokens;
  std::vector<std::string> labels;
  for (const std::string& token : tokens)
    labels.push_back(visible_whitespace(read_joiners(token).text));
  return labels;
}

Json WordTokenizer::to_json() const {
  Json json = Tokenizer::to_json();
  if (spacing_ == Spacing::joiners) json["joiner"] = Json(std::string(joiner));
  return json;
}

// ---- saved tokenizers -------------------------------------------------------------------------

Spacing spacing_from_json(const Json& json) {
  if (!json.contains("joiner")) return Spacing::legacy;
  const std::string mark = json.at("joiner").as_string();
  if (mark != joiner)
    throw std::runtime_error("tokenizer: joiner \"" + mark + "\" is not attn's \"" + joiner +
                             "\" (U+FFED)");
  return Spacing::joiners;
}

std::unique_ptr<Tokenizer> tokenizer_from_json(const Json& json) {
  const std::string kind = json.at("kind").as_string();
  if (kind == "char") return std::make_unique<CharTokenizer>();
  if (kind == "word") return std::make_unique<WordTokenizer>(spacing_from_json(json));
  if (kind == "bpe") return std::make_unique<BpeTokenizer>(BpeTokenizer::from_json(json));
  throw std::runtime_error("tokenizer: unknown kind \"" + kind + "\" (char, word or bpe)");
}

}  // namespace attn
