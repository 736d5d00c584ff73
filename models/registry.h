// The registry of models: every encoder-decoder architecture attn can train, by name.
//
// Adding a model is one folder in models/ (its config, derived from ModelConfig, and its model,
// derived from Seq2Seq) plus one line in registry.cpp. `attn train --arch NAME` builds it and
// takes its settings as options; config.json names it ("arch"), so `attn translate` and
// `attn attention` rebuild it; greedy and beam search, the trainer and checkpoints work through
// the interface; and the registry-driven tests (tests/models/) check its decoding against
// recomputation for every score function, with no test edit.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/seq2seq/model_config.h"

namespace attn {

struct ModelEntry {
  std::string name;            // --arch NAME, and "arch" in config.json
  std::string description;     // the model and its paper, one line
  std::string default_preset;  // the sizes `attn train` starts from
  std::function<std::unique_ptr<ModelConfig>()> make_config;  // the defaults, unsized
};

const std::vector<ModelEntry>& model_architectures();

// The entry called `name`; throws listing the known names otherwise.
const ModelEntry& model_architecture(const std::string& name);

// Architecture `name`'s config at its default preset: what `attn train --arch NAME` starts from.
std::unique_ptr<ModelConfig> default_model_config(const std::string& name = "transformer");

}  // namespace attn
