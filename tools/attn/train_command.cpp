// attn train: the command-line face of train_translation_model (train/trainer.h).
#include <unistd.h>

#include <iostream>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/trainer.h"

namespace attn::cli {

static const char* kHelp =
    "usage: attn train --src FILE --tgt FILE --out DIR [options]\n"
    "       attn train --tsv FILE --out DIR [options]\n"
    "\n"
    "Trains a Transformer translation model. If DIR already holds a checkpoint, training resumes\n"
    "from it exactly (model, tokenizer and optimiser settings come from DIR/config.json).\n"
    "\n"
    "data:\n"
    "  --src FILE, --tgt FILE       line-aligned source and target sentences\n"
    "  --tsv FILE                   or one file of source<TAB>target lines\n"
    "  --valid-src FILE, --valid-tgt FILE, --valid-tsv FILE   validation data (loss, BLEU)\n"
    "  --out DIR                    model directory: config.json, model.safetensors (best),\n"
    "                               checkpoint.safetensors, metrics.jsonl, loss.svg\n"
    "model:\n"
    "  --preset tiny|small|base     sizes (default tiny: d_model 128, 4 heads, d_ff 512, 2+2)\n"
    "  --d-model N --heads N --d-ff N --encoder-layers N --decoder-layers N   override sizes\n"
    "  --score NAME                 attention score function (default scaled_dot)\n"
    "  --norm post|pre              LayerNorm placement (default post, as the paper)\n"
    "  --dropout P                  (default 0.1)\n"
    "tokens:\n"
    "  --tokenizer char|word|bpe    (default bpe)     --bpe-merges N  (default 8000)\n"
    "  --min-frequency N            rarer tokens become <unk> (default 1)\n"
    "  --max-length N               longer training pairs are skipped (default 100 tokens)\n"
    "training:\n"
    "  --steps N | --epochs N | --minutes M   stop at the first reached (default: 10 epochs)\n"
    "  --batch-tokens N             padded tokens per batch (default 4096)\n"
    "  --schedule noam|constant     (default noam)    --warmup N  (default 4000)\n"
    "  --lr X                       constant: the rate (5e-4); noam: its factor (1)\n"
    "  --label-smoothing X          (default 0.1)     --clip-norm X  (default 1, 0 = off)\n"
    "  --seed N (default 1)   --threads N (default: all cores)\n"
    "  --eval-interval N            steps between validations and checkpoints (default 1000)\n"
    "  --log-interval N             steps between log lines off a terminal (default 100)\n"
    "  --valid-bleu-max N           validation sentences decoded for BLEU (default all)\n";

int train_command(const std::vector<std::string>& args) {
  const Arguments a("train", args,
                    {"src", "tgt", "tsv", "valid-src", "valid-tgt", "valid-tsv", "out", "preset",
                     "d-model", "heads", "d-ff", "encoder-layers", "decoder-layers", "score", "norm",
                     "dropout", "tokenizer", "bpe-merges", "min-frequency", "max-length", "steps",
                     "epochs", "minutes", "batch-tokens", "schedule", "warmup", "lr",
                     "label-smoothing", "clip-norm", "seed", "threads", "eval-interval",
                     "log-interval", "valid-bleu-max"},
                    {"help"});
  if (a.has("help")) {
    std::cout << kHelp;
    return 0;
  }
  TrainOptions o;
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
  o.preset = a.text("preset", o.preset);
  o.d_model = a.integer("d-model", 0);
  o.heads = a.integer("heads", 0);
  o.d_ff = a.integer("d-ff", 0);
  o.encoder_layers = a.integer("encoder-layers", 0);
  o.decoder_layers = a.integer("decoder-layers", 0);
  o.score = a.text("score", o.score);
  o.norm = a.text("norm", o.norm);
  o.dropout = static_cast<real>(a.number("dropout", o.dropout));
  o.tokenizer = a.text("tokenizer", o.tokenizer);
  o.bpe_merges = a.integer("bpe-merges", o.bpe_merges);
  o.min_frequency = a.integer("min-frequency", o.min_frequency);
  o.max_length = a.integer("max-length", o.max_length);
  o.steps = a.integer("steps", 0);
  o.epochs = a.integer("epochs", 0);
  o.minutes = a.number("minutes", 0);
  if (o.steps == 0 && o.epochs == 0 && o.minutes == 0) o.epochs = 10;
  o.batch_tokens = a.integer("batch-tokens", o.batch_tokens);
  o.schedule = a.text("schedule", o.schedule);
  o.warmup = a.integer("warmup", o.warmup);
  o.learning_rate = static_cast<real>(a.number("lr", 0));
  o.label_smoothing = static_cast<real>(a.number("label-smoothing", o.label_smoothing));
  o.clip_norm = static_cast<real>(a.number("clip-norm", o.clip_norm));
  o.seed = static_cast<uint64_t>(a.integer("seed", static_cast<int64_t>(o.seed)));
  o.threads = static_cast<int>(a.integer("threads", 0));
  o.eval_interval = a.integer("eval-interval", o.eval_interval);
  o.log_interval = a.integer("log-interval", o.log_interval);
  o.valid_bleu_max = a.integer("valid-bleu-max", 0);
  if (o.batch_tokens <= 0 || o.eval_interval <= 0 || o.max_length <= 0 || o.steps < 0 ||
      o.epochs < 0 || o.minutes < 0 || o.warmup <= 0)
    throw UsageError{"attn train: sizes, intervals and budgets must be positive"};
  o.live_progress = ::isatty(STDERR_FILENO) != 0;
  train_translation_model(o, std::cerr);
  return 0;
}

}  // namespace attn::cli
