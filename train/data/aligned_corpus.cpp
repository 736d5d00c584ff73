// Reading and writing sentence pairs with their gold alignment (see aligned_corpus.h).
#include "train/data/aligned_corpus.h"

#include <set>
#include <stdexcept>
#include <utility>

#include "train/data/corpus.h"
#include "train/io/utf8.h"

namespace attn {

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> columns;
  size_t begin = 0;
  for (size_t tab = line.find('\t'); tab != std::string::npos; tab = line.find('\t', begin)) {
    columns.push_back(line.substr(begin, tab - begin));
    begin = tab + 1;
  }
  columns.push_back(line.substr(begin));
  return columns;
}

std::string link_text(const AlignmentLink& link) { return to_pharaoh({link}); }

// One line's pair; throws what is wrong with it, without the file and line.
AlignedPair read_aligned_line(const std::string& line) {
  const std::vector<std::string> columns = split_tabs(line);
  if (columns.size() != 3)
    throw std::runtime_error("expected source<TAB>target<TAB>alignment, found " +
                             std::to_string(columns.size()) +
                             (columns.size() == 1 ? " column" : " columns"));
  AlignedPair pair{columns[0], columns[1], parse_pharaoh(columns[2])};
  if (pair.source.empty()) throw std::runtime_error("the source is empty");
  if (pair.target.empty()) throw std::runtime_error("the target is empty");
  const auto source_length = static_cast<int64_t>(utf8_characters(pair.source).size());
  const auto target_length = static_cast<int64_t>(utf8_characters(pair.target).size());
  std::set<std::pair<int64_t, int64_t>> seen;
  for (const AlignmentLink& link : pair.alignment) {
    if (link.source >= source_length)
      throw std::runtime_error("link " + link_text(link) + " points past the source's " +
                               std::to_string(source_length) + " characters");
    if (link.target >= target_length)
      throw std::runtime_error("link " + link_text(link) + " points past the target's " +
                               std::to_string(target_length) + " characters");
    if (!seen.insert({link.source, link.target}).second)
      throw std::runtime_error("link " + link_text(link) + " appears twice");
  }
  return pair;
}

}  // namespace

std::vector<AlignedPair> read_aligned_tsv(const std::string& path) {
  const std::vector<std::string> lines = read_lines(path);  // UTF-8 checked, "\r" dropped
  std::vector<AlignedPair> pairs;
  pairs.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    try {
      pairs.push_back(read_aligned_line(lines[i]));
    } catch (const std::exception& error) {
      throw std::runtime_error(path + ":" + std::to_string(i + 1) + ": " + error.what());
    }
  }
  return pairs;
}

std::string aligned_tsv(const std::vector<AlignedPair>& pairs) {
  std::string text;
  for (const AlignedPair& pair : pairs)
    text += pair.source + "\t" + pair.target + "\t" + to_pharaoh(pair.alignment) + "\n";
  return text;
}

}  // namespace attn
