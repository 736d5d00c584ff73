// attn babi: end-to-end memory networks on the bAbI tasks (train/babi_trainer.h).
//
//   attn babi train   --data DIR --task N|all --out DIR [options]
//   attn babi test    --model DIR --file FILE|FOLDER [--split test|valid|train]
//   attn babi explain --model DIR --file FILE --story N [--svg FILE.svg]
//
// test prints the error rate of one file, or with a folder of bAbI files the per-task table of
// those of one split (qaN_*test.txt by default); --model may be one model (single-task or joint) or a folder holding one
// model per task in task-N/. explain prints, for each question of story N, the lecture's table:
// every sentence with its attention per hop, the supporting facts marked, the answer and the
// prediction.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <stdexcept>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/babi_trainer.h"
#include "train/data/babi_data.h"
#include "train/io/atomic_file.h"
#include "train/io/pharaoh.h"
#include "train/report/svg.h"

namespace attn::cli {

namespace {

const char* kUsage =
    "usage: attn babi train   --data DIR --task N|all --out DIR [options]\n"
    "       attn babi test    --model DIR --file FILE|FOLDER [--split test|valid|train]\n"
    "       attn babi explain --model DIR --file FILE --story N [--svg FILE.svg]\n"
    "\n"
    "End-to-end memory networks (Sukhbaatar et al. 2015) on the bAbI tasks. train reads\n"
    "DIR/qaN_*train.txt (and qaN_valid.txt if there, else holds out 10% of the stories) and\n"
    "trains the paper's model (PE LS RN, 3 hops, adjacent tying) with its recipe; --task all\n"
    "trains one joint model; --quiet leaves out the line per epoch. test prints the error rate\n"
    "on any bAbI file, or the per-task table for a folder's files of one split\n"
    "(qaN_*SPLIT.txt); --model is a model, or a folder of per-task models task-N/. explain\n"
    "shows a story's attention per hop, the supporting facts marked (*).\n";

std::string percent(double share) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f%%", 100.0 * share);
  return text;
}

std::string help_text() {
  MemN2NConfig config;
  BabiOptions defaults;
  std::string help = kUsage;
  help += "\ntrain: the model\n";
  help += "  --preset NAME                micro | paper | joint (default paper; joint for --task all)\n";
  help += settings_help(config.settings());
  help += "train: optimisation (saved with the model)\n";
  help += settings_help(defaults.saved_settings());
  help += "train: this run\n";
  help += settings_help(defaults.run_settings());
  return help;
}

BabiOptions parse_train(const std::vector<std::string>& args) {
  BabiOptions options;
  Settings model = options.model.settings(), saved = options.saved_settings(),
           run = options.run_settings();
  std::set<std::string> with_value = {"data", "task", "out", "preset"};
  for (const Settings* settings : {&model, &saved, &run})
    for (const std::string& name : option_names(*settings)) with_value.insert(name);
  const Arguments a("babi train", args, with_value, {"quiet"});
  options.data_dir = a.required("data");
  options.task = a.text("task", "1");
  options.out_dir = a.required("out");
  try {
    options.model.apply_preset(a.text("preset", options.task == "all" ? "joint" : "paper"));
  } catch (const std::exception& error) {
    throw UsageError{std::string("attn babi train: --preset: ") + error.what()};
  }
  if (options.task == "all") options.use_joint_recipe();  // before the options, which win
  options.explicit_settings = apply_training_settings(a, model, saved, run);
  options.quiet = a.has("quiet");
  return options;
}

int train(const std::vector<std::string>& args) {
  const BabiOptions options = parse_train(args);
  const BabiTrainResult result = train_babi_model(options, std::cerr);
  std::cout << options.out_dir << ": validation error " << percent(result.validation_error);
  if (options.runs > 1) std::cout << " (best of " << options.runs << " runs: run " << result.best_run << ")";
  std::cout << ", " << static_cast<int64_t>(result.seconds) << " s\n";
  return 0;
}

// The bAbI files of a folder whose names end in "<split>.txt", by task; a file stands for itself.
std::map<int, std::string> babi_files(const std::string& path, const std::string& split) {
  std::map<int, std::string> files;
  if (!std::filesystem::is_directory(path)) {
    files[babi_task_of(path)] = path;
    return files;
  }
  for (const auto& entry : std::filesystem::directory_iterator(path)) {
    const std::string name = entry.path().filename().string(), ending = split + ".txt";
    const int task = babi_task_of(name);
    const bool in_split = name.size() >= ending.size() &&
                          name.compare(name.size() - ending.size(), ending.size(), ending) == 0;
    if (task == 0 || !in_split || !entry.is_regular_file()) continue;
    if (files.count(task))
      throw std::runtime_error(path + " holds two files of task " + std::to_string(task) + ": " +
                               files[task] + " and " + entry.path().string());
    files[task] = entry.path().string();
  }
  if (files.empty())
    throw std::runtime_error(path + " holds no bAbI file (qaN_*" + split + ".txt)");
  return files;
}

int test(const std::vector<std::string>& args) {
  const Arguments a("babi test", args, {"model", "file", "split"}, {});
  const std::string model_dir = a.required("model");
  const std::map<int, std::string> files = babi_files(a.required("file"), a.text("split", "test"));
  const bool per_task_models = !std::filesystem::exists(model_dir + "/config.json");
  std::map<std::string, BabiModel> loaded;  // by directory
  auto model_for = [&](int task) -> BabiModel& {
    const std::string dir = per_task_models ? model_dir + "/task-" + std::to_string(task) : model_dir;
    if (!loaded.count(dir)) loaded.emplace(dir, BabiModel::load(dir));
    return loaded.at(dir);
  };
  double total = 0;
  int failed = 0;
  std::cout << "task  error   file\n";
  for (const auto& [task, path] : files) {
    BabiModel& model = model_for(task);
    const double error = error_rate(*model.model, model.vocabulary, read_babi(path));
    total += error;
    failed += error > 0.05 ? 1 : 0;
    char line[64];
    std::snprintf(line, sizeof(line), "%4d  %5.1f%%  ", task, 100 * error);
    std::cout << line << path << "\n";
  }
  if (files.size() > 1)
    std::cout << "mean error " << percent(total / static_cast<double>(files.size())) << " over "
              << files.size() << " tasks; " << failed << " failed (error above 5%)\n";
  return 0;
}

int explain(const std::vector<std::string>& args) {
  const Arguments a("babi explain", args, {"model", "file", "story", "svg"}, {});
  BabiModel model = BabiModel::load(a.required("model"));
  const std::string path = a.required("file");
  const BabiFile file = read_babi(path);
  const std::string story_text = a.required("story");
  int64_t story = 0;
  try {
    story = std::stoll(story_text);
  } catch (const std::exception&) {
    throw UsageError{"attn babi explain: --story expects a whole number, got '" + story_text + "'"};
  }
  if (story < 1 || story > static_cast<int64_t>(file.stories.size()))
    throw UsageError{"attn babi explain: --story must be in 1.." +
                     std::to_string(file.stories.size()) + " (" + path + "), got " + story_text};
  BabiFile one;  // the story's questions, each with its memory
  one.path = path;
  one.stories.push_back(file.stories[static_cast<size_t>(story - 1)]);
  for (BabiQuestion question : file.questions)
    if (question.story == story - 1) {
      question.story = 0;
      one.questions.push_back(question);
    }
  const std::vector<int64_t> predictions = predict_answers(*model.model, model.vocabulary, one);
  const BabiData data({one}, model.vocabulary, model.model->config().memory_size, 1);
  const int64_t K = model.model->config().hops;
  std::string svg;
  for (size_t q = 0; q < one.questions.size(); ++q) {
    const BabiQuestion& question = one.questions[q];
    const Batch batch = data.batch({q});
    const Tensor weights = model.model->read(batch.source).hop_weights.value();  // [1, K, S]
    const int64_t S = weights.size(2), first = question.sentences_before - S;
    auto words = [](const std::vector<std::string>& sentence) {
      std::string text;
      for (const std::string& word : sentence) text += (text.empty() ? "" : " ") + word;
      return text;
    };
    std::cout << "\n";
    for (int64_t k = 1; k <= K; ++k) std::cout << "hop " << k << "  ";
    std::cout << " sentence (story " << story << ", line " << question.line << " of " << path
              << ")\n";
    std::vector<std::string> rows;
    Alignment supporting;
    for (int64_t s = 0; s < S; ++s) {
      for (int64_t k = 0; k < K; ++k) {
        char cell[16];
        std::snprintf(cell, sizeof(cell), "%5.2f  ", weights.at({0, k, s}));
        std::cout << cell;
      }
      const bool support = std::count(question.supporting.begin(), question.supporting.end(),
                                      first + s) > 0;
      const std::string text = words(one.stories[0].sentences[static_cast<size_t>(first + s)]);
      std::cout << (support ? "* " : "  ") << text << "\n";
      rows.push_back(text);
      if (support)
        for (int64_t k = 0; k < K; ++k) supporting.push_back({k, s});
    }
    const std::string predicted = model.vocabulary.token(predictions[q]);
    std::cout << "question: " << words(question.words) << "?  answer: " << question.answer
              << "  prediction: " << predicted << (predicted == question.answer ? "" : "  (wrong)")
              << "\n";
    if (q + 1 == one.questions.size() && a.has("svg")) {
      std::vector<std::string> hops;
      for (int64_t k = 1; k <= K; ++k) hops.push_back("hop " + std::to_string(k));
      const Tensor by_sentence = weights.reshape({K, S}).transpose(0, 1).contiguous();  // [S, K]
      svg = heatmap_svg(by_sentence, rows, hops,
                        words(question.words) + "? " + predicted + " (supporting facts outlined)",
                        supporting);
    }
  }
  if (a.has("svg")) {
    write_file_atomically(a.text("svg"), svg);
    std::cout << "\nwrote " << a.text("svg") << " (the last question)\n";
  }
  return 0;
}

}  // namespace

int babi_command(const std::vector<std::string>& args) {
  return run_subcommand("babi", args, help_text(), {{"train", train}, {"test", test}, {"explain", explain}});
}

}  // namespace attn::cli
