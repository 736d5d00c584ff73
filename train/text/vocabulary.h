// Vocabulary: the bijection between token strings and the ids a model sees.
//
// Ids 0..3 are the special tokens every sequence model reserves (models/seq2seq/special_tokens.h,
// their one definition):
//   <pad> 0  fills batches to equal length (ignored by the loss and masked in attention)
//   <bos> 1  begins a target sequence      <eos> 2  ends one
//   <unk> 3  stands for any token the vocabulary does not hold
// The rest are the training tokens seen at least `min_frequency` times, most frequent first
// (ties in byte order), so the same data always gives the same ids.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/seq2seq/special_tokens.h"
#include "train/io/json.h"

namespace attn {

class Vocabulary {
 public:
  static constexpr int64_t pad = special_tokens::pad, bos = special_tokens::bos,
                           eos = special_tokens::eos, unk = special_tokens::unk;

  Vocabulary();  // the four special tokens only
  // Builds from token counts, keeping tokens seen at least min_frequency times.
  static Vocabulary from_counts(const std::map<std::string, int64_t>& counts,
                                int64_t min_frequency = 1);

  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  int64_t id(const std::string& token) const;  // unk when unknown
  const std::string& token(int64_t id) const;   // throws when out of range

  std::vector<int64_t> encode(const std::vector<std::string>& tokens) const;
  // Stops at <eos>, skips <pad> and <bos>.
  std::vector<std::string> decode(const std::vector<int64_t>& ids) const;

  Json to_json() const;  // the token list, in id order
  static Vocabulary from_json(const Json& json);

 private:
  void add(const std::string& token);
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int64_t> ids_;
};

}  // namespace attn
