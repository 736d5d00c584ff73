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
// <eos>, so most of them run into their length limit, which is what the first test is about.
// Untied from the output layer, its target embeddings no longer make <bos> the likeliest token,
// so that its greedy output has real characters to read back.
Translator untrained_translator(bool tie_output = true) {
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
  config.tie_output = tie_output;
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

TEST_CASE(
    "translator: teacher forcing on the model's own greedy output gives the greedy attention, "
    "one row per reference token and <eos>") {
  Translator translator = untrained_translator(/*tie_output=*/false);
  const std::string sentence = "hello world";
  const AttentionMap greedy = translator.attention_map(sentence);
  // The greedy output up to its first special token (labelled <eos>, <unk>, ...).
  std::string prefix;
  for (const std::string& token : greedy.target_tokens) {
    if (token.size() > 1) break;
    prefix += token;
  }
  REQUIRE(prefix.size() >= 3);
  const AttentionMap forced = translator.forced_attention_map(sentence, prefix);
  const auto T = static_cast<int64_t>(prefix.size()) + 1;  // the reference and <eos>
  CHECK(forced.translation == prefix);
  CHECK(forced.target_tokens.back() == "<eos>");
  CHECK(forced.source_tokens == greedy.source_tokens);
  REQUIRE(forced.steps.shape() == Shape{T, 1, 2, static_cast<int64_t>(sentence.size())});
  // Each step reads the same inputs as greedy decoding did (<bos>, then the prefix), so the
  // attention is the same, up to the <eos> row, whose input is the prefix's last character.
  const int64_t shared = std::min<int64_t>(T, greedy.steps.size(0));
  const std::vector<real> a = forced.steps.narrow(0, 0, shared).contiguous().to_vector();
  const std::vector<real> b = greedy.steps.narrow(0, 0, shared).contiguous().to_vector();
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-5));
  // Every row of every head is a distribution over the source.
  const Tensor rows = forced.steps.reshape({-1, static_cast<int64_t>(sentence.size())});
  for (int64_t r = 0; r < rows.size(0); ++r) {
    double sum = 0;
    for (int64_t s = 0; s < rows.size(1); ++s) sum += rows.at({r, s});
    CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
  }
}

TEST_CASE(
    "translator: under teacher forcing row j depends on the reference's first j tokens only") {
  Translator translator = untrained_translator();
  // Rows 0..3 read <bos> a b c in both; row 4 reads d in one and q in the other.
  const Tensor first = translator.forced_attention_map("hello world", "abcdxy").steps;
  const Tensor second = translator.forced_attention_map("hello world", "abcqzz").steps;
  const auto rows = [](const Tensor& steps, int64_t begin, int64_t count) {
    return steps.narrow(0, begin, count).contiguous().to_vector();
  };
  CHECK(rows(first, 0, 4) == rows(second, 0, 4));
  CHECK(rows(first, 4, 1) != rows(second, 4, 1));
}

TEST_CASE(
    "translator: teacher forcing refuses an empty reference and one longer than the model "
    "reads") {
  Translator translator = untrained_translator();
  CHECK_THROWS_WITH(translator.forced_attention_map("abc", ""), "the reference has no tokens");
  CHECK_THROWS_WITH(translator.forced_attention_map("", "abc"), "the sentence has no tokens");
  const std::string long_reference(static_cast<size_t>(translator.config().max_length), 'a');
  CHECK_THROWS_WITH(translator.forced_attention_map("abc", long_reference),
                    ("the reference has " + std::to_string(long_reference.size()) +
                     " tokens; with <eos> the model reads at most " +
                     std::to_string(translator.config().max_length))
                        .c_str());
}
