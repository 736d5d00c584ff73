// The settings every model configuration shares (see model_config.h).
#include "models/seq2seq/model_config.h"

#include "models/seq2seq/special_tokens.h"
#include "tensor/error.h"
#include "tensor/memory.h"

namespace attn {

Settings ModelConfig::common_settings() {
  // arch is no field: it is what the config is. Reading checks that a file names this one.
  const Setting architecture = custom_setting(
      "arch", SettingKind::text, "the model's architecture", [this] { return arch(); },
      [this](const std::string& text) {
        if (text != arch()) throw Error("must be " + arch() + ", got '" + text + "'");
      });
  // Nor is pad_index: the pad id is special_tokens::pad everywhere. config.json still shows it,
  // for readers of the file, and reading checks it.
  const std::string pad = std::to_string(special_tokens::pad);
  const Setting pad_index = custom_setting(
      "pad_index", SettingKind::integer, "the padding token's id", [pad] { return pad; },
      [pad](const std::string& text) {
        if (text != pad) throw Error("must be " + pad + ", got " + text);
      });
  return {
      architecture.made_internal(),
      integer_setting("source_vocab", source_vocab, "source vocabulary size", 0).made_internal(),
      integer_setting("target_vocab", target_vocab, "target vocabulary size", 0).made_internal(),
      integer_setting("max_length", max_length, "longest sequence", 1, 1 << 20).made_internal(),
      seed_setting("seed", seed, "seeds the weights and dropout").made_internal(),
      pad_index.made_internal(),
  };
}

void check_fits_in_memory(const ModelConfig& config, int copies, const std::string& with) {
  const double parameters = static_cast<double>(config.parameter_count());
  const double bytes = copies * parameters * static_cast<double>(sizeof(real));
  const double limit = static_cast<double>(tensor_memory_limit());
  if (bytes > limit)
    throw Error("the model would have " + std::to_string(config.parameter_count()) +
                " parameters, " + byte_size_text(bytes) + with + ", more than the " +
                byte_size_text(limit) + " this machine has for tensors");
}

}  // namespace attn
