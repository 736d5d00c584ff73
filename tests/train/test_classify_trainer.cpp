// Training the sentence classifier (train/classify_trainer.h) on the generated keyword task: it
// learns, attention finds the keyword, a model directory resumes exactly, a changed setting is
// refused on resume, and predictions read what test and explain print.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "tests/temporary_path.h"
#include "tests/train/metrics_file.h"
#include "train/classify_trainer.h"
#include "train/io/atomic_file.h"

using namespace attn;
using attn::test::metrics_without_timings;

namespace {

// A directory with train.txt (n keyword sentences) and valid.txt (100 others).
std::string keyword_files(const std::string& name, int64_t n) {
  const std::string dir = temporary_path(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  write_file_atomically(dir + "/train.txt", format_sentences(keyword_task(n, 1)));
  write_file_atomically(dir + "/valid.txt", format_sentences(keyword_task(100, 2)));
  return dir;
}

ClassifyOptions micro_options(const std::string& data, const std::string& out) {
  ClassifyOptions options;
  options.train_path = data + "/train.txt";
  options.out_dir = out;
  options.model.apply_preset("micro");
  options.epochs = 2;
  options.threads = 1;
  options.quiet = true;
  return options;
}

}  // namespace

TEST_CASE("classify trainer: a fixed-seed run learns the keyword task, and attention lands on "
          "the keyword") {
  const std::string data = keyword_files("classify_learn", 800);
  ClassifyOptions options = micro_options(data, data + "/model");
  options.valid_path = data + "/valid.txt";
  options.model.apply_preset("small");
  options.model.dropout = 0.1f;
  options.model.penalty = 0;  // one word matters: the penalty would push hops off it (example 12)
  options.epochs = 6;  // 25 batches of 32 each: 150 steps
  std::ostringstream log;
  const ClassifyTrainResult result = train_classifier(options, log);
  CHECK(result.steps == 150);
  CHECK(result.best_accuracy >= 95);

  const ClassifyModel loaded = ClassifyModel::load(options.out_dir);
  const SentenceFile test = keyword_task(100, 3);
  CHECK(accuracy(*loaded.model, loaded.vocabulary, test) >= 95);
  // The mean over the hops of the weight on the keyword, against 1/n for uniform weights.
  double on_keyword = 0, uniform = 0;
  for (const LabelledSentence& example : test.examples) {
    const Classified c = classify_sentence(*loaded.model, loaded.vocabulary, example.words);
    const auto at = static_cast<size_t>(keyword_position(example.words));
    for (const std::vector<double>& row : c.weights) on_keyword += row[at] / static_cast<double>(c.weights.size());
    uniform += 1.0 / static_cast<double>(example.words.size());
  }
  CAPTURE(on_keyword / 100);
  CHECK(on_keyword > 2 * uniform);
}

TEST_CASE("classify trainer: a model directory that loads, resumes exactly, refuses a change") {
  const std::string data = keyword_files("classify_resume", 120);
  const std::string whole = data + "/whole", halves = data + "/halves";
  std::ostringstream log;
  const ClassifyTrainResult full = train_classifier(micro_options(data, whole), log);
  CHECK(full.validation_sentences == 12);  // every 10th of 120 held out
  ClassifyOptions first = micro_options(data, halves);
  first.epochs = 1;
  train_classifier(first, log);
  train_classifier(micro_options(data, halves), log);  // resumes at epoch 1
  CHECK(metrics_without_timings(whole) == metrics_without_timings(halves));
  CHECK(read_file(whole + "/model.safetensors") == read_file(halves + "/model.safetensors"));
  for (const char* file : {"config.json", "checkpoint.safetensors", "loss.svg"})
    CHECK(std::filesystem::exists(whole + "/" + file));

  const ClassifyModel loaded = ClassifyModel::load(whole);
  CHECK(loaded.lowercase);
  CHECK(loaded.model->config().classes() == 4);
  const SentenceFile file = loaded.read(data + "/valid.txt");
  CHECK(predict_classes(*loaded.model, loaded.vocabulary, file).size() == 100);

  ClassifyOptions changed = micro_options(data, whole);
  changed.learning_rate = 0.5;
  changed.explicit_settings = {"learning_rate"};
  CHECK_THROWS_WITH(train_classifier(changed, log),
                    doctest::Contains("--lr 0.5 differs from the run being resumed (0.001 in"));
}

TEST_CASE("classify trainer: a validation label the training data lacks is an error naming its "
          "line") {
  const std::string data = keyword_files("classify_labels", 60);
  write_file_atomically(data + "/odd.txt", "1 a dog\n7 a cat\n");
  ClassifyOptions options = micro_options(data, data + "/model");
  options.valid_path = data + "/odd.txt";
  std::ostringstream log;
  CHECK_THROWS_WITH(train_classifier(options, log),
                    (data + "/odd.txt:2: label 7, but the training sentences have only 4 classes "
                            "(0..3)").c_str());
}
