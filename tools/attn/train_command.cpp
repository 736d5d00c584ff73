// attn train: the command-line face of train_translation_model (train/trainer.h).
#include "tools/attn/train_command.h"

#include <unistd.h>

#include <iostream>

#include "models/registry.h"
#include "nn/attention/registry.h"
#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"

namespace attn::cli {

namespace {

const char* kUsage =
    "usage: attn train --src FILE --tgt FILE --out DIR [options]\n"
    "       attn train --tsv FILE --out DIR [options]\n"
    "\n"
    "Trains a translation model. If DIR already holds a checkpoint, training resumes from it\n"
    "exactly (model, tokenizer and optimiser settings come from DIR/config.json).\n"
    "\n"
    "data:\n"
    "  --src FILE, --tgt FILE       line-aligned source and target sentences\n"
    "  --tsv FILE                   or one file of source<TAB>target lines\n"
    "  --valid-src FILE, --valid-tgt FILE, --valid-tsv FILE   validation data (loss, BLEU)\n"
    "  --out DIR                    model directory: config.json, model.safetensors (best),\n"
    "                               checkpoint.safetensors, metrics.jsonl, loss.svg\n";

const std::vector<std::string> kDataOptions = {"src",       "tgt", "tsv",  "valid-src", "valid-tgt",
                                               "valid-tsv", "out", "arch", "preset"};

// The value of `--name` in args, or `fallback`; used before the full parse, which needs the
// architecture to know its options.
std::string peek(const std::vector<std::string>& args, const std::string& name,
                 const std::string& fallback) {
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--" + name) return args[i + 1];
  return fallback;
}

const ModelEntry& architecture(const std::string& name) {
  try {
    return model_architecture(name);
  } catch (const std::exception& error) {
    throw UsageError{std::string("attn train: --arch: ") + error.what()};
  }
}

std::string joined(const std::vector<std::string>& words, const std::string& separator) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : separator) + word;
  return text;
}

}  // namespace

std::string train_help(const std::string& arch) {
  const ModelEntry& entry = architecture(arch);
  std::unique_ptr<ModelConfig> config = default_model_config(arch);
  TrainOptions defaults;
  std::vector<std::string> architectures, scores;
  for (const ModelEntry& known : model_architectures())
    architectures.push_back(known.name + (known.name == arch ? " (this one)" : ""));
  for (const ScoreEntry& score : score_functions()) scores.push_back(score.name);
  std::string help = kUsage;
  help += "model:\n";
  help += "  --arch NAME                  " + joined(architectures, ", ") +
          "; attn train --arch NAME --help lists its options\n";
  help += "  --preset NAME                " + joined(config->presets(), " | ") + " (default " +
          entry.default_preset + ")\n";
  help += settings_help(config->settings());
  help += "  score functions: " + joined(scores, ", ") + "\n";
  help += "tokens and optimisation (saved with the model):\n";
  help += settings_help(defaults.saved_settings());
  help += "this run:\n";
  help += settings_help(defaults.run_settings());
  return help;
}

TrainOptions parse_train_arguments(const std::vector<std::string>& args, bool* help) {
  const std::string arch = peek(args, "arch", "transformer");
  const ModelEntry& entry = architecture(arch);
  std::unique_ptr<ModelConfig> config = entry.make_config();
  TrainOptions o;
  Settings model_settings = config->settings();
  Settings saved = o.saved_settings(), run = o.run_settings();

  std::set<std::string> with_value(kDataOptions.begin(), kDataOptions.end());
  for (const Settings* settings : {&model_settings, &saved, &run})
    for (const std::string& name : option_names(*settings)) with_value.insert(name);
  const Arguments a("train", args, with_value, {"help"});
  if (help) *help = a.has("help");
  if (a.has("help")) return o;

  try {
    config->apply_preset(a.text("preset", entry.default_preset));
  } catch (const std::exception& error) {
    throw UsageError{std::string("attn train: --preset: ") + error.what()};
  }
  apply_settings(a, model_settings);  // after the preset, so a setting overrides its size
  apply_settings(a, saved);
  apply_settings(a, run);
  for (const Settings* settings : {&model_settings, &saved})
    o.explicit_settings.merge(given_settings(a, *settings));
  try {
    config->check();
  } catch (const std::exception& error) {
    throw UsageError{std::string("attn train: ") + error.what()};
  }
  o.model = std::move(config);

  o.tsv_path = a.text("tsv");
  if (o.tsv_path.empty()) {
    o.source_path = a.required("src");
    o.target_path = a.required("tgt");
  }
  o.valid_source_path = a.text("valid-src");
  o.valid_target_path = a.text("valid-tgt");
  o.valid_tsv_path = a.text("valid-tsv");
  if (o.valid_source_path.empty() != o.valid_target_path.empty())
    throw UsageError{"attn train: --valid-src and --valid-tgt go together"};
  o.out_dir = a.required("out");
  o.live_progress = ::isatty(STDERR_FILENO) != 0;
  return o;
}

int train_command(const std::vector<std::string>& args) {
  bool help = false;
  const TrainOptions options = parse_train_arguments(args, &help);
  if (help) {
    std::cout << train_help(peek(args, "arch", "transformer"));
    return 0;
  }
  train_translation_model(options, std::cerr);
  return 0;
}

}  // namespace attn::cli
