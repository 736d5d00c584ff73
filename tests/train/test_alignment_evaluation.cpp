// Evaluating attention as alignment: teacher-forced attention scored against the dates' gold
// links, exact match by greedy decoding, and the errors a user can meet.
#include <doctest/doctest.h>

#include <map>
#include <memory>

#include "models/transformer/transformer.h"
#include "train/alignment_evaluation.h"
#include "train/data/dates.h"
#include "train/text/tokenizer.h"
#include "train/text/vocabulary.h"

using namespace attn;

namespace {

// The characters of `texts`, as one side of a char model.
TextSide char_side(const std::vector<std::string>& texts) {
  const auto tokenizer = std::make_shared<CharTokenizer>();
  std::map<std::string, int64_t> counts;
  for (const std::string& text : texts)
    for (const std::string& c : tokenizer->tokenize(text)) ++counts[c];
  return {tokenizer, Vocabulary::from_counts(counts)};
}

// An untrained char model over the characters of `pairs`: micro sizes, 2 + 2 layers, 2 heads.
Translator untrained_dates_model(const std::vector<AlignedPair>& pairs, int64_t max_length = 64) {
  std::vector<std::string> sources, targets;
  for (const AlignedPair& pair : pairs) {
    sources.push_back(pair.source);
    targets.push_back(pair.target);
  }
  const TextSide source = char_side(sources), target = char_side(targets);
  TransformerConfig config =
      TransformerConfig::micro(source.vocabulary.size(), target.vocabulary.size());
  config.max_length = max_length;
  config.seed = 7;
  return Translator(config, source, target);
}

}  // namespace

TEST_CASE("alignment evaluation: every date's 8 digits are scored, in every layer and head") {
  Generator generator(3);
  const std::vector<AlignedPair> pairs = generate_aligned_date_pairs(24, generator);
  Translator translator = untrained_dates_model(pairs);
  const AlignmentEvaluation evaluation = evaluate_alignment(translator, pairs, "dates.tsv", 5);
  CHECK(evaluation.sentences == 24);
  CHECK(evaluation.exact_matches == 0);  // untrained
  CHECK(evaluation.exact_match() == 0.0);
  const AlignmentScore& score = evaluation.score;
  CHECK(score.sentences() == 24);
  REQUIRE(score.layers() == 2);  // the decoder's layers
  REQUIRE(score.heads() == 2);
  int64_t links = 0;
  for (const AlignedPair& pair : pairs) links += static_cast<int64_t>(pair.alignment.size());
  for (int64_t layer = 0; layer < 2; ++layer) {
    const AlignmentCounts& mean = score.head_mean(layer);
    CHECK(mean.aligned_tokens == 24 * 8);  // YYYY MM DD; the '-' and <eos> have no gold link
    CHECK(mean.gold_links == links);
    // Mass is linear in the weights: the mean's mass is the heads' mean mass.
    const double heads_mass = (score.head(layer, 0).mass() + score.head(layer, 1).mass()) / 2;
    CHECK(mean.mass() == doctest::Approx(heads_mass).epsilon(1e-6));
    for (int64_t head = 0; head < 2; ++head) {
      CHECK(score.head(layer, head).mass() > 0.0);
      CHECK(score.head(layer, head).mass() < 1.0);
      CHECK(score.head(layer, head).aer() >= score.head(layer, head).aer_floor());
    }
  }
  const Json json = alignment_evaluation_to_json(evaluation);
  CHECK(json.at("sentences").as_int() == 24);
  CHECK(json.at("aligned_tokens").as_int() == 24 * 8);
  REQUIRE(json.at("layers").as_array().size() == 2);
  CHECK(json.at("layers").as_array()[1].at("heads").as_array().size() == 2);
  CHECK(json.at("layers").as_array()[1].at("head_mean").at("gold_mass").as_number() ==
        doctest::Approx(score.head_mean(1).mass()));
}

TEST_CASE("alignment evaluation: the batch size of greedy decoding changes no figure") {
  Generator generator(4);
  const std::vector<AlignedPair> pairs = generate_aligned_date_pairs(9, generator);
  Translator translator = untrained_dates_model(pairs);
  const Json one = alignment_evaluation_to_json(evaluate_alignment(translator, pairs, "d", 1));
  const Json all = alignment_evaluation_to_json(evaluate_alignment(translator, pairs, "d", 9));
  CHECK(one.dump() == all.dump());
}

TEST_CASE("alignment evaluation: errors name the file and the line, or the tokenizer") {
  const std::vector<AlignedPair> pairs = {
      aligned_date_pair({1999, 3, 5}, 1),    // "05/03/99"
      aligned_date_pair({2026, 11, 21}, 0),  // "saturday, november 21 2026": 26 characters
      aligned_date_pair({2026, 11, 21}, 6)};
  Translator short_model = untrained_dates_model(pairs, 24);
  CHECK_THROWS_WITH(evaluate_alignment(short_model, pairs, "test.tsv"),
                    "test.tsv:2: the source has 26 characters; the model reads at most 24");
  CHECK_THROWS_WITH(evaluate_alignment(short_model, {}, "empty.tsv"),
                    "empty.tsv: no sentence pairs");

  const TextSide words{std::make_shared<WordTokenizer>(), Vocabulary::from_counts({{"a", 1}})};
  TransformerConfig config =
      TransformerConfig::micro(words.vocabulary.size(), words.vocabulary.size());
  Translator word_model(config, words, words);
  CHECK_THROWS_WITH(check_character_model(word_model),
                    "gold alignments count characters, but the model's source tokenizer is word "
                    "(a char model is needed)");
}
