// Example 6, the demo (`make demo`): a Transformer learns to normalise dates.
//
// What it teaches: the whole pipeline of a translation model on data it makes itself.
//   1. generate "saturday, november 21 2026", "21/11/26", "21 novembre 2026", ... -> "2026-11-21"
//      (train/data/dates.h: twelve surface forms in English, French and German)
//   2. train a small Transformer on characters with `train_translation_model`, the same loop as
//      `attn train`, writing its model directory (config, weights, metrics, loss curve)
//   3. translate 1,000 freshly generated dates and count exact matches
//   4. draw the cross-attention of one translation: the year of the output should attend to the
//      year of the input, the month to the month name, the day to the day
// Its data files (train.tsv, valid.tsv, test.tsv: the 1,000 test dates) carry the generator's
// gold alignment as a third column, so `build/attn align --model DIR/model --data DIR/test.tsv`
// measures how well the attention aligns (docs/alignment.md).
//
// Run: build/examples/06_dates [--out DIR] [--steps N] [--threads N] [--seed N]
// It prints a few translations, the heatmap's path, and last the exact-match accuracy.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "models/transformer/transformer.h"
#include "train/data/dates.h"
#include "train/io/atomic_file.h"
#include "train/report/svg.h"
#include "train/trainer.h"
#include "train/translator.h"

using namespace attn;

namespace {

struct DemoOptions {
  std::string out = "build/demo";  // model directory and data files
  int64_t steps = 3000;            // optimiser steps
  int threads = 0;                 // 0: all cores
  uint64_t seed = 2026;
};

DemoOptions parse(int argc, char** argv) {
  DemoOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i], value = argv[i + 1];
    if (name == "--out") options.out = value;
    else if (name == "--steps") options.steps = std::stoll(value);
    else if (name == "--threads") options.threads = std::stoi(value);
    else if (name == "--seed") options.seed = std::stoull(value);
    else throw std::runtime_error("unknown option " + name + " (--out, --steps, --threads, --seed)");
  }
  if (argc % 2 == 0) throw std::runtime_error("every option needs a value");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const DemoOptions demo = parse(argc, argv);
    const std::string model_dir = demo.out + "/model";
    std::filesystem::remove_all(model_dir);  // a fresh run every time, not a resumed one
    std::filesystem::create_directories(model_dir);

    // source<TAB>target<TAB>gold alignment; training reads the first two columns
    Generator data(demo.seed);
    const std::vector<AlignedPair> train = generate_aligned_date_pairs(40000, data);
    const std::vector<AlignedPair> valid = generate_aligned_date_pairs(300, data);
    write_file_atomically(demo.out + "/train.tsv", aligned_tsv(train));
    write_file_atomically(demo.out + "/valid.tsv", aligned_tsv(valid));
    Generator fresh(demo.seed + 1);  // test dates drawn apart from the training stream
    const std::vector<AlignedPair> test = generate_aligned_date_pairs(1000, fresh);
    write_file_atomically(demo.out + "/test.tsv", aligned_tsv(test));

    TrainOptions options;
    options.tsv_path = demo.out + "/train.tsv";
    options.valid_tsv_path = demo.out + "/valid.tsv";
    options.out_dir = model_dir;
    TransformerConfig model = TransformerConfig::tiny();  // 2 + 2 layers, resized below
    model.d_model = 64;
    model.heads = 4;
    model.d_ff = 256;
    model.dropout = 0.0;
    options.model = std::make_shared<TransformerConfig>(model);
    options.tokenizer = "char";
    options.steps = demo.steps;
    options.batch_tokens = 2048;
    options.schedule = "noam";
    options.warmup = 400;
    options.learning_rate = 1;
    options.label_smoothing = 0.0;
    options.eval_interval = 500;
    options.seed = demo.seed;
    options.threads = demo.threads;
    train_translation_model(options, std::cerr);

    auto translator = Translator::load(model_dir);
    std::vector<std::string> sources;
    for (const AlignedPair& pair : test) sources.push_back(pair.source);
    TranslateOptions greedy;
    greedy.batch_size = 100;
    const std::vector<std::string> outputs = translator->translate(sources, greedy);
    int64_t correct = 0;
    for (size_t i = 0; i < test.size(); ++i) correct += outputs[i] == test[i].target;
    std::printf("\n");
    for (size_t i = 0; i < 8; ++i)
      std::printf("%-30s -> %s%s\n", test[i].source.c_str(), outputs[i].c_str(),
                  outputs[i] == test[i].target ? "" : ("   (expected " + test[i].target + ")").c_str());

    const std::string example = format_date({2026, 11, 21}, 0);  // "saturday, november 21 2026"
    const AttentionMap map = translator->attention_map(example);
    const std::string svg_path = demo.out + "/attention.svg";
    write_file_atomically(svg_path, heatmap_svg(map.weights(map.layers() - 1), map.target_tokens, map.source_tokens,
                                                "cross-attention, last decoder layer, mean of heads: " +
                                                    example + " -> " + map.translation));
    std::printf("\n%s -> %s\nattention heatmap: %s\n", example.c_str(), map.translation.c_str(),
                svg_path.c_str());
    std::printf("dates: exact match %.1f%% on %zu fresh dates\n",
                100.0 * static_cast<double>(correct) / static_cast<double>(test.size()), test.size());
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "06_dates: " << error.what() << "\n";
    return 1;
  }
}
