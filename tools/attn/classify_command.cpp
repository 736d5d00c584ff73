// attn classify: sentence classification with attention pooling (train/classify_trainer.h).
//
//   attn classify train   --train FILE [--valid FILE] --out DIR [options]
//   attn classify test    --model DIR --file FILE
//   attn classify explain --model DIR (--sentence "TEXT" | --file FILE --line N) [--out heat.svg]
//
// test prints the accuracy on any file of labelled sentences. explain classifies one sentence
// and prints each word with its attention weight per hop and their mean, and draws the words
// shaded by weight, one row per hop (Lin et al. 2017, Figure 2).
#include <cstdio>
#include <iostream>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/classify_trainer.h"
#include "train/io/atomic_file.h"
#include "train/report/word_heatmap_svg.h"

namespace attn::cli {

namespace {

const char* kUsage =
    "usage: attn classify train   --train FILE [--valid FILE] --out DIR [options]\n"
    "       attn classify test    --model DIR --file FILE\n"
    "       attn classify explain --model DIR (--sentence \"TEXT\" | --file FILE --line N)\n"
    "                             [--out heat.svg]\n"
    "\n"
    "Sentence classification with a self-attentive sentence embedding (Lin et al. 2017): a\n"
    "BiLSTM, attention pooling with r learned queries, an MLP. Files hold one sentence a line,\n"
    "its class first: '5 How far is it from Denver to Aspen ?'. train holds out every 10th\n"
    "sentence for validation unless --valid is given, and keeps the weights of the best\n"
    "validation accuracy; --pooling mean trains the baseline without attention. test prints the\n"
    "accuracy on any such file. explain prints the predicted class and each word's attention\n"
    "(per hop and the mean), and with --out draws the words shaded by it, a row per hop.\n";

std::string help_text() {
  ClassifyOptions defaults;
  std::string help = kUsage;
  help += "\ntrain: the model\n";
  help += "  --preset NAME                micro | small | base (default base)\n";
  help += settings_help(defaults.model.settings());
  help += "train: data and optimisation (saved with the model)\n";
  help += settings_help(defaults.saved_settings());
  help += "train: this run\n";
  help += settings_help(defaults.run_settings());
  return help;
}

ClassifyOptions parse_train(const std::vector<std::string>& args) {
  ClassifyOptions options;
  Settings model = options.model.settings(), saved = options.saved_settings(),
           run = options.run_settings();
  std::set<std::string> with_value = {"train", "valid", "out", "preset"};
  for (const Settings* settings : {&model, &saved, &run})
    for (const std::string& name : option_names(*settings)) with_value.insert(name);
  const Arguments a("classify train", args, with_value, {"quiet"});
  options.train_path = a.required("train");
  options.valid_path = a.text("valid");
  options.out_dir = a.required("out");
  try {
    options.model.apply_preset(a.text("preset", "base"));
  } catch (const std::exception& error) {
    throw UsageError{std::string("attn classify train: --preset: ") + error.what()};
  }
  options.explicit_settings = apply_training_settings(a, model, saved, run);
  options.quiet = a.has("quiet");
  return options;
}

int train(const std::vector<std::string>& args) {
  const ClassifyOptions options = parse_train(args);
  const ClassifyTrainResult result = train_classifier(options, std::cerr);
  char line[160];
  std::snprintf(line, sizeof(line), "validation accuracy %.2f%% (%lld sentences), %lld steps, %.0f s\n",
                result.best_accuracy, static_cast<long long>(result.validation_sentences),
                static_cast<long long>(result.steps), result.seconds);
  std::cout << options.out_dir << ": " << line;
  return 0;
}

int test(const std::vector<std::string>& args) {
  const Arguments a("classify test", args, {"model", "file"}, {});
  const ClassifyModel loaded = ClassifyModel::load(a.required("model"));
  const SentenceFile file = loaded.read(a.required("file"));
  const std::vector<int64_t> classes = predict_classes(*loaded.model, loaded.vocabulary, file);
  int64_t right = 0;
  for (size_t i = 0; i < classes.size(); ++i) right += classes[i] == file.examples[i].label;
  char line[160];
  std::snprintf(line, sizeof(line), "accuracy %.2f%% (%lld of %lld sentences)\n",
                100.0 * static_cast<double>(right) / static_cast<double>(classes.size()),
                static_cast<long long>(right), static_cast<long long>(classes.size()));
  std::cout << line;
  return 0;
}

// The sentence explain reads: --sentence's words, or line --line of --file; and its label, or -1.
LabelledSentence sentence_to_explain(const Arguments& a, const ClassifyModel& loaded) {
  if (a.has("sentence") == a.has("file"))
    throw UsageError{"attn classify explain: give exactly one of --sentence \"TEXT\" and --file FILE --line N"};
  if (a.has("sentence")) {
    if (a.has("line")) throw UsageError{"attn classify explain: --line goes with --file, not --sentence"};
    if (a.text("sentence").find_first_not_of(" \t") == std::string::npos)
      throw UsageError{"attn classify explain: --sentence has no words"};
    // The sentence as a file of one line, so it is split and lowercased as training text was.
    const SentenceFile one = parse_sentences("0 " + a.text("sentence"), "--sentence", loaded.lowercase);
    return {-1, one.examples[0].words, 0};
  }
  if (!a.has("line")) throw UsageError{"attn classify explain: --file needs --line N"};
  const int64_t line = whole_number(a, "line", 1, 1);
  for (const LabelledSentence& example : loaded.read(a.text("file")).examples)
    if (example.line == line) return example;
  throw UsageError{"attn classify explain: " + a.text("file") + " has no sentence on line " +
                   std::to_string(line)};
}

// "  word         0.412  0.031 | 0.221": each hop's weight, then their mean.
void print_weights(const std::vector<std::string>& words, const std::vector<std::vector<double>>& rows) {
  std::printf("%-16s", "word");
  for (size_t i = 0; i < rows.size(); ++i) std::printf(" %7s", ("hop " + std::to_string(i + 1)).c_str());
  std::printf(" | %6s\n", "mean");
  for (size_t s = 0; s < words.size(); ++s) {
    double mean = 0;
    std::printf("%-16s", words[s].c_str());
    for (const std::vector<double>& row : rows) {
      std::printf(" %7.3f", row[s]);
      mean += row[s] / static_cast<double>(rows.size());
    }
    std::printf(" | %6.3f\n", mean);
  }
}

int explain(const std::vector<std::string>& args) {
  const Arguments a("classify explain", args, {"model", "sentence", "file", "line", "out"}, {});
  const ClassifyModel loaded = ClassifyModel::load(a.required("model"));
  const LabelledSentence sentence = sentence_to_explain(a, loaded);
  const Classified result = classify_sentence(*loaded.model, loaded.vocabulary, sentence.words);
  std::printf("predicted class %lld (probability %.3f)", static_cast<long long>(result.label),
              result.probabilities[static_cast<size_t>(result.label)]);
  if (sentence.label >= 0) std::printf(", labelled %lld", static_cast<long long>(sentence.label));
  std::printf("\n");
  if (loaded.model->config().pooling == SentencePooling::mean) {
    std::printf("this model pools by the mean: it has no attention, every word weighs 1/%zu\n",
                sentence.words.size());
    if (a.has("out")) std::printf("no heat map written: there is no attention to draw\n");
    return 0;
  }
  print_weights(sentence.words, result.weights);
  if (a.has("out")) {
    std::vector<std::vector<double>> rows = result.weights;
    std::vector<std::string> labels;
    std::vector<double> mean(sentence.words.size(), 0);
    for (size_t i = 0; i < rows.size(); ++i) {
      labels.push_back("hop " + std::to_string(i + 1));
      for (size_t s = 0; s < mean.size(); ++s) mean[s] += rows[i][s] / static_cast<double>(rows.size());
    }
    rows.push_back(mean);
    labels.push_back("mean");
    write_file_atomically(a.text("out"), word_heatmap_svg(sentence.words, rows, labels,
                                                          "predicted class " + std::to_string(result.label)));
    std::printf("wrote %s\n", a.text("out").c_str());
  }
  return 0;
}

}  // namespace

int classify_command(const std::vector<std::string>& args) {
  return run_subcommand("classify", args, help_text(),
                        {{"train", train}, {"test", test}, {"explain", explain}});
}

}  // namespace attn::cli
