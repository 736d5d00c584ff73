// Tokenizers: text <-> a sequence of token strings (the Vocabulary then maps tokens to ids).
//
//   char   every Unicode character is a token, spaces included: "Nov. 21" -> N o v .   2 1
//   word   whitespace splits words and punctuation is split off: "Hi, you." -> Hi , you .
//   bpe    words split into frequent subwords learned from the training data (bpe.h)
// detokenize() undoes tokenize() up to whitespace: char and bpe restore the text exactly when it
// has single spaces; word re-attaches punctuation by rule ("you ." -> "you.").
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
  // default is the tokens themselves; BPE hides its end-of-word mark (bpe.h).
  virtual std::vector<std::string> display(const std::vector<std::string>& tokens) const {
    return tokens;
  }
  // {"kind": ..., plus whatever the tokenizer learned}, saved with a model.
  virtual Json to_json() const;
};

class CharTokenizer : public Tokenizer {
 public:
  std::string kind() const override { return "char"; }
  std::vector<std::string> tokenize(const std::string& text) const override;
  std::string detokenize(const std::vector<std::string>& tokens) const override;
};

class WordTokenizer : public Tokenizer {
 public:
  std::string kind() const override { return "word"; }
  std::vector<std::string> tokenize(const std::string& text) const override;
  std::string detokenize(const std::vector<std::string>& tokens) const override;
};

// Words with punctuation split off: the pre-tokenization that word and bpe share.
// An apostrophe or hyphen between two letters or digits stays inside the word ("don't").
std::vector<std::string> split_words(const std::string& text);
// Joins words with spaces, then removes the space before closing punctuation (. , ! ? ...) and
// after opening punctuation (( [ ¿ ...).
std::string join_words(const std::vector<std::string>& words);

// Rebuilds a tokenizer saved with to_json(); throws naming an unknown kind.
std::unique_ptr<Tokenizer> tokenizer_from_json(const Json& json);

}  // namespace attn
