// Exact match by greedy decoding, alignment scores by teacher forcing (see
// alignment_evaluation.h).
#include "train/alignment_evaluation.h"

#include <optional>
#include <stdexcept>
#include <utility>

#include "train/io/utf8.h"

namespace attn {

double AlignmentEvaluation::exact_match() const {
  return sentences == 0 ? 0.0 : static_cast<double>(exact_matches) / static_cast<double>(sentences);
}

void check_character_model(const Translator& translator) {
  for (const auto& [side, name] :
       {std::pair{&translator.source(), "source"}, std::pair{&translator.target(), "target"}})
    if (side->tokenizer->kind() != "char")
      throw std::runtime_error(std::string("gold alignments count characters, but the model's ") +
                               name + " tokenizer is " + side->tokenizer->kind() +
                               " (a char model is needed)");
}

AttentionMap aligned_attention_map(Translator& translator, const AlignedPair& pair) {
  const auto source_length = static_cast<int64_t>(utf8_characters(pair.source).size());
  if (source_length > translator.config().max_length)
    throw std::runtime_error("the source has " + std::to_string(source_length) +
                             " characters; the model reads at most " +
                             std::to_string(translator.config().max_length));
  return translator.forced_attention_map(pair.source, pair.target);
}

namespace {

Json counts_json(const AlignmentCounts& counts) {
  Json json;
  json["gold_mass"] = counts.mass();
  json["aer"] = counts.aer();
  return json;
}

}  // namespace

AlignmentEvaluation evaluate_alignment(Translator& translator,
                                       const std::vector<AlignedPair>& pairs,
                                       const std::string& where, int64_t batch_size) {
  if (pairs.empty()) throw std::runtime_error(where + ": no sentence pairs");
  check_character_model(translator);
  std::optional<AlignmentScore> score;  // its layers and heads come with the first attention
  for (size_t i = 0; i < pairs.size(); ++i) {
    try {
      const Tensor attention = aligned_attention_map(translator, pairs[i]).steps;  // [T, L, H, S]
      if (!score) score.emplace(attention.size(1), attention.size(2));
      score->add(attention, pairs[i].alignment);
    } catch (const std::exception& error) {
      throw std::runtime_error(where + ":" + std::to_string(i + 1) + ": " + error.what());
    }
  }
  std::vector<std::string> sources;
  for (const AlignedPair& pair : pairs) sources.push_back(pair.source);
  TranslateOptions greedy;
  greedy.batch_size = batch_size;
  const std::vector<std::string> translations = translator.translate(sources, greedy);
  AlignmentEvaluation evaluation{static_cast<int64_t>(pairs.size()), 0, *score};
  for (size_t i = 0; i < pairs.size(); ++i)
    evaluation.exact_matches += translations[i] == pairs[i].target ? 1 : 0;
  return evaluation;
}

Json alignment_evaluation_to_json(const AlignmentEvaluation& evaluation) {
  const AlignmentScore& score = evaluation.score;
  const AlignmentCounts& totals = score.head_mean(0);  // the counts of tokens and links are shared
  Json json;
  json["sentences"] = evaluation.sentences;
  json["exact_match"] = evaluation.exact_match();
  json["aligned_tokens"] = totals.aligned_tokens;
  json["gold_links"] = totals.gold_links;
  json["aer_floor"] = totals.aer_floor();
  json["even_gold_mass"] = totals.even_mass_baseline();
  Json::Array layers;
  for (int64_t layer = 0; layer < score.layers(); ++layer) {
    Json::Array heads;
    for (int64_t head = 0; head < score.heads(); ++head)
      heads.push_back(counts_json(score.head(layer, head)));
    Json entry;
    entry["heads"] = Json(heads);
    entry["head_mean"] = counts_json(score.head_mean(layer));
    layers.push_back(entry);
  }
  json["layers"] = Json(layers);
  return json;
}

}  // namespace attn
