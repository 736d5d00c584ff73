// Fuzz target: a parallel corpus, then the text pipeline on it. The bytes before the first NUL
// are a TSV file; if there is a NUL, they and the bytes after it are two line-aligned files
// instead. The pairs then go through what `attn train` does with text: tokenizers learned (BPE
// with a few merges, word, char), vocabularies built, every sentence encoded and decoded back.
#include <map>

#include "tests/fuzz/targets.h"
#include "train/data/corpus.h"
#include "train/io/atomic_file.h"
#include "train/text/bpe.h"
#include "train/text/tokenizer.h"
#include "train/text/vocabulary.h"

namespace attn::fuzz {

void fuzz_corpus(const std::string& input) {
  const std::string dir = scratch_directory();
  const size_t nul = input.find('\0');
  Corpus corpus;
  if (nul == std::string::npos) {
    write_file_atomically(dir + "/corpus.tsv", input);
    corpus = read_tsv(dir + "/corpus.tsv");
  } else {
    write_file_atomically(dir + "/corpus.src", input.substr(0, nul));
    write_file_atomically(dir + "/corpus.tgt", input.substr(nul + 1));
    corpus = read_parallel_files(dir + "/corpus.src", dir + "/corpus.tgt");
  }
  std::vector<std::string> sources;
  for (const SentencePair& pair : corpus.pairs) sources.push_back(pair.source);
  const BpeTokenizer bpe = BpeTokenizer::learn(sources, 20);
  const WordTokenizer word;
  const CharTokenizer character;
  for (const Tokenizer* tokenizer : {static_cast<const Tokenizer*>(&bpe),
                                     static_cast<const Tokenizer*>(&word),
                                     static_cast<const Tokenizer*>(&character)}) {
    std::map<std::string, int64_t> counts;
    for (const std::string& text : sources)
      for (const std::string& token : tokenizer->tokenize(text)) ++counts[token];
    const Vocabulary vocabulary = Vocabulary::from_counts(counts, 1);
    for (const std::string& text : sources)
      tokenizer->detokenize(vocabulary.decode(vocabulary.encode(tokenizer->tokenize(text))));
  }
}

std::string seed_corpus() {
  return "ein Hund läuft\ta dog runs\nzwei Katzen schlafen\ttwo cats sleep\n"
         "고양이가 잔다\tthe cat sleeps\tsource: tatoeba\n\t\n";
}

}  // namespace attn::fuzz
