// A model's configuration: what every architecture is told by its data, and its own settings.
//
// Each architecture (models/transformer, ...) derives its config from ModelConfig, keeps its
// fields as a plain struct with a default and a comment each, and declares them once in
// settings() (nn/settings.h). From that declaration attn writes and reads the "model" part of
// config.json, and `attn train --arch NAME` takes each setting as an option with its help line.
//
//   {"arch": "transformer", "d_model": 256, "heads": 4, ..., "source_vocab": 7760, ...}
//
// The fields here are set by the program, not the user: the vocabulary sizes come from the
// data, the longest sequence and the seed from the training options.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/seq2seq/seq2seq.h"
#include "nn/settings.h"
#include "tensor/error.h"

namespace attn {

class ModelConfig {
 public:
  virtual ~ModelConfig() = default;

  int64_t source_vocab = 0;  // V_src: source token ids 0 .. V_src - 1 (0: not a token source)
  int64_t target_vocab = 0;  // V: target token ids, the width of the logits
  int64_t max_length = 512;  // the longest source or target sequence the model is built for
  uint64_t seed = 0;         // seeds the model's generator: initial weights and dropout

  // Its name in the model registry (models/registry.h) and in config.json's "arch".
  virtual std::string arch() const = 0;
  // D, the width of its hidden vectors: the Noam schedule scales the learning rate by D^-0.5.
  virtual int64_t model_width() const = 0;
  // Every setting, bound to this object's fields: common_settings() and the architecture's own.
  virtual Settings settings() = 0;
  // Named sizes. Every architecture has "micro", the smallest useful model (tests, smoke runs).
  virtual std::vector<std::string> presets() const = 0;
  // Sets the sizes of preset `name`; throws listing the presets otherwise.
  virtual void apply_preset(const std::string& name) = 0;
  virtual std::unique_ptr<ModelConfig> clone() const = 0;
  // Throws naming the settings when the user's settings do not fit together (heads must divide
  // d_model, ...): what `attn train` checks before it reads any data. build() checks the rest.
  virtual void check() const = 0;
  // Checks the settings and builds the model with freshly initialised weights.
  virtual std::unique_ptr<Seq2Seq> build() const = 0;
  // How many parameters build() would make, computed without making them, so that a model too
  // large for the machine is refused before anything is allocated (the tests check it against
  // the built model's parameter_count() for every architecture).
  virtual int64_t parameter_count() const = 0;

 protected:
  // The four fields above, marked internal (never command-line options).
  Settings common_settings();
};

// Presets kept as a table of sizes, each with a `name`: the names, in order, and the entry called
// `name` (throwing "<arch>: unknown preset 'x'; known: micro, tiny, ..." otherwise).
template <typename Sizes, size_t N>
std::vector<std::string> preset_names(const Sizes (&table)[N]) {
  std::vector<std::string> names;
  for (const Sizes& sizes : table) names.push_back(sizes.name);
  return names;
}

template <typename Sizes, size_t N>
const Sizes& find_preset(const Sizes (&table)[N], const std::string& name, const std::string& arch) {
  for (const Sizes& sizes : table)
    if (sizes.name == name) return sizes;
  std::string known;
  for (const std::string& each : preset_names(table)) known += (known.empty() ? "" : ", ") + each;
  throw Error(arch + ": unknown preset '" + name + "'; known: " + known);
}

// Throws "the model would have N parameters, X GiB<with>, more than the Y GiB this machine has
// for tensors" when `copies` copies of its parameters (1 to translate; 4 to train: weights,
// gradients and Adam's two moments) would not fit, before anything is allocated.
void check_fits_in_memory(const ModelConfig& config, int copies, const std::string& with = "");

}  // namespace attn
