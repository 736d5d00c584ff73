// Fuzz target: a saved text side, {"tokenizer": {...}, "vocabulary": [...]}, as config.json holds
// it for each language. What loads tokenizes, encodes, decodes and draws a few sentences; a
// tokenizer that names its joiner (and char) must give each sentence back exactly, whatever
// merges it holds.
#include <cstdio>
#include <cstdlib>
#include <map>

#include "tests/fuzz/targets.h"
#include "train/io/json.h"
#include "train/text/bpe.h"
#include "train/text/tokenizer.h"
#include "train/text/vocabulary.h"

namespace attn::fuzz {

void fuzz_tokenizer(const std::string& input) {
  const Json json = Json::parse(input);
  const auto tokenizer = tokenizer_from_json(json.at("tokenizer"));
  const Vocabulary vocabulary = Vocabulary::from_json(json.at("vocabulary"));
  const bool exact = tokenizer->kind() == "char" || json.at("tokenizer").contains("joiner");
  for (const std::string text : {"ein Hund läuft .", "Grüße, 한국어!", "", "aaaaaaaaaaaaaaaaaa",
                                 "I_JUMP\t(x)  ￭a</w>"}) {
    const std::vector<std::string> tokens = tokenizer->tokenize(text);
    if (exact && tokenizer->detokenize(tokens) != text) {
      std::fprintf(stderr, "fuzz tokenizer: \"%s\" does not round-trip\n", text.c_str());
      std::abort();
    }
    const std::vector<int64_t> ids = vocabulary.encode(tokens);
    tokenizer->detokenize(vocabulary.decode(ids));
    tokenizer->display(tokens);
    for (int64_t id : ids) vocabulary.token(id);
  }
}

std::string seed_tokenizer() {
  const std::vector<std::string> texts = {"ein Hund läuft", "ein Hund schläft", "Hunde laufen"};
  const BpeTokenizer bpe = BpeTokenizer::learn(texts, 10);
  std::map<std::string, int64_t> counts;
  for (const std::string& text : texts)
    for (const std::string& token : bpe.tokenize(text)) ++counts[token];
  Json json;
  json["tokenizer"] = bpe.to_json();
  json["vocabulary"] = Vocabulary::from_counts(counts).to_json();
  return json.dump();
}

}  // namespace attn::fuzz
