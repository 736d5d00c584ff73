// The model registry: every architecture is named once, builds at its presets, and declares its
// settings so that config.json and `attn train` can carry them (tests/train/test_config_json.cpp
// and tests/tools/ check those two ends).
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "models/registry.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"

using namespace attn;

namespace {

bool refuses(const ModelConfig& config) {
  try {
    config.check();
    return false;
  } catch (const Error&) {
    return true;
  }
}

}  // namespace

TEST_CASE(
    "model registry: names are unique and each entry has a description and a default "
    "preset among its presets, micro included") {
  std::set<std::string> names;
  for (const ModelEntry& entry : model_architectures()) {
    CAPTURE(entry.name);
    CHECK(names.insert(entry.name).second);
    CHECK(!entry.description.empty());
    const std::unique_ptr<ModelConfig> config = entry.make_config();
    CHECK(config->arch() == entry.name);
    const std::vector<std::string> presets = config->presets();
    CHECK(std::find(presets.begin(), presets.end(), entry.default_preset) != presets.end());
    CHECK(std::find(presets.begin(), presets.end(), "micro") != presets.end());
  }
  CHECK(names.count("transformer") == 1);
}

TEST_CASE(
    "model registry: every architecture builds at every preset, and its micro model is "
    "small") {
  for (const ModelEntry& entry : model_architectures()) {
    const std::unique_ptr<ModelConfig> config = entry.make_config();
    config->source_vocab = 20;
    config->target_vocab = 20;
    for (const std::string& preset : config->presets()) {
      CAPTURE(entry.name);
      CAPTURE(preset);
      config->apply_preset(preset);
      if (preset == "micro")
        CHECK(config->build()->parameter_count() < 50000);
      else
        CHECK(config->model_width() > 0);
    }
  }
}

TEST_CASE(
    "model registry: each architecture's settings have unique names and options, say what "
    "they are, and take back the value they show") {
  for (const ModelEntry& entry : model_architectures()) {
    CAPTURE(entry.name);
    const std::unique_ptr<ModelConfig> config = default_model_config(entry.name);
    Settings settings = config->settings();
    std::set<std::string> names, options;
    for (Setting& setting : settings) {
      CAPTURE(setting.name);
      CHECK(names.insert(setting.name).second);
      if (!setting.internal) CHECK(options.insert(setting.option).second);
      CHECK(!setting.help.empty());
      CHECK_NOTHROW(setting.set(setting.get()));
    }
    // What every architecture shares (model_config.h), and the score every attention model names.
    for (const char* shared :
         {"arch", "source_vocab", "target_vocab", "max_length", "seed", "pad_index", "score"})
      CHECK(names.count(shared) == 1);
    CHECK(find_setting(settings, "arch", entry.name).get() == entry.name);
  }
}

TEST_CASE("model registry: an unknown architecture is an error listing the known ones") {
  CHECK_THROWS_WITH_AS(model_architecture("lstm9000"),
                       doctest::Contains("unknown architecture 'lstm9000'; known: transformer"),
                       Error);
}

TEST_CASE("model registry: every architecture counts its parameters before building, exactly") {
  for (const ModelEntry& entry : model_architectures()) {
    CAPTURE(entry.name);
    std::unique_ptr<ModelConfig> config = entry.make_config();
    config->source_vocab = 20;
    config->target_vocab = 20;
    config->max_length = 16;
    for (const std::string preset : {"micro", "tiny"}) {
      CAPTURE(preset);
      config->apply_preset(preset);
      CHECK(config->parameter_count() == config->build()->parameter_count());
    }
    config->apply_preset("micro");
    // Every other choice of every flag and text setting, one at a time, and every score.
    Settings settings = config->settings();
    for (Setting& setting : settings) {
      if (setting.internal) continue;
      std::vector<std::string> values = setting.choices;
      if (setting.name == "score")
        for (const ScoreEntry& score : score_functions()) values.push_back(score.name);
      const std::string original = setting.get();
      for (const std::string& value : values) {
        CAPTURE(setting.name);
        CAPTURE(value);
        setting.set(value);
        if (refuses(*config)) continue;  // a combination check() refuses builds nothing to count
        CHECK(config->parameter_count() == config->build()->parameter_count());
      }
      setting.set(original);
    }
  }
}
