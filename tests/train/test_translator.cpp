// The Translator: a sentence's translation does not depend on the sentences batched with it;
// the default length limit is the one learned in training.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/transformer/transformer.h"
#include "train/text/bpe.h"
#include "train/text/tokenizer.h"
#include "train/text/vocabulary.h"
#include "train/translator.h"

using namespace attn;

namespace {

// Characters a..z on both sides, and an untrained micro model: its translations rarely reach
// <eos>, so most of them run into their length limit, which is what this test is about.
Translator untrained_translator() {
  std::map<std::string, int64_t> counts;
  for (char c = 'a'; c <= 'z'; ++c) counts[std::string(1, c)] = 1;
  const auto tokenizer = std::make_shared<CharTokenizer>();
  const TextSide side{tokenizer, Vocabulary::from_counts(counts)};
  TransformerConfig config = TransformerConfig::tiny(side.vocabulary.size(), side.vocabulary.size());
  config.d_model = 16;
  config.heads = 2;
  config.d_ff = 32;
  config.encoder_layers = 1;
  config.decoder_layers = 1;
  config.seed = 5;
  return Translator(config, side, side);
}

}  // namespace

TEST_CASE("translator: batch size changes no translation, each sentence has its own length limit") {
  Translator translator = untrained_translator();
  const std::vector<std::string> sentences = {"ab", "abcdefghijklmnopqrst", "hello", "xyz",
                                              "abcdefghij", "q"};
  for (int64_t beam : {1, 3}) {
    TranslateOptions alone;
    alone.beam_size = beam;
    alone.batch_size = 1;
    TranslateOptions together = alone;
    together.batch_size = 6;
    const std::vector<std::string> one_by_one = translator.translate(sentences, alone);
    CHECK(translator.translate(sentences, together) == one_by_one);
    // The default limit is 1.5 x the source's tokens + 10 (characters here).
    for (size_t i = 0; i < sentences.size(); ++i)
      CHECK(one_by_one[i].size() <= sentences[i].size() * 3 / 2 + 10);
  }
}

TEST_CASE(
    "translator: an attention map labels tokens as a reader writes them, BPE's end-of-word "
    "mark hidden") {
  const std::vector<std::string> texts = {"ein Hund rennt durch den Schnee", "ein Hund schläft",
                                          "der Schnee fällt", "ein Hund rennt"};
  const auto bpe = std::make_shared<BpeTokenizer>(BpeTokenizer::learn(texts, 12));
  std::map<std::string, int64_t> counts;
  for (const std::string& text : texts)
    for (const std::string& token : bpe->tokenize(text)) ++counts[token];
  const TextSide side{bpe, Vocabulary::from_counts(counts)};
  TransformerConfig config =
      TransformerConfig::micro(side.vocabulary.size(), side.vocabulary.size());
  config.seed = 3;
  Translator translator(config, side, side);
  const AttentionMap map = translator.attention_map("ein Hund rennt durch den Schnee");
  // Read as written: a piece ending in '-' continues into the next one, the others end a word.
  std::string text;
  for (const std::string& label : map.source_tokens) {
    CHECK(label.find("</w>") == std::string::npos);
    text += label.back() == '-' ? label.substr(0, label.size() - 1) : label + " ";
  }
  CHECK(text == "ein Hund rennt durch den Schnee ");
  CHECK(map.source_tokens.size() > 6);  // 12 merges leave some words in pieces
  CHECK(map.weights(1).shape() == Shape{static_cast<int64_t>(map.target_tokens.size()),
                                         static_cast<int64_t>(map.source_tokens.size())});
  CHECK(map.layers() == 2);
  CHECK(map.heads() == 2);
  CHECK_THROWS_WITH(map.weights(2), "layer 2 is not among the model's 2 (0..1)");
  CHECK_THROWS_WITH(map.weights(0, 2), "head 2 is not among the model's 2 (0..1)");
}

TEST_CASE("translator: max_len 0 decodes up to the learned length limit, in translations and "
          "attention maps alike") {
  Translator translator = untrained_translator();
  LengthLimit limit;
  limit.observe(1, 6);  // targets six times their sources: limit(S) = 6 S + 5
  translator.set_length_limit(limit);
  const std::vector<std::string> sentences = {"ab", "abc", "q"};
  const std::vector<std::string> learned = translator.translate(sentences);
  for (size_t i = 0; i < sentences.size(); ++i) {
    const auto S = static_cast<int64_t>(sentences[i].size());
    TranslateOptions at_limit;
    at_limit.max_length = limit.tokens(S);
    CHECK(translator.translate({sentences[i]}, at_limit).front() == learned[i]);
    // Untrained, the model never says <eos>: it runs to the limit, past the old 1.5 x S + 10.
    const AttentionMap map = translator.attention_map(sentences[i]);
    CHECK(static_cast<int64_t>(map.target_tokens.size()) == limit.tokens(S));
  }
  CHECK(limit.tokens(3) == 23);  // "abc": the old rule stopped at 14
}
