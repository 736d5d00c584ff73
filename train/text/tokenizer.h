// Tokenizers: text <-> a sequence of token strings (the Vocabulary then maps tokens to ids).
//
//   char   every Unicode character is a token, spaces included: "Nov. 21" -> N o v .   2 1
//   word   words, punctuation marks and unusual whitespace: "Hi, you." -> Hi ￭, you ￭.
//   bpe    words split into frequent subwords learned from the training data (bpe.h)
//
// Every tokenizer round-trips exactly: detokenize(tokenize(x)) == x for any valid UTF-8 text,
// whatever its spaces, tabs, quotes, symbols or scripts; a translation is the text the model's
// tokens spell, so a right one equals its reference byte for byte.
//
// The word pieces (word and bpe). The text is cut into
//   words       runs of letters, digits, '_' and every other character that is neither
//               punctuation nor whitespace: "I_TURN_RIGHT", "naïve", "3", "한국어", "😀"; an
//               apostrophe or hyphen between two of them stays inside: "don't", "re-use"
//   punctuation one mark each: . , ! ? ( ) " „ “ « » ... (is_punctuation in tokenizer.cpp)
//   whitespace  runs of spaces, tabs and no-break spaces
// What stood between two neighbouring pieces is kept with joiner marks, as in OpenNMT
// Tokenizer's "joiner annotation" (Klein et al. 2017, "OpenNMT: Open-Source Toolkit for Neural
// Machine Translation"):
//   one space       the usual case: nothing is written, and detokenize puts the space back
//   nothing         a joiner ￭ (U+FFED) on the punctuation mark's side of the join:
//                   "you." -> you ￭.     "(this)" -> (￭ this ￭)     "3.5" -> 3 ￭.￭ 5
//   other spacing   the whitespace run itself is a token ("  ", a tab, a no-break space), and
//                   detokenize puts no space around it
// A word never carries a joiner (every join has a punctuation mark on one side), so "dog" is
// one token wherever it stands; punctuation has up to four forms: "." "￭." ".￭" "￭.￭".
// A joiner character in the text is a punctuation mark like any other; it never gets a joiner
// behind it (a word after it gets one in front instead), so every token reads back one way.
// Why joiners rather than SentencePiece's spacer (Kudo & Richardson 2018: "▁" on every piece
// that follows a space): spacers mark the words, so "dog" after a space and "dog" after "(" or
// a quote would be different tokens; joiners mark only the rarer joins, and BPE learns its
// merges on the very pieces it learned on before marks existed.
//
// Model directories saved before exact round trips hold tokenizers without a "joiner" entry;
// they keep their old splitting and spacing (legacy_words.h), so those models translate as
// they always did.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "train/io/json.h"

namespace attn {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  virtual std::string kind() const = 0;  // "char", "word" or "bpe"
  virtual std::vector<std::string> tokenize(const std::string& text) const = 0;
  virtual std::string detokenize(const std::vector<std::string>& tokens) const = 0;
  // The tokens as a reader writes them, one label each, for pictures (attention heat maps). The
  // default is the tokens themselves; word and bpe hide their marks.
  virtual std::vector<std::string> display(const std::vector<std::string>& tokens) const {
    return tokens;
  }
  // {"kind": ..., plus whatever the tokenizer learned}, saved with a model.
  virtual Json to_json() const;
};

// How the word pieces keep what stood between them.
enum class Spacing {
  joiners,  // exactly: joiner marks and whitespace tokens (above)
  legacy,   // attn before exact round trips: single spaces, punctuation re-attached by rule
            // (legacy_words.h); only for tokenizers read from such model directories
};

class CharTokenizer : public Tokenizer {
 public:
  std::string kind() const override { return "char"; }
  std::vector<std::string> tokenize(const std::string& text) const override;
  std::string detokenize(const std::vector<std::string>& tokens) const override;
};

class WordTokenizer : public Tokenizer {
 public:
  explicit WordTokenizer(Spacing spacing = Spacing::joiners) : spacing_(spacing) {}
  std::string kind() const override { return "word"; }
  std::vector<std::string> tokenize(const std::string& text) const override;
  std::string detokenize(const std::vector<std::string>& tokens) const override;
  // Without joiners, whitespace shown as ␣.
  std::vector<std::string> display(const std::vector<std::string>& tokens) const override;
  Json to_json() const override;

 private:
  Spacing spacing_;
};

// ---- the word pieces that word and bpe share -------------------------------------------------

inline constexpr const char* joiner = "\uFFED";  // ￭, halfwidth black square

// The word pieces of `text` with their joiner marks, and whitespace tokens: the word tokenizer.
std::vector<std::string> split_words(const std::string& text);
// The exact inverse of split_words; any sequence of its tokens gives a text (a model's output).
std::string join_words(const std::vector<std::string>& words);

// A token of split_words taken apart.
struct JoinedWord {
  bool joined_before = false;  // a joiner in front: nothing between the previous token and this
  std::string text;            // the piece of text itself
  bool joined_after = false;   // a joiner behind: nothing between this token and the next
};
JoinedWord read_joiners(const std::string& token);
std::string write_joiners(const JoinedWord& word);

// True for a whitespace token (a run of spaces, tabs, no-break spaces).
bool is_whitespace(const std::string& text);
// `text` with each whitespace character shown as ␣, for labels.
std::string visible_whitespace(const std::string& text);

// Rebuilds a tokenizer saved with to_json(); throws naming an unknown kind.
std::unique_ptr<Tokenizer> tokenizer_from_json(const Json& json);
// The spacing a saved word or bpe tokenizer uses: joiners when it names the joiner, legacy
// when it names none (saved before exact round trips); throws naming another joiner.
Spacing spacing_from_json(const Json& json);

}  // namespace attn
