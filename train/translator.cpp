// Translator: model + tokenizers + vocabularies, saved as config.json + safetensors.
#include "train/translator.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "autograd/variable.h"
#include "tensor/reduce.h"
#include "models/decoding/beam_search.h"
#include "models/decoding/greedy.h"
#include "train/io/atomic_file.h"
#include "train/io/safetensors.h"

namespace attn {

// ---- configuration as JSON --------------------------------------------------------------------

static std::string norm_name(NormPlacement norm) { return norm == NormPlacement::pre ? "pre" : "post"; }

static NormPlacement norm_from_name(const std::string& name) {
  if (name == "post") return NormPlacement::post;
  if (name == "pre") return NormPlacement::pre;
  throw std::runtime_error("norm must be post or pre, got '" + name + "'");
}

static std::string positional_name(PositionalEncodingKind kind) {
  return kind == PositionalEncodingKind::learned ? "learned" : "sinusoidal";
}

static PositionalEncodingKind positional_from_name(const std::string& name) {
  if (name == "sinusoidal") return PositionalEncodingKind::sinusoidal;
  if (name == "learned") return PositionalEncodingKind::learned;
  throw std::runtime_error("positional must be sinusoidal or learned, got '" + name + "'");
}

Json config_to_json(const TransformerConfig& c) {
  Json json;
  json["source_vocab"] = Json(c.source_vocab);
  json["target_vocab"] = Json(c.target_vocab);
  json["d_model"] = Json(c.d_model);
  json["heads"] = Json(c.heads);
  json["d_ff"] = Json(c.d_ff);
  json["encoder_layers"] = Json(c.encoder_layers);
  json["decoder_layers"] = Json(c.decoder_layers);
  json["dropout"] = Json(static_cast<double>(c.dropout));
  json["score"] = Json(c.score);
  json["norm"] = Json(norm_name(c.norm));
  json["activation"] = Json(to_string(c.activation));
  json["positional"] = Json(positional_name(c.positional));
  json["max_length"] = Json(c.max_length);
  json["share_embeddings"] = Json(c.share_embeddings);
  json["tie_output"] = Json(c.tie_output);
  json["pad_index"] = Json(c.pad_index);
  json["seed"] = Json(static_cast<int64_t>(c.seed));
  return json;
}

TransformerConfig config_from_json(const Json& json) {
  TransformerConfig c;
  c.source_vocab = json.at("source_vocab").as_int();
  c.target_vocab = json.at("target_vocab").as_int();
  c.d_model = json.at("d_model").as_int();
  c.heads = json.at("heads").as_int();
  c.d_ff = json.at("d_ff").as_int();
  c.encoder_layers = json.at("encoder_layers").as_int();
  c.decoder_layers = json.at("decoder_layers").as_int();
  c.dropout = static_cast<real>(json.at("dropout").as_number());
  c.score = json.at("score").as_string();
  c.norm = norm_from_name(json.at("norm").as_string());
  c.activation = activation_from_name(json.at("activation").as_string());
  c.positional = positional_from_name(json.at("positional").as_string());
  c.max_length = json.at("max_length").as_int();
  c.share_embeddings = json.at("share_embeddings").as_bool();
  c.tie_output = json.at("tie_output").as_bool();
  c.pad_index = json.at("pad_index").as_int();
  c.seed = static_cast<uint64_t>(json.at("seed").as_int());
  return c;
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

// ---- the translator ---------------------------------------------------------------------------

Translator::Translator(const TransformerConfig& config, TextSide source, TextSide target)
    : config_(config), source_(std::move(source)), target_(std::move(target)) {
  if (config_.source_vocab != source_.vocabulary.size() ||
      config_.target_vocab != target_.vocabulary.size())
    throw std::runtime_error("translator: the model's vocabularies (" +
                             std::to_string(config_.source_vocab) + ", " +
                             std::to_string(config_.target_vocab) + ") differ from the tokens' (" +
                             std::to_string(source_.vocabulary.size()) + ", " +
                             std::to_string(target_.vocabulary.size()) + ")");
  model_ = std::make_unique<Transformer>(config_);
}

Json Translator::to_json() const {
  Json json;
  json["model"] = config_to_json(config_);
  json["source"] = side_to_json(source_);
  json["target"] = side_to_json(target_);
  return json;
}

void Translator::save_config(const std::string& dir) const {
  write_file_atomically(dir + "/config.json", to_json().dump() + "\n");
}

void Translator::save_weights(const std::string& dir, const std::string& weights) const {
  save_safetensors(dir + "/" + weights, model_->state_dict(), {{"format", "pt"}});
}

std::unique_ptr<Translator> Translator::from_config(const std::string& dir) {
  const std::string config_path = dir + "/config.json";
  try {
    const Json json = Json::parse(read_file(config_path));
    return std::make_unique<Translator>(config_from_json(json.at("model")),
                                        side_from_json(json.at("source")),
                                        side_from_json(json.at("target")));
  } catch (const std::exception& error) {
    throw std::runtime_error(config_path + ": " + error.what());
  }
}

std::unique_ptr<Translator> Translator::load(const std::string& dir, const std::string& weights) {
  auto translator = from_config(dir);
  const std::string weights_path = dir + "/" + weights;
  try {
    translator->model().load_state_dict(load_safetensors(weights_path));
  } catch (const std::exception& error) {
    throw std::runtime_error(weights_path + ": " + error.what());
  }
  return translator;
}

std::vector<int64_t> Translator::encode_source(const std::string& sentence) const {
  std::vector<int64_t> ids = source_.vocabulary.encode(source_.tokenizer->tokenize(sentence));
  if (static_cast<int64_t>(ids.size()) > config_.max_length)
    ids.resize(static_cast<size_t>(config_.max_length));
  return ids;
}

std::vector<std::string> Translator::target_tokens(const std::vector<int64_t>& ids) const {
  return target_.vocabulary.decode(ids);
}

std::string Translator::decode_target(const std::vector<int64_t>& ids) const {
  return target_.tokenizer->detokenize(target_tokens(ids));
}

// Row `row` of a [B, L] tensor of ids.
static std::vector<int64_t> row_ids(const Tensor& ids, int64_t row) {
  std::vector<int64_t> out;
  for (int64_t t = 0; t < ids.size(1); ++t) out.push_back(static_cast<int64_t>(ids.at({row, t})));
  return out;
}

// The longest translation allowed for a source of `source_length` tokens. Each sentence gets its
// own limit, so that its translation does not depend on which sentences share its batch.
int64_t Translator::length_limit(int64_t source_length, const TranslateOptions& options) const {
  return std::min(config_.max_length,
                  options.max_length > 0 ? options.max_length : source_length * 3 / 2 + 10);
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
    int64_t longest = 1;
    for (size_t i = begin; i < end; ++i)
      longest = std::max<int64_t>(longest, static_cast<int64_t>(encoded[order[i]].size()));
    Tensor source = Tensor::full({static_cast<int64_t>(end - begin), longest}, Vocabulary::pad);
    for (size_t i = begin; i < end; ++i)
      for (size_t t = 0; t < encoded[order[i]].size(); ++t)
        source.at({static_cast<int64_t>(i - begin), static_cast<int64_t>(t)}) =
            static_cast<real>(encoded[order[i]][t]);
    std::vector<int64_t> limits;  // each sentence's own, so that batching changes nothing
    for (size_t i = begin; i < end; ++i)
      limits.push_back(
          length_limit(static_cast<int64_t>(std::max<size_t>(encoded[order[i]].size(), 1)), options));
    const int64_t max_length = *std::max_element(limits.begin(), limits.end());
    Tensor output;
    if (options.beam_size <= 1) {
      output = greedy_decode(*model_, source, Vocabulary::bos, Vocabulary::eos, max_length);
    } else {
      BeamSearchOptions beam;
      beam.beam_size = options.beam_size;
      beam.length_penalty = options.length_penalty;
      beam.max_length = max_length;
      beam.sentence_max_lengths = limits;
      beam.bos = Vocabulary::bos;
      beam.eos = Vocabulary::eos;
      output = beam_search(*model_, source, beam);
    }
    for (size_t i = begin; i < end; ++i) {
      std::vector<int64_t> ids = row_ids(output, static_cast<int64_t>(i - begin));
      // Greedy decoding ran to the batch's largest limit: cutting a row at its own limit gives
      // exactly what decoding the sentence alone gives. Beam search kept each limit already.
      const auto limit = static_cast<size_t>(limits[i - begin]);
      if (ids.size() > limit) ids.resize(limit);
      translations[order[i]] = decode_target(ids);
    }
  }
  return translations;
}

// The picture is teacher-forced on the model's own translation: one forward pass over
// <bos> y_1 .. y_{n-1} gives, in row t, the attention used while producing y_t (y_n = <eos>).
AttentionMap Translator::attention_map(const std::string& sentence, int64_t layer, int64_t head,
                                       int64_t max_length) {
  const std::vector<int64_t> source_ids = encode_source(sentence);
  if (source_ids.empty()) throw std::runtime_error("attention: the sentence has no tokens");
  if (layer < 0 || layer >= config_.decoder_layers)
    throw std::runtime_error("attention: layer must be in 0.." + std::to_string(config_.decoder_layers - 1));
  if (head >= config_.heads)
    throw std::runtime_error("attention: head must be in 0.." + std::to_string(config_.heads - 1));
  Tensor source({1, static_cast<int64_t>(source_ids.size())});  // [1, S]
  for (size_t s = 0; s < source_ids.size(); ++s) source.data()[s] = static_cast<real>(source_ids[s]);
  const int64_t limit = std::min(config_.max_length, max_length > 0 ? max_length
                                                                    : source.size(1) * 3 / 2 + 10);
  const Tensor output = greedy_decode(*model_, source, Vocabulary::bos, Vocabulary::eos, limit);

  AttentionMap map;
  std::vector<int64_t> generated;
  std::vector<real> target_in{static_cast<real>(Vocabulary::bos)};
  for (int64_t t = 0; t < output.size(1); ++t) {
    const int64_t id = static_cast<int64_t>(output.at({0, t}));
    if (id == config_.pad_index) break;
    map.target_tokens.push_back(target_.vocabulary.token(id));
    generated.push_back(id);
    if (id == Vocabulary::eos) break;
    target_in.push_back(static_cast<real>(id));
  }
  target_in.resize(generated.size());  // one input position per generated token
  {
    NoGradGuard no_grad;
    const bool was_training = model_->is_training();
    model_->eval();
    model_->forward(source, Tensor::from_vector({1, static_cast<int64_t>(target_in.size())}, target_in));
    model_->train(was_training);
  }
  const Tensor heads = model_->cross_attention_weights(layer).squeeze(0);  // [H, T, S]
  map.weights = head >= 0 ? heads.narrow(0, head, 1).squeeze(0).contiguous() : mean(heads, 0);  // [T, S]
  for (int64_t id : source_ids) map.source_tokens.push_back(source_.vocabulary.token(id));
  map.translation = decode_target(generated);
  return map;
}

}  // namespace attn

