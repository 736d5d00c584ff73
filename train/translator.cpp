// Translator: model + tokenizers + vocabularies, saved as config.json + safetensors.
#include "train/translator.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "autograd/variable.h"
#include "models/decoding/beam_search.h"
#include "models/decoding/greedy.h"
#include "models/registry.h"
#include "models/seq2seq/special_tokens.h"
#include "tensor/join.h"
#include "tensor/reduce.h"
#include "train/io/atomic_file.h"
#include "train/io/safetensors.h"
#include "train/io/settings_json.h"

namespace attn {

// ---- configuration as JSON --------------------------------------------------------------------

Json model_config_to_json(ModelConfig& config) { return settings_to_json(config.settings()); }

std::unique_ptr<ModelConfig> model_config_from_json(const Json& json, const std::string& where) {
  const std::string arch = json.contains("arch") ? json.at("arch").as_string() : "transformer";
  std::unique_ptr<ModelConfig> config = model_architecture(arch).make_config();
  Settings settings = config->settings();
  settings_from_json(settings, json, where);
  return config;
}

static Json side_to_json(const TextSide& side) {
  Json json;
  json["tokenizer"] = side.tokenizer->to_json();
  json["vocabulary"] = side.vocabulary.to_json();
  return json;
}

static TextSide side_from_json(const Json& json) {
  return {tokenizer_from_json(json.at("tokenizer")), Vocabulary::from_json(json.at("vocabulary"))};
}

Settings TranslateOptions::settings() {
  return {
      integer_setting("beam", beam_size, "beam size (1: greedy)", 1, 1000),
      number_setting("length_penalty", length_penalty, "alpha of Wu et al. 2016", 0, 10),
      integer_setting("max_len", max_length,
                      "longest translation in tokens (0: ceil(source x the largest "
                      "target/source ratio in training) + 5)",
                      0, 1 << 16),
      integer_setting("batch", batch_size, "sentences decoded together", 1, 1 << 16),
  };
}

// ---- the translator ---------------------------------------------------------------------------

Translator::Translator(const ModelConfig& config, TextSide source, TextSide target,
                       LengthLimit limit)
    : config_(config.clone()),
      source_(std::move(source)),
      target_(std::move(target)),
      length_limit_(limit) {
  if (config_->source_vocab != source_.vocabulary.size() ||
      config_->target_vocab != target_.vocabulary.size())
    throw std::runtime_error("translator: the model's vocabularies (" +
                             std::to_string(config_->source_vocab) + ", " +
                             std::to_string(config_->target_vocab) + ") differ from the tokens' (" +
                             std::to_string(source_.vocabulary.size()) + ", " +
                             std::to_string(target_.vocabulary.size()) + ")");
  check_fits_in_memory(*config_, 1);
  model_ = config_->build();
}

Json Translator::to_json() const {
  Json json;
  json["model"] = model_config_to_json(*config_);
  json["source"] = side_to_json(source_);
  json["target"] = side_to_json(target_);
  if (length_limit_.learned()) json["length_limit"] = length_limit_.to_json();
  return json;
}

void Translator::save_weights(const std::string& dir, const std::string& weights) const {
  save_safetensors(dir + "/" + weights, model_->state_dict(), {{"format", "pt"}});
}

std::unique_ptr<Translator> Translator::from_config(const std::string& dir) {
  const std::string config_path = dir + "/config.json";
  const std::string text = read_file(config_path);  // its errors name the file already
  try {
    const Json json = Json::parse(text);
    // Written before the limit was learned: none, and the rule of then.
    const LengthLimit limit = json.contains("length_limit")
                                  ? LengthLimit::from_json(json.at("length_limit"), "length_limit")
                                  : LengthLimit{};
    return std::make_unique<Translator>(*model_config_from_json(json.at("model"), "model"),
                                        side_from_json(json.at("source")),
                                        side_from_json(json.at("target")), limit);
  } catch (const std::exception& error) {
    throw std::runtime_error(config_path + ": " + error.what());
  }
}

std::unique_ptr<Translator> Translator::load(const std::string& dir, const std::string& weights) {
  auto translator = from_config(dir);
  const std::string weights_path = dir + "/" + weights;
  try {
    const StateDict weights = load_safetensors(weights_path);
    // attn never writes a weight that is not finite; one that holds NaN would translate every
    // sentence as an empty line, so it is refused here.
    for (const auto& [name, weight] : weights)
      if (!all_finite(weight)) throw std::runtime_error(name + " holds a value that is not finite");
    translator->model().load_state_dict(weights);
  } catch (const std::exception& error) {
    throw std::runtime_error(weights_path + ": " + error.what());
  }
  return translator;
}

std::vector<int64_t> Translator::encode_source(const std::string& sentence) const {
  std::vector<int64_t> ids = source_.vocabulary.encode(source_.tokenizer->tokenize(sentence));
  if (static_cast<int64_t>(ids.size()) > config_->max_length)
    ids.resize(static_cast<size_t>(config_->max_length));
  return ids;
}

std::string Translator::decode_target(const std::vector<int64_t>& ids) const {
  return target_.tokenizer->detokenize(target_.vocabulary.decode(ids));
}

// Row `row` of a [B, L] tensor of ids.
static std::vector<int64_t> row_ids(const Tensor& ids, int64_t row) {
  std::vector<int64_t> out;
  for (int64_t t = 0; t < ids.size(1); ++t) out.push_back(static_cast<int64_t>(ids.at({row, t})));
  return out;
}

// Sentences of ids, padded into one token source [B, S].
static Source padded_source(const std::vector<const std::vector<int64_t>*>& sentences) {
  int64_t longest = 1;
  for (const auto* ids : sentences)
    longest = std::max<int64_t>(longest, static_cast<int64_t>(ids->size()));
  Tensor tokens = Tensor::full({static_cast<int64_t>(sentences.size()), longest},
                               static_cast<real>(special_tokens::pad));
  for (size_t b = 0; b < sentences.size(); ++b)
    for (size_t t = 0; t < sentences[b]->size(); ++t)
      tokens.at({static_cast<int64_t>(b), static_cast<int64_t>(t)}) =
          static_cast<real>((*sentences[b])[t]);
  return token_source(tokens);  // [B, S] and its mask
}

// Each sentence gets its own limit, so that its translation does not depend on which sentences
// share its batch.
int64_t Translator::limit_for(int64_t source_length, int64_t max_length) const {
  return std::min(config_->max_length,
                  max_length > 0 ? max_length : length_limit_.tokens(source_length));
}

std::vector<std::string> Translator::translate(const std::vector<std::string>& sentences,
                                               const TranslateOptions& options) {
  std::vector<std::vector<int64_t>> encoded;
  for (const std::string& sentence : sentences) encoded.push_back(encode_source(sentence));
  // Sorting by length keeps padding, and so wasted work, small; the order is restored below.
  std::vector<size_t> order(sentences.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return encoded[a].size() < encoded[b].size(); });

  std::vector<std::string> translations(sentences.size());
  const size_t batch_size = static_cast<size_t>(std::max<int64_t>(1, options.batch_size));
  for (size_t begin = 0; begin < order.size(); begin += batch_size) {
    const size_t end = std::min(order.size(), begin + batch_size);
    std::vector<const std::vector<int64_t>*> batch;
    std::vector<int64_t> limits;  // each sentence's own, so that batching changes nothing
    for (size_t i = begin; i < end; ++i) {
      batch.push_back(&encoded[order[i]]);
      const auto source_length = static_cast<int64_t>(encoded[order[i]].size());
      limits.push_back(limit_for(std::max<int64_t>(source_length, 1), options.max_length));
    }
    const Source source = padded_source(batch);
    const int64_t max_length = *std::max_element(limits.begin(), limits.end());
    Tensor output;  // [B, L]
    if (options.beam_size <= 1) {
      GreedyOptions greedy;
      greedy.max_length = max_length;
      greedy.sentence_max_lengths = limits;
      output = greedy_decode(*model_, source, greedy).tokens;
    } else {
      BeamSearchOptions beam;
      beam.beam_size = options.beam_size;
      beam.length_penalty = options.length_penalty;
      beam.max_length = max_length;
      beam.sentence_max_lengths = limits;
      output = beam_search(*model_, source, beam);
    }
    for (size_t i = begin; i < end; ++i)
      translations[order[i]] = decode_target(row_ids(output, static_cast<int64_t>(i - begin)));
  }
  return translations;
}

// ---- attention pictures -------------------------------------------------------------------------

// Token `id` of `side` as a reader writes it: special tokens by their names (<eos>, <unk>), the
// rest as the tokenizer displays them (BPE without its end-of-word mark).
static std::string label(const TextSide& side, int64_t id) {
  const std::string& token = side.vocabulary.token(id);
  if (id < special_tokens::count) return token;
  return side.tokenizer->display({token}).front();
}

Tensor AttentionMap::weights(int64_t layer, int64_t head) const {
  if (layer < 0 || layer >= layers())
    throw std::runtime_error("layer " + std::to_string(layer) + " is not among the model's " +
                             std::to_string(layers()) + " (0.." + std::to_string(layers() - 1) + ")");
  if (head >= heads())
    throw std::runtime_error("head " + std::to_string(head) + " is not among the model's " +
                             std::to_string(heads()) + " (0.." + std::to_string(heads() - 1) + ")");
  const Tensor layer_heads = steps.narrow(1, layer, 1).squeeze(1);  // [T, heads, S]
  return head >= 0 ? layer_heads.narrow(1, head, 1).squeeze(1).contiguous()  // [T, S]
                   : mean(layer_heads, 1);                                   // [T, S]
}

AttentionMap Translator::attention_map(const std::string& sentence, int64_t max_length) {
  const std::vector<int64_t> source_ids = encode_source(sentence);
  if (source_ids.empty()) throw std::runtime_error("the sentence has no tokens");
  GreedyOptions greedy;
  greedy.max_length = limit_for(static_cast<int64_t>(source_ids.size()), max_length);
  greedy.keep_attention = true;
  const Decoded decoded = greedy_decode(*model_, padded_source({&source_ids}), greedy);

  AttentionMap map;
  std::vector<int64_t> generated;
  for (int64_t id : row_ids(decoded.tokens, 0)) {
    if (id == special_tokens::pad) break;
    generated.push_back(id);
    map.target_tokens.push_back(label(target_, id));
    if (id == special_tokens::eos) break;
  }
  const int64_t T = static_cast<int64_t>(generated.size());
  map.steps = decoded.attention.squeeze(0).narrow(0, 0, T).contiguous();  // [T, layers, heads, S]
  for (int64_t id : source_ids) map.source_tokens.push_back(label(source_, id));
  map.translation = decode_target(generated);
  return map;
}

AttentionMap Translator::forced_attention_map(const std::string& sentence,
                                              const std::string& reference) {
  const std::vector<int64_t> source_ids = encode_source(sentence);
  if (source_ids.empty()) throw std::runtime_error("the sentence has no tokens");
  std::vector<int64_t> target_ids =
      target_.vocabulary.encode(target_.tokenizer->tokenize(reference));
  if (target_ids.empty()) throw std::runtime_error("the reference has no tokens");
  target_ids.push_back(special_tokens::eos);
  const auto T = static_cast<int64_t>(target_ids.size());
  if (T > config_->max_length)
    throw std::runtime_error("the reference has " + std::to_string(T - 1) +
                             " tokens; with <eos> the model reads at most " +
                             std::to_string(config_->max_length));
  NoGradGuard no_grad;
  EvalModeGuard eval_mode(*model_);
  std::unique_ptr<DecoderState> state = model_->start(model_->encode(padded_source({&source_ids})));
  std::vector<Tensor> attention;  // per step [1, layers, heads, S]
  int64_t previous = special_tokens::bos;  // y_0
  for (int64_t next : target_ids) {
    const Tensor input = Tensor::full({1}, static_cast<real>(previous));  // [1]
    attention.push_back(model_->step(input, *state).attention);           // [1, layers, heads, S]
    previous = next;  // the reference's token, whatever the logits preferred
  }
  AttentionMap map;
  map.steps = stack(attention, 0).squeeze(1);  // [T, layers, heads, S]
  for (int64_t id : target_ids) map.target_tokens.push_back(label(target_, id));
  for (int64_t id : source_ids) map.source_tokens.push_back(label(source_, id));
  map.translation = decode_target(target_ids);
  return map;
}

}  // namespace attn
