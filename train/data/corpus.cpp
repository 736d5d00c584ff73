// Reading parallel corpora from aligned files or TSV, with the rules listed in corpus.h.
#include "train/data/corpus.h"

#include <fstream>
#include <stdexcept>

#include "train/io/atomic_file.h"
#include "train/io/utf8.h"

namespace attn {

static std::string trim(const std::string& text) {
  const char* spaces = " \t\r\n";
  const size_t begin = text.find_first_not_of(spaces);
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(spaces) - begin + 1);
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in = open_for_reading(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    try {
      utf8_characters(line);
    } catch (const std::runtime_error& error) {
      throw std::runtime_error(path + ":" + std::to_string(lines.size() + 1) + ": " + error.what());
    }
    lines.push_back(line);
  }
  return lines;
}

// Adds a pair unless one side is empty, which is counted instead.
static void add_pair(Corpus& corpus, const std::string& source, const std::string& target) {
  SentencePair pair{trim(source), trim(target)};
  if (pair.source.empty() || pair.target.empty()) ++corpus.skipped_empty;
  else corpus.pairs.push_back(std::move(pair));
}

Corpus read_parallel_files(const std::string& source_path, const std::string& target_path) {
  const std::vector<std::string> sources = read_lines(source_path);
  const std::vector<std::string> targets = read_lines(target_path);
  if (sources.size() != targets.size())
    throw std::runtime_error(source_path + " has " + std::to_string(sources.size()) + " lines but " +
                             target_path + " has " + std::to_string(targets.size()) +
                             ": the files must be line-aligned");
  Corpus corpus;
  for (size_t i = 0; i < sources.size(); ++i) add_pair(corpus, sources[i], targets[i]);
  return corpus;
}

Corpus read_tsv(const std::string& path) {
  Corpus corpus;
  const std::vector<std::string> lines = read_lines(path);
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t tab = lines[i].find('\t');
    if (tab == std::string::npos) {
      if (trim(lines[i]).empty()) {
        ++corpus.skipped_empty;
        continue;
      }
      throw std::runtime_error(path + ":" + std::to_string(i + 1) +
                               ": expected source<TAB>target, found no tab");
    }
    const size_t next = lines[i].find('\t', tab + 1);  // a third column (attribution) is ignored
    add_pair(corpus, lines[i].substr(0, tab),
             lines[i].substr(tab + 1, next == std::string::npos ? std::string::npos : next - tab - 1));
  }
  return corpus;
}

}  // namespace attn
