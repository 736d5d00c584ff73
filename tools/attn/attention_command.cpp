// attn attention: translate one sentence and draw where the decoder looked.
//
// The picture is one decoder layer's cross-attention weights [T, S]: row t is the distribution
// over source tokens that the decoder used while producing target token t, averaged over the
// heads (--mean, the default) or of one head (--head H).
#include <iostream>

#include "autograd/variable.h"
#include "models/greedy.h"
#include "tensor/kernels.h"
#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/atomic_file.h"
#include "train/svg.h"
#include "train/translator.h"

namespace attn::cli {

static const char* kHelp =
    "usage: attn attention --model DIR --src \"sentence\" --out FILE.svg [--layer L] [--head H | --mean]\n"
    "\n"
    "  --layer L   decoder layer, from 0 (default: the last)\n"
    "  --head H    one head, from 0; --mean (the default) averages the heads\n"
    "  --max-len N longest translation in tokens\n";

int attention_command(const std::vector<std::string>& args) {
  const Arguments a("attention", args, {"model", "src", "out", "layer", "head", "max-len"},
                    {"help", "mean"});
  if (a.has("help")) {
    std::cout << kHelp;
    return 0;
  }
  if (a.has("head") && a.has("mean")) throw UsageError{"attn attention: --head and --mean exclude each other"};
  auto translator = Translator::load(a.required("model"));
  const std::string sentence = a.required("src");
  const std::string out_path = a.required("out");
  Transformer& model = translator->model();
  const int64_t layers = model.config().decoder_layers;
  const int64_t layer = a.integer("layer", layers - 1);
  if (layer < 0 || layer >= layers)
    throw UsageError{"attn attention: --layer must be in 0.." + std::to_string(layers - 1)};
  const int64_t head = a.integer("head", -1);
  if (a.has("head") && (head < 0 || head >= model.config().heads))
    throw UsageError{"attn attention: --head must be in 0.." + std::to_string(model.config().heads - 1)};

  // The source as ids [1, S], its translation, and one teacher-forced pass over that translation
  // to read the cross-attention of every generated token.
  const std::vector<int64_t> source_ids = translator->encode_source(sentence);
  if (source_ids.empty()) throw UsageError{"attn attention: --src has no tokens"};
  Tensor source({1, static_cast<int64_t>(source_ids.size())});
  for (size_t s = 0; s < source_ids.size(); ++s) source.data()[s] = static_cast<real>(source_ids[s]);
  const int64_t max_length = a.integer("max-len", static_cast<int64_t>(source_ids.size()) * 3 / 2 + 10);
  const Tensor output = greedy_decode(model, source, Vocabulary::bos, Vocabulary::eos, max_length);

  std::vector<real> target_in{static_cast<real>(Vocabulary::bos)};
  std::vector<int64_t> output_ids;
  std::vector<std::string> row_labels;
  for (int64_t t = 0; t < output.size(1); ++t) {
    const int64_t id = static_cast<int64_t>(output.at({0, t}));
    if (id == Vocabulary::pad) break;
    row_labels.push_back(translator->target().vocabulary.token(id));
    output_ids.push_back(id);
    if (id == Vocabulary::eos) break;
    target_in.push_back(static_cast<real>(id));
  }
  target_in.resize(row_labels.size());  // one input position per generated token
  {
    NoGradGuard no_grad;
    model.eval();
    model.forward(source, Tensor::from_vector({1, static_cast<int64_t>(target_in.size())}, target_in));
  }
  const Tensor weights = model.cross_attention_weights(layer).squeeze(0);  // [H, T, S]
  const Tensor picture = head >= 0 ? weights.narrow(0, head, 1).squeeze(0) : mean(weights, 0);  // [T, S]
  std::vector<std::string> column_labels;
  for (int64_t id : source_ids) column_labels.push_back(translator->source().vocabulary.token(id));
  const std::string title = "layer " + std::to_string(layer) +
                            (head >= 0 ? ", head " + std::to_string(head) : ", mean of heads") +
                            ": " + translator->decode_target(output_ids);
  write_file_atomically(out_path, heatmap_svg(picture, row_labels, column_labels, title));
  std::cout << out_path << "\n";
  return 0;
}

}  // namespace attn::cli
