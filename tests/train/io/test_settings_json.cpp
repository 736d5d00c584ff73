// Settings as JSON: every architecture's configuration and the training options travel through
// config.json and come back the same; old files still load; bad ones are refused by name.
#include <doctest/doctest.h>

#include <string>

#include "models/registry.h"
#include "models/transformer/transformer.h"
#include "train/io/settings_json.h"
#include "train/trainer.h"
#include "train/translator.h"

using namespace attn;

namespace {

// Every setting's value as text, by name.
std::map<std::string, std::string> values_of(const Settings& settings) {
  std::map<std::string, std::string> values;
  for (const Setting& setting : settings) values[setting.name] = setting.get();
  return values;
}

}  // namespace

TEST_CASE("settings json: every architecture's config comes back from its JSON unchanged") {
  for (const ModelEntry& entry : model_architectures()) {
    CAPTURE(entry.name);
    std::unique_ptr<ModelConfig> config = default_model_config(entry.name);
    config->source_vocab = 123;
    config->target_vocab = 45;
    config->seed = 9007199254740993ULL >> 1;  // large, still exact in a JSON number
    Settings settings = config->settings();
    for (Setting& setting : settings)  // a value other than the default, where one is easy
      if (setting.kind == SettingKind::flag)
        setting.set(setting.get() == "true" ? "false" : "true");
    const Json json = model_config_to_json(*config);
    CHECK(json.at("arch").as_string() == entry.name);
    const std::unique_ptr<ModelConfig> back =
        model_config_from_json(Json::parse(json.dump()), "model");
    CHECK(back->arch() == entry.name);
    CHECK(values_of(back->settings()) == values_of(config->settings()));
  }
}

TEST_CASE(
    "settings json: numbers travel as their shortest exact decimals and come back bit for "
    "bit") {
  TransformerConfig config = TransformerConfig::micro(10, 10);
  config.dropout = static_cast<real>(0.1);
  const Json json = model_config_to_json(config);
  CHECK(json.at("dropout").as_number() == 0.1);  // "0.1", not the float's 0.100000001490116
  const auto back = model_config_from_json(json, "model");
  CHECK(static_cast<TransformerConfig&>(*back).dropout == config.dropout);
}

TEST_CASE(
    "settings json: a model written before the architecture was named loads as a "
    "Transformer, with its settings") {
  // The "model" object of a config.json written by attn at commit 86525f4.
  const Json old = Json::parse(
      R"({"activation":"relu","d_ff":1024,"d_model":256,"decoder_layers":3,)"
      R"("dropout":0.10000000149011612,"encoder_layers":3,"heads":4,"max_length":256,)"
      R"("norm":"post","pad_index":0,"positional":"sinusoidal","score":"scaled_dot","seed":1,)"
      R"("share_embeddings":false,"source_vocab":7760,"target_vocab":7444,"tie_output":true})");
  const auto config = model_config_from_json(old, "model");
  REQUIRE(config->arch() == "transformer");
  const auto& transformer = static_cast<const TransformerConfig&>(*config);
  CHECK(transformer.d_model == 256);
  CHECK(transformer.encoder_layers == 3);
  CHECK(transformer.dropout == doctest::Approx(0.1));  // the float nearest 0.1, written as a double
  CHECK(transformer.source_vocab == 7760);
  CHECK(transformer.max_length == 256);
}

TEST_CASE("settings json: an unknown key, a wrong kind or a bad value is refused by name") {
  Json json = model_config_to_json(*default_model_config());
  Json unknown = json;
  unknown["d_modle"] = Json(int64_t{64});
  CHECK_THROWS_WITH(model_config_from_json(unknown, "config.json: model"),
                    "config.json: model: unknown setting 'd_modle'");
  Json bad = json;
  bad["heads"] = Json(int64_t{0});
  CHECK_THROWS_WITH(model_config_from_json(bad, "model"),
                    doctest::Contains("model.heads: must be in 1..1024, got 0"));
  bad = json;
  bad["tie_output"] = Json("yes");
  CHECK_THROWS_WITH(model_config_from_json(bad, "model"),
                    doctest::Contains("model.tie_output: json: expected"));
  bad = json;
  bad["pad_index"] = Json(int64_t{3});
  CHECK_THROWS_WITH(model_config_from_json(bad, "model"),
                    doctest::Contains("model.pad_index: must be 0, got 3"));
  bad = json;
  bad["arch"] = Json("rnn9000");
  CHECK_THROWS_WITH(model_config_from_json(bad, "model"),
                    doctest::Contains("unknown architecture 'rnn9000'"));
  bad = json;
  bad["score"] = Json("alibi:slope=3");
  CHECK_THROWS_WITH(model_config_from_json(bad, "model"),
                    doctest::Contains("model.score: alibi score: takes no settings"));
}

TEST_CASE("settings json: the training options saved with a model come back unchanged") {
  TrainOptions options;
  options.tokenizer = "word";
  options.learning_rate = static_cast<real>(0.5);
  options.warmup = 800;
  const Json json = settings_to_json(options.saved_settings());
  TrainOptions restored;
  Settings settings = restored.saved_settings();
  settings_from_json(settings, json, "training");
  CHECK(values_of(restored.saved_settings()) == values_of(options.saved_settings()));
  CHECK(restored.learning_rate == options.learning_rate);
  CHECK(json.contains("learning_rate"));  // the JSON key; the option is --lr
}
