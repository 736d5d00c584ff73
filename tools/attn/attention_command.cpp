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
#include "train/report/svg.h"
#include "train/translator.h"

namespace attn::cli {

static const char* kHelp =
    "usage: attn attention --model DIR --src \"sentence\" --out FILE.svg [--layer L] [--head H | "
    "--mean]\n"
    "\n"
    "  --layer L   attention layer (a Transformer's decoder layer), from 0 (default: the last)\n"
    "  --head H    one head, from 0; --mean (the default) averages the heads\n"
    "  --max-len N longest translation in tokens\n";

int attention_command(const std::vector<std::string>& args) {
  const Arguments a("attention", args, {"model", "src", "out", "layer", "head", "max-len"},
                    {"help", "mean"});
  if (a.has("help")) {
    std::cout << kHelp;
    return 0;
  }
  if (a.has("head") && a.has("mean"))
    throw UsageError{"attn attention: --head and --mean exclude each other"};
  auto translator = Translator::load(a.required("model"));
  const std::string sentence = a.required("src");
  const std::string out_path = a.required("out");
  const int64_t head = a.integer("head", -1);
  if (a.has("head") && head < 0) throw UsageError{"attn attention: --head must be 0 or more"};
  if (a.has("layer") && a.integer("layer", 0) < 0)
    throw UsageError{"attn attention: --layer must be 0 or more"};
  const AttentionMap map =
      translator->attention_map(sentence, a.integer("layer", -1), head, a.integer("max-len", 0));
  const int64_t layer = a.integer("layer", map.layers - 1);
  const std::string title = "layer " + std::to_string(layer) +
                            (head >= 0 ? ", head " + std::to_string(head) : ", mean of heads") +
                            ": " + sentence + " -> " + map.translation;
  write_file_atomically(out_path, heatmap_svg(map.weights, map.target_tokens, map.source_tokens, title));
  std::cout << out_path << "\n";
  return 0;
}

}  // namespace attn::cli
