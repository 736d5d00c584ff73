// Byte-pair encoding: learning merges and applying them (see bpe.h for the algorithm).
#include "train/text/bpe.h"

#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <unordered_map>
#include <stdexcept>

#include "train/io/utf8.h"
#include "train/text/legacy_words.h"

namespace attn {

// A piece of a word as symbols, e.g. {"l", "o", "w</w>"}: its characters, the last marked as the
// end of the word when the piece ends it.
static std::vector<std::string> initial_symbols(const std::vector<std::string>& characters,
                                                bool ends_word) {
  std::vector<std::string> symbols = characters;
  if (!symbols.empty() && ends_word) symbols.back() += BpeTokenizer::end_of_word;
  return symbols;
}

// A word's characters in pieces of at most max_word_length; only the last piece ends the word.
static std::vector<std::vector<std::string>> word_pieces(const std::string& word) {
  const std::vector<std::string> characters = utf8_characters(word);
  std::vector<std::vector<std::string>> pieces;
  const auto limit = static_cast<size_t>(BpeTokenizer::max_word_length);
  for (size_t begin = 0; begin < characters.size(); begin += limit)
    pieces.emplace_back(characters.begin() + static_cast<std::ptrdiff_t>(begin),
                        characters.begin() + static_cast<std::ptrdiff_t>(
                                                 std::min(characters.size(), begin + limit)));
  return pieces;
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

// The state of learning: distinct pieces (words) with their counts, how often each adjacent pair
// occurs, and which words hold each pair, so a merge only revisits the words it changes. Symbols
// are numbered, so a pair is one 64-bit key: (first << 32) | second. A max-heap of (count, pair)
// entries finds the most frequent pair; an entry whose count is no longer the pair's is stale
// and skipped, so a merge pushes one entry per pair whose count it changed, not per occurrence.
class MergeLearner {
 public:
  explicit MergeLearner(const std::vector<std::string>& texts) {
    // Distinct pieces (a word, or a piece of an over-long one) and whether each ends its word.
    std::map<std::pair<std::vector<std::string>, bool>, int64_t> piece_counts;
    for (const std::string& text : texts)
      for (const std::string& token : split_words(text)) {
        if (is_whitespace(token)) continue;
        const auto pieces = word_pieces(read_joiners(token).text);
        for (size_t i = 0; i < pieces.size(); ++i)
          ++piece_counts[{pieces[i], i + 1 == pieces.size()}];
      }
    for (const auto& [piece, count] : piece_counts) {
      Word entry{{}, count};
      for (const std::string& symbol : initial_symbols(piece.first, piece.second))
        entry.symbols.push_back(id(symbol));
      for (uint64_t pair : pairs_of(entry.symbols)) {
        pair_counts_[pair] += count;
        words_with_pair_[pair].insert(words_.size());
      }
      words_.push_back(std::move(entry));
    }
    for (const auto& [pair, count] : pair_counts_) queue_.push({count, pair});
  }

  // The most frequent pair (ties: smallest in byte order), or false when none occurs twice.
  bool best_pair(BpeTokenizer::Merge& best) {
    while (!queue_.empty()) {
      const Entry top = queue_.top();
      queue_.pop();
      auto found = pair_counts_.find(top.key);
      if (found == pair_counts_.end() || found->second != top.count) continue;  // stale
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

  // The adjacent pairs of a symbol sequence, each as often as it occurs.
  static std::vector<uint64_t> pairs_of(const std::vector<int32_t>& symbols) {
    std::vector<uint64_t> pairs;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) pairs.push_back(key(symbols[i], symbols[i + 1]));
    return pairs;
  }

  int32_t id(const std::string& symbol) {
    auto [found, inserted] = ids_.try_emplace(symbol, static_cast<int32_t>(names_.size()));
    if (inserted) names_.push_back(symbol);
    return found->second;
  }

  // Replaces (a, b) by ab in every word that holds it, and updates the counts and the index by
  // what changed in those words only.
  void merge(uint64_t pair) {
    const int32_t a = first(pair), b = second(pair);
    const int32_t merged = id(names_[a] + names_[b]);
    const std::vector<size_t> affected(words_with_pair_[pair].begin(),
                                       words_with_pair_[pair].end());
    std::map<uint64_t, int64_t> change;  // pair -> change of its count
    for (size_t w : affected) {
      Word& word = words_[w];
      std::vector<uint64_t> before = pairs_of(word.symbols);
      std::vector<int32_t> out;
      for (size_t i = 0; i < word.symbols.size(); ++i) {
        if (i + 1 < word.symbols.size() && word.symbols[i] == a && word.symbols[i + 1] == b) {
          out.push_back(merged);
          ++i;
        } else {
          out.push_back(word.symbols[i]);
        }
      }
      word.symbols = std::move(out);
      std::vector<uint64_t> after = pairs_of(word.symbols);
      for (uint64_t p : before) change[p] -= word.count;
      for (uint64_t p : after) change[p] += word.count;
      update_index(w, std::move(before), std::move(after));
    }
    for (const auto& [p, delta] : change) {
      if (delta == 0) continue;
      int64_t& count = pair_counts_[p];
      count += delta;
      queue_.push({count, p});
    }
  }

  // Word w held the pairs `before` and now holds `after`: it leaves the index of the pairs it
  // lost and joins that of the pairs it gained.
  void update_index(size_t w, std::vector<uint64_t> before, std::vector<uint64_t> after) {
    std::sort(before.begin(), before.end());
    std::sort(after.begin(), after.end());
    for (uint64_t p : before)
      if (!std::binary_search(after.begin(), after.end(), p)) words_with_pair_[p].erase(w);
    for (uint64_t p : after)
      if (!std::binary_search(before.begin(), before.end(), p)) words_with_pair_[p].insert(w);
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

BpeTokenizer::BpeTokenizer(std::vector<Merge> merges, Spacing spacing)
    : merges_(std::move(merges)), spacing_(spacing) {
  for (size_t i = 0; i < merges_.size(); ++i) rank_.emplace(merges_[i], static_cast<int64_t>(i));
}

std::vector<std::string> BpeTokenizer::encode_word(const std::string& word) const {
  std::vector<std::string> encoded;
  const auto pieces = word_pieces(word);
  for (size_t i = 0; i < pieces.size(); ++i)
    for (std::string& symbol : encode_piece(initial_symbols(pieces[i], i + 1 == pieces.size())))
      encoded.push_back(std::move(symbol));
  return encoded;
}

std::vector<std::string> BpeTokenizer::encode_piece(std::vector<std::string> symbols) const {
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
  if (spacing_ == Spacing::legacy) {
    for (const std::string& word : legacy_split_words(text))
      for (std::string& symbol : encode_word(word)) tokens.push_back(std::move(symbol));
    return tokens;
  }
  const std::string mark = end_of_word;
  for (const std::string& token : split_words(text)) {
    const JoinedWord word = read_joiners(token);
    std::vector<std::string> symbols = encode_word(word.text);  // the last ends in </w>
    if (word.joined_before) symbols.front().insert(0, joiner);
    if (word.joined_after) symbols.back().insert(symbols.back().size() - mark.size(), joiner);
    for (std::string& symbol : symbols) tokens.push_back(std::move(symbol));
  }
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
  for (const std::string& token : tokens) {
    const std::string piece = spacing_ == Spacing::joiners
                                  ? visible_whitespace(read_joiners(without_mark(token)).text)
                                  : without_mark(token);
    labels.push_back(ends_word(token) ? piece : piece + "-");
  }
  return labels;
}

std::string BpeTokenizer::detokenize(const std::vector<std::string>& tokens) const {
  // Glue symbols until one carries the end-of-word mark; then the word piece is complete, its
  // joiner marks in place.
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
  return spacing_ == Spacing::joiners ? join_words(words) : legacy_join_words(words);
}

Json BpeTokenizer::to_json() const {
  Json json;
  json["kind"] = Json("bpe");
  if (spacing_ == Spacing::joiners) json["joiner"] = Json(std::string(joiner));
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
  return BpeTokenizer(std::move(merges), spacing_from_json(json));
}

}  // namespace attn
