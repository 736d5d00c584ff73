// Vocabulary: token strings <-> ids, with four reserved specials (see vocabulary.h).
#include "train/text/vocabulary.h"

#include <algorithm>
#include <stdexcept>

namespace attn {

Vocabulary::Vocabulary() {
  for (const char* special : {"<pad>", "<bos>", "<eos>", "<unk>"}) add(special);
}

void Vocabulary::add(const std::string& token) {
  if (ids_.count(token)) throw std::runtime_error("vocabulary: duplicate token \"" + token + "\"");
  ids_[token] = size();
  tokens_.push_back(token);
}

Vocabulary Vocabulary::from_counts(const std::map<std::string, int64_t>& counts,
                                   int64_t min_frequency) {
  std::vector<std::pair<std::string, int64_t>> kept;
  for (const auto& [token, count] : counts)
    if (count >= min_frequency) kept.emplace_back(token, count);
  // Most frequent first; the map's byte order breaks ties, as stable_sort keeps it.
  std::stable_sort(kept.begin(), kept.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  Vocabulary vocabulary;
  for (const auto& [token, count] : kept)
    if (!vocabulary.ids_.count(token)) vocabulary.add(token);
  return vocabulary;
}

int64_t Vocabulary::id(const std::string& token) const {
  auto found = ids_.find(token);
  return found == ids_.end() ? unk : found->second;
}

const std::string& Vocabulary::token(int64_t id) const {
  if (id < 0 || id >= size())
    throw std::runtime_error("vocabulary: id " + std::to_string(id) + " is out of range for " +
                             std::to_string(size()) + " tokens");
  return tokens_[static_cast<size_t>(id)];
}

std::vector<int64_t> Vocabulary::encode(const std::vector<std::string>& tokens) const {
  std::vector<int64_t> ids;
  ids.reserve(tokens.size());
  for (const std::string& t : tokens) ids.push_back(id(t));
  return ids;
}

std::vector<std::string> Vocabulary::decode(const std::vector<int64_t>& ids) const {
  std::vector<std::string> tokens;
  for (int64_t i : ids) {
    if (i == eos) break;
    if (i == pad || i == bos) continue;
    tokens.push_back(token(i));
  }
  return tokens;
}

Json Vocabulary::to_json() const {
  Json::Array list;
  for (const std::string& t : tokens_) list.push_back(Json(t));
  return Json(list);
}

Vocabulary Vocabulary::from_json(const Json& json) {
  const Json::Array& list = json.as_array();
  if (list.size() < 4 || list[0].as_string() != "<pad>" || list[1].as_string() != "<bos>" ||
      list[2].as_string() != "<eos>" || list[3].as_string() != "<unk>")
    throw std::runtime_error("vocabulary: must start with <pad> <bos> <eos> <unk>");
  Vocabulary vocabulary;
  for (size_t i = 4; i < list.size(); ++i) vocabulary.add(list[i].as_string());
  return vocabulary;
}

}  // namespace attn
