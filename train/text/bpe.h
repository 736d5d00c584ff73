// Byte-pair encoding: subword units learned from the training text (Sennrich et al. 2016,
// "Neural Machine Translation of Rare Words with Subword Units").
//
// Learning: split the corpus into word pieces (split_words, tokenizer.h: words and punctuation,
// their joiner marks set aside, whitespace tokens left out), each into characters with an
// end-of-word mark on the last one: "lower" -> l o w e r</w>. Then, `merges` times:
//   find the most frequent adjacent pair of symbols (a, b) over all words, counted with
//   multiplicity; replace every occurrence by the new symbol ab; remember (a, b).
// Frequent words end up as one symbol, rare words as a few common pieces, so every word can be
// spelled and the vocabulary stays small. As in Sennrich et al.'s learn_bpe.py, the count of every
// pair is kept up to date, with an index of the words each pair occurs in, so a merge revisits
// only the words it changes (not the whole corpus): learning costs about as much as reading the
// corpus times the number of merges a word takes part in, bounded by max_word_length below.
//
// Applying: split a word into characters, then repeatedly merge the adjacent pair that was
// learned earliest, until no learned pair remains. Ties among equally frequent pairs are broken
// by byte order, so the same corpus always gives the same merges. A word piece's joiner marks
// go back on its first subword (in front) and its last (behind, before </w>), so gluing
// subwords until </w> gives back the word tokenizer's token, and the text round-trips exactly:
//   "Schnee." -> Schnee ￭.  ->  Sch nee</w> ￭.</w>        "(3)" -> (￭ 3 ￭) -> (￭</w> 3</w> ￭)</w>
// Whitespace tokens are spelled in characters (no merge holds whitespace).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "train/text/tokenizer.h"

namespace attn {

class BpeTokenizer : public Tokenizer {
 public:
  using Merge = std::pair<std::string, std::string>;

  // Learns up to `merges` merges from `texts` (stopping early when no pair occurs twice).
  static BpeTokenizer learn(const std::vector<std::string>& texts, int64_t merges);
  static BpeTokenizer from_json(const Json& json);
  // `spacing` legacy: a tokenizer saved before exact round trips (tokenizer.h).
  explicit BpeTokenizer(std::vector<Merge> merges, Spacing spacing = Spacing::joiners);

  std::string kind() const override { return "bpe"; }
  std::vector<std::string> tokenize(const std::string& text) const override;
  std::string detokenize(const std::vector<std::string>& tokens) const override;
  // Word-final pieces lose the mark, pieces a word continues get a trailing '-', as in
  // hyphenation: Hund</w> -> "Hund";  Sch nee</w> -> "Sch-" "nee"; joiners are hidden.
  std::vector<std::string> display(const std::vector<std::string>& tokens) const override;
  Json to_json() const override;

  const std::vector<Merge>& merges() const { return merges_; }
  // The symbols of one word after applying the merges, e.g. "lowest" -> low est</w>.
  std::vector<std::string> encode_word(const std::string& word) const;

  static constexpr const char* end_of_word = "</w>";
  // Words longer than this many characters (a URL, a line of garbage without spaces) are learned
  // and encoded in pieces of at most this length, only the last one ending the word; so
  // learning costs at most this squared per distinct piece, and a hostile 1 MiB "word" is as
  // cheap as a thousand ordinary ones. Real words are far shorter (Multi30k's longest: 36).
  static constexpr int64_t max_word_length = 100;

 private:
  // One piece's symbols after applying the merges.
  std::vector<std::string> encode_piece(std::vector<std::string> symbols) const;

  std::vector<Merge> merges_;
  std::map<Merge, int64_t> rank_;  // merge -> the step that learned it
  Spacing spacing_;
};

}  // namespace attn
