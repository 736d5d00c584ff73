// The registry: every model attn knows, in one explicit table (see registry.h).
//
// To add a model: write its folder, #include its header below, and add one line to the table.
// As with the score functions, nothing registers itself (a static library would drop it).
#include "models/registry.h"

#include "models/rnn/rnn_config.h"
#include "models/transformer/transformer.h"
#include "tensor/error.h"

namespace attn {

namespace {

template <typename Config>
std::unique_ptr<ModelConfig> make() {
  return std::make_unique<Config>();
}

}  // namespace

const std::vector<ModelEntry>& model_architectures() {
  static const std::vector<ModelEntry> table = {
      {"transformer", "self-attention encoder-decoder   (Vaswani et al. 2017)", "tiny",
       make<TransformerConfig>},
      {"rnn", "recurrent encoder-decoder, Bahdanau or Luong attention   (2015)", "small",
       make<RnnConfig>},
  };
  return table;
}

const ModelEntry& model_architecture(const std::string& name) {
  std::string known;
  for (const ModelEntry& entry : model_architectures()) {
    if (entry.name == name) return entry;
    known += (known.empty() ? "" : ", ") + entry.name;
  }
  throw Error("model registry: unknown architecture '" + name + "'; known: " + known);
}

std::unique_ptr<ModelConfig> default_model_config(const std::string& name) {
  const ModelEntry& entry = model_architecture(name);
  std::unique_ptr<ModelConfig> config = entry.make_config();
  config->apply_preset(entry.default_preset);
  return config;
}

}  // namespace attn
