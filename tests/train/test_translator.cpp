// The Translator: a sentence's translation does not depend on the sentences batched with it.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "train/text/tokenizer.h"
#include "train/translator.h"
#include "train/text/vocabulary.h"

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
