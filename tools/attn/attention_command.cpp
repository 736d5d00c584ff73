// attn attention: translate one sentence and draw where the decoder looked.
//
// The picture is one attention layer's cross-attention weights [T, S]: row t is the distribution
// over source tokens that the decoder used while producing target token t, averaged over the
// heads (--mean, the default) or of one head (--head H). It works for every architecture: the
// weights are those each decoding step returns (Translator::attention_map).
#include <iostream>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/io/atomic_file.h"
#include "train/io/utf8.h"
#include "train/report/svg.h"
#include "train/translator.h"

namespace attn::cli {

int attention_command(const std::vector<std::string>& args) {
  int64_t layer = -1, head = -1, max_length = 0;
  Settings settings = {
      integer_setting("layer", layer, "attention layer from 0, a Transformer's decoder layer "
                      "(-1: the last)", -1, 1 << 16),
      integer_setting("head", head, "one head from 0 (-1: the mean of the heads)", -1, 1 << 16),
      integer_setting("max_len", max_length,
                      "longest translation in tokens (0: ceil(source x the largest "
                      "target/source ratio in training) + 5)",
                      0, 1 << 16)};
  std::set<std::string> with_value = option_names(settings);
  with_value.insert({"model", "src", "out"});
  const Arguments a("attention", args, with_value, {"help", "mean"});
  if (a.has("help")) {
    std::cout << "usage: attn attention --model DIR --src \"sentence\" --out FILE.svg [options]\n"
                 "\n"
                 "  --mean                       the mean of the heads (the default)\n"
              << settings_help(settings);
    return 0;
  }
  apply_settings(a, settings);
  if (a.has("head") && a.has("mean"))
    throw UsageError{"attn attention: --head and --mean exclude each other"};
  const std::string model = a.required("model"), sentence = a.required("src");
  const std::string out_path = a.required("out");
  if (!is_valid_utf8(sentence)) throw UsageError{"attn attention: --src is not valid UTF-8"};
  auto translator = Translator::load(model);
  if (translator->encode_source(sentence).empty())
    throw UsageError{"attn attention: --src has no tokens"};
  const AttentionMap map = translator->attention_map(sentence, max_length);
  if (layer < 0) layer = map.layers() - 1;
  if (layer >= map.layers())
    throw UsageError{"attn attention: --layer must be in 0.." + std::to_string(map.layers() - 1) +
                     " for this model, got " + std::to_string(layer)};
  if (head >= map.heads())
    throw UsageError{"attn attention: --head must be in 0.." + std::to_string(map.heads() - 1) +
                     " for this model, got " + std::to_string(head)};
  const std::string title = "layer " + std::to_string(layer) +
                            (head >= 0 ? ", head " + std::to_string(head) : ", mean of heads") +
                            ": " + sentence + " -> " + map.translation;
  write_file_atomically(out_path,
                        heatmap_svg(map.weights(layer, head), map.target_tokens,
                                    map.source_tokens, title));
  std::cout << out_path << "\n";
  return 0;
}

}  // namespace attn::cli
