// attn align: how well a model translates a file of pairs with gold alignments, and how well its
// cross-attention aligns (train/alignment_evaluation.h, train/metrics/alignment_score.h).
//
// It prints the exact match of greedy decoding, then, for every attention layer and head and
// for each layer's mean of heads, the gold mass and the alignment error rate of the attention
// on the targets (teacher forcing). --json writes the same figures; --heatmap draws one pair's
// attention with its gold links outlined.
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "tensor/thread_pool.h"
#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/alignment_evaluation.h"
#include "train/data/aligned_corpus.h"
#include "train/io/atomic_file.h"
#include "train/report/svg.h"

namespace attn::cli {

namespace {

const char* kHelp =
    "usage: attn align --model DIR --data FILE [--json FILE] [--heatmap FILE.svg [--line N]]\n"
    "\n"
    "Scores a character model's cross-attention against gold alignments: FILE has one pair a\n"
    "line, source<TAB>target<TAB>links, the links Pharaoh's \"i-j\" (source character i, target\n"
    "character j, from 0), as `attn dates` writes them. Prints the exact match of greedy\n"
    "decoding, then per layer and head, and for each layer's mean of heads, measured on the\n"
    "target read by teacher forcing:\n"
    "  gold mass  the share of attention on the gold source characters (1 is perfect)\n"
    "  AER        the alignment error rate of each character's argmax (0 is perfect)\n"
    "\n"
    "  --model DIR                  a directory written by attn train (char tokenizers)\n"
    "  --data FILE                  pairs with gold alignments\n"
    "  --json FILE                  also write the figures as JSON\n"
    "  --heatmap FILE.svg           draw the attention on one pair, gold links outlined\n";

std::string percent(double share) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f%%", 100.0 * share);
  return text;
}

std::string row(const std::string& layer, const std::string& head, const AlignmentCounts& counts) {
  char text[96];
  std::snprintf(text, sizeof(text), "%5s  %5s  %9.3f  %6.3f\n", layer.c_str(), head.c_str(),
                counts.mass(), counts.aer());
  return text;
}

void print_report(const std::string& model, const std::string& data,
                  const AlignmentEvaluation& evaluation) {
  const AlignmentScore& score = evaluation.score;
  const AlignmentCounts& totals = score.head_mean(0);  // tokens and links: the same for all
  char baselines[160];
  std::snprintf(baselines, sizeof(baselines),
                "(attention spread evenly: %.3f)\n  AER: alignment error rate of each token's "
                "argmax (0 is perfect; these gold links allow no less than %.3f)\n",
                totals.even_mass_baseline(), totals.aer_floor());
  std::cout << model << " on " << data << ": " << evaluation.sentences << " sentences\n"
            << "exact match (greedy decoding): " << percent(evaluation.exact_match()) << " ("
            << evaluation.exact_matches << " of " << evaluation.sentences << ")\n"
            << "cross-attention on the targets (teacher forcing): " << totals.aligned_tokens
            << " aligned target tokens, " << totals.gold_links << " gold links\n"
            << "  gold mass: share of attention on the gold source tokens, 1 is perfect "
            << baselines << "layer   head  gold mass     AER\n";
  for (int64_t layer = 0; layer < score.layers(); ++layer) {
    for (int64_t head = 0; head < score.heads(); ++head)
      std::cout << row(std::to_string(layer), std::to_string(head), score.head(layer, head));
    std::cout << row(std::to_string(layer), "mean", score.head_mean(layer));
  }
}

// Draws the attention on the pair at line `line` of `data`.
void draw_heatmap(Translator& translator, const AlignedPair& pair, const std::string& data,
                  int64_t line, int64_t layer, int64_t head, const std::string& path) {
  AttentionMap map;
  try {
    map = aligned_attention_map(translator, pair);
  } catch (const std::exception& error) {
    throw std::runtime_error(data + ":" + std::to_string(line) + ": " + error.what());
  }
  if (layer < 0) layer = map.layers() - 1;
  if (layer >= map.layers())
    throw UsageError{"attn align: --layer must be in 0.." + std::to_string(map.layers() - 1) +
                     " for this model, got " + std::to_string(layer)};
  if (head >= map.heads())
    throw UsageError{"attn align: --head must be in 0.." + std::to_string(map.heads() - 1) +
                     " for this model, got " + std::to_string(head)};
  const std::string title = "line " + std::to_string(line) + ", layer " + std::to_string(layer) +
                            (head >= 0 ? ", head " + std::to_string(head) : ", mean of heads") +
                            ", reading the target: " + pair.source + " -> " + pair.target +
                            " (gold links outlined)";
  write_file_atomically(path, heatmap_svg(map.weights(layer, head), map.target_tokens,
                                          map.source_tokens, title, pair.alignment));
}

}  // namespace

int align_command(const std::vector<std::string>& args) {
  int64_t line = 1, layer = -1, head = -1, batch = 32, threads = 0;
  Settings settings = {
      integer_setting("line", line, "--heatmap: the pair on this line of --data", 1, kNoMaximum),
      integer_setting("layer", layer, "--heatmap: attention layer from 0 (-1: the last)", -1,
                      1 << 16),
      integer_setting("head", head, "--heatmap: one head from 0 (-1: the mean of the heads)", -1,
                      1 << 16),
      integer_setting("batch", batch, "sentences decoded together", 1, 1 << 16),
      integer_setting("threads", threads, "threads (0: all cores)", 0, 1024)};
  std::set<std::string> with_value = option_names(settings);
  with_value.insert({"model", "data", "json", "heatmap"});
  const Arguments a("align", args, with_value, {"help"});
  if (a.has("help")) {
    std::cout << kHelp << settings_help(settings);
    return 0;
  }
  apply_settings(a, settings);
  const std::string model = a.required("model"), data = a.required("data");
  if (threads > 0) set_num_threads(static_cast<int>(threads));
  const std::vector<AlignedPair> pairs = read_aligned_tsv(data);
  if (a.has("heatmap") && line > static_cast<int64_t>(pairs.size()))
    throw UsageError{"attn align: --line must be in 1.." + std::to_string(pairs.size()) + " for " +
                     data + ", got " + std::to_string(line)};
  auto translator = Translator::load(model);
  check_character_model(*translator);
  if (a.has("heatmap"))  // first, so that a wrong --layer or --head is known at once
    draw_heatmap(*translator, pairs[static_cast<size_t>(line - 1)], data, line, layer, head,
                 a.text("heatmap"));
  const AlignmentEvaluation evaluation = evaluate_alignment(*translator, pairs, data, batch);
  print_report(model, data, evaluation);
  if (a.has("json")) {
    Json json = alignment_evaluation_to_json(evaluation);
    json["model"] = model;
    json["data"] = data;
    write_file_atomically(a.text("json"), json.dump() + "\n");
  }
  return 0;
}

}  // namespace attn::cli
