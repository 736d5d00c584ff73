// Byte-pair encoding: learning merges and applying them (see bpe.h for the algorithm).
#include "train/text/bpe.h"

#include <queue>
#include <set>
#include <unordered_map>
#include <stdexcept>

#include "train/text/utf8.h"

namespace attn {

// A word as symbols, e.g. {"l", "o", "w</w>"}.
static std::vector<std::string> initial_symbols(const std::string& word) {
  std::vector<std::string> symbols = utf8_characters(word);
  if (!symbols.empty()) symbols.back() += BpeTokenizer::end_of_word;
  return symbols;
}

// Replaces every non-overlapping occurrence of (a, b), left to right, by ab.
static std::vector<std::string> apply_merge(const std::vector<std::string>& symbols,
                                            const BpeTokenizer::Merge& merge) {
  std::vector<std::string> out;
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (i + 1 < symbols.size() && symbols[i] == merge.first && symbols[i + 1] == merge.second) {
      out.push_back(symbols[i] + symbols[i + 1]);
      ++i;
    } else {
      out.push_back(symbols[i]);
    }
  }
  return out;
}

// ---- learning ---------------------------------------------------------------------------------

namespace {

// The state of learning: distinct words with their counts, how often each adjacent pair occurs,
// and which words hold each pair, so a merge only revisits the words it changes. Symbols are
// numbered, so a pair is one 64-bit key: (first << 32) | second.
class MergeLearner {
 public:
  explicit MergeLearner(const std::vector<std::string>& texts) {
    std::map<std::string, int64_t> word_counts;
    for (const std::string& text : texts)
      for (const std::string& word : split_words(text)) ++word_counts[word];
    for (const auto& [word, count] : word_counts) {
      Word entry{{}, count};
      for (const std::string& symbol : initial_symbols(word)) entry.symbols.push_back(id(symbol));
      words_.push_back(std::move(entry));
      update_pairs(words_.size() - 1, +1);
    }
  }

  // The most frequent pair (ties: smallest in byte order), or false when none occurs twice.
  bool best_pair(BpeTokenizer::Merge& best) {
    while (!queue_.empty()) {
      const Entry top = queue_.top();
      queue_.pop();
      // Entries go stale when counts change; only one matching the current count is live.
      auto found = pair_counts_.find(top.key);
      if (found == pair_counts_.end() || found->second != top.count) continue;
      if (top.count < 2) return false;
      best = {names_[first(top.key)], names_[second(top.key)]};
      merge(top.key);
      return true;
    }
    return false;
  }

 private:
  struct Word {
    std::vector<int32_t> symbols;
    int64_t count;
  };
  struct Entry {
    int64_t count;
    uint64_t key;
  };
  // Max-heap on count; on equal counts the pair that is smaller in byte order comes first.
  struct Later {
    const MergeLearner* learner;
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.count != b.count) return a.count < b.count;
      return learner->pair_text(a.key) > learner->pair_text(b.key);
    }
  };

  static uint64_t key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b);
  }
  static int32_t first(uint64_t k) { return static_cast<int32_t>(k >> 32); }
  static int32_t second(uint64_t k) { return static_cast<int32_t>(k & 0xffffffffu); }
  std::pair<const std::string&, const std::string&> pair_text(uint64_t k) const {
    return {names_[first(k)], names_[second(k)]};
  }

  int32_t id(const std::string& symbol) {
    auto [found, inserted] = ids_.try_emplace(symbol, static_cast<int32_t>(names_.size()));
    if (inserted) names_.push_back(symbol);
    return found->second;
  }

  void merge(uint64_t pair) {
    const int32_t a = first(pair), b = second(pair);
    const int32_t merged = id(names_[a] + names_[b]);
    const std::vector<size_t> affected(words_with_pair_[pair].begin(),
                                       words_with_pair_[pair].end());
    for (size_t w : affected) {
      update_pairs(w, -1);
      std::vector<int32_t>& symbols = words_[w].symbols;
      std::vector<int32_t> out;
      for (size_t i = 0; i < symbols.size(); ++i) {
        if (i + 1 < symbols.size() && symbols[i] == a && symbols[i + 1] == b) {
          out.push_back(merged);
          ++i;
        } else {
          out.push_back(symbols[i]);
        }
      }
      symbols = std::move(out);
      update_pairs(w, +1);
    }
  }

  void update_pairs(size_t w, int64_t sign) {
    const Word& word = words_[w];
    for (size_t i = 0; i + 1 < word.symbols.size(); ++i) {
      const uint64_t pair = key(word.symbols[i], word.symbols[i + 1]);
      int64_t& count = pair_counts_[pair];
      count += sign * word.count;
      if (sign > 0) words_with_pair_[pair].insert(w);
      else words_with_pair_[pair].erase(w);
      queue_.push({count, pair});
    }
  }

  std::vector<std::string> names_;
  std::unordered_map<std::string, int32_t> ids_;
  std::vector<Word> words_;
  std::unordered_map<uint64_t, int64_t> pair_counts_;
  std::unordered_map<uint64_t, std::set<size_t>> words_with_pair_;
  std::priority_queue<Entry, std::vector<Entry>, Later> queue_{Later{this}};
};

}  // namespace

BpeTokenizer BpeTokenizer::learn(const std::vector<std::string>& texts, int64_t merges) {
  MergeLearner learner(texts);
  std::vector<Merge> learned;
  Merge best;
  while (static_cast<int64_t>(learned.size()) < merges && learner.best_pair(best))
    learned.push_back(best);
  return BpeTokenizer(std::move(learned));
}

// ---- applying ---------------------------------------------------------------------------------

BpeTokenizer::BpeTokenizer(std::vector<Merge> merges) : merges_(std::move(merges)) {
  for (size_t i = 0; i < merges_.size(); ++i) rank_.emplace(merges_[i], static_cast<int64_t>(i));
}

std::vector<std::string> BpeTokenizer::encode_word(const std::string& word) const {
  std::vector<std::string> symbols = initial_symbols(word);
  while (symbols.size() > 1) {
    // The adjacent pair learned earliest is the one to merge next.
    int64_t best_rank = -1;
    Merge best;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      auto found = rank_.find({symbols[i], symbols[i + 1]});
      if (found != rank_.end() && (best_rank < 0 || found->second < best_rank)) {
        best_rank = found->second;
        best = found->first;
      }
    }
    if (best_rank < 0) break;
    symbols = apply_merge(symbols, best);
  }
  return symbols;
}

std::vector<std::string> BpeTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> tokens;
  for (const std::string& word : split_words(text))
    for (std::string& symbol : encode_word(word)) tokens.push_back(std::move(symbol));
  return tokens;
}

// True when `token` ends its word (carries the end-of-word mark).
static bool ends_word(const std::string& token) {
  const std::string mark = BpeTokenizer::end_of_word;
  return token.size() >= mark.size() &&
         token.compare(token.size() - mark.size(), mark.size(), mark) == 0;
}

// `token` without its end-of-word mark.
static std::string without_mark(const std::string& token) {
  const size_t mark = std::string(BpeTokenizer::end_of_word).size();
  return ends_word(token) ? token.substr(0, token.size() - mark) : token;
}

std::vector<std::string> BpeTokenizer::display(const std::vector<std::string>& tokens) const {
  std::vector<std::string> labels;
  for (const std::string& token : tokens)
    labels.push_back(ends_word(token) ? without_mark(token) : token + "-");
  return labels;
}

std::string BpeTokenizer::detokenize(const std::vector<std::string>& tokens) const {
  // Glue symbols until one carries the end-of-word mark; then the word is complete.
  std::vector<std::string> words;
  std::string word;
  for (const std::string& token : tokens) {
    const bool ends = ends_word(token);
    word += without_mark(token);
    if (ends) {
      words.push_back(word);
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(word);
  return join_words(words);
}

Json BpeTokenizer::to_json() const {
  Json json;
  json["kind"] = Json("bpe");
  Json::Array merges;
  merges.reserve(merges_.size());
  for (const auto& [a, b] : merges_) merges.emplace_back(Json::Array{Json(a), Json(b)});
  json["merges"] = Json(std::move(merges));
  return json;
}

BpeTokenizer BpeTokenizer::from_json(const Json& json) {
  std::vector<Merge> merges;
  for (const Json& pair : json.at("merges").as_array()) {
    const Json::Array& parts = pair.as_array();
    if (parts.size() != 2) throw std::runtime_error("bpe: each merge needs two symbols");
    merges.emplace_back(parts[0].as_string(), parts[1].as_string());
  }
  return BpeTokenizer(std::move(merges));
}

}  // namespace attn
