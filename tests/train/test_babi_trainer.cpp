// Training memory networks on bAbI (train/babi_trainer.h) on generated task-1 stories
// (train/data/where_stories.h): a model directory like attn train's, exact resume across the linear start's switch, a
// changed setting refused on resume, and the batches a memory network reads.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "train/babi_trainer.h"
#include "train/data/babi_data.h"
#include "train/data/where_stories.h"
#include "train/io/atomic_file.h"
#include "train/io/json.h"
#include "tests/temporary_path.h"
#include "tests/train/metrics_file.h"

using namespace attn;
using attn::test::metrics_without_timings;

namespace {

std::string task_folder(const std::string& name) {
  const std::string dir = temporary_path(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  write_file_atomically(dir + "/qa1_train.txt", where_stories(30, 1));
  write_file_atomically(dir + "/qa1_valid.txt", where_stories(8, 2));
  return dir;
}

BabiOptions micro_options(const std::string& data, const std::string& out) {
  BabiOptions options;
  options.data_dir = data;
  options.out_dir = out;
  options.model.apply_preset("micro");
  options.batch_size = 16;
  options.epochs = 12;
  options.decay_epochs = 6;
  options.quiet = true;
  return options;
}


}  // namespace

TEST_CASE("babi trainer: writes a model directory that tests and resumes exactly") {
  const std::string data = task_folder("babi_data");
  const std::string whole = temporary_path("babi_whole"), halves = temporary_path("babi_halves");
  std::ostringstream log;
  const BabiTrainResult result = train_babi_model(micro_options(data, whole), log);
  for (const char* file : {"config.json", "model.safetensors", "checkpoint.safetensors",
                           "metrics.jsonl", "loss.svg"})
    CHECK(std::filesystem::exists(whole + "/" + file));
  // The linear start ended within the run, so the resumed run below crosses the switch.
  const Json config = Json::parse(read_file(whole + "/config.json"));
  CHECK(config.at("softmax_from_step").as_int() > 0);
  CHECK(config.at("model").at("linear").as_bool() == false);
  BabiModel model = BabiModel::load(whole);
  const double error = error_rate(*model.model, model.vocabulary, read_babi(data + "/qa1_valid.txt"));
  CHECK(error == doctest::Approx(result.validation_error));

  BabiOptions first = micro_options(data, halves);
  first.epochs = 5;
  train_babi_model(first, log);
  train_babi_model(micro_options(data, halves), log);
  CHECK(metrics_without_timings(halves) == metrics_without_timings(whole));
  CHECK(read_file(halves + "/config.json") == read_file(whole + "/config.json"));
  CHECK(read_file(halves + "/model.safetensors") == read_file(whole + "/model.safetensors"));
}

TEST_CASE("babi trainer: a setting given again with another value is refused when resuming") {
  const std::string data = task_folder("babi_refuse_data"), out = temporary_path("babi_refuse");
  std::ostringstream log;
  BabiOptions options = micro_options(data, out);
  options.epochs = 1;
  train_babi_model(options, log);
  options.learning_rate = 0.5;
  options.explicit_settings = {"learning_rate"};
  CHECK_THROWS_WITH(train_babi_model(options, log),
                    doctest::Contains("--lr 0.5 differs from the run being resumed (0.01 in"));
}

TEST_CASE("babi trainer: a bad task or a missing folder is one line before anything is written") {
  std::ostringstream log;
  BabiOptions options = micro_options(temporary_path("babi_none"), temporary_path("babi_out"));
  options.task = "21";
  CHECK_THROWS_WITH(train_babi_model(options, log), "--task must be 1..20 or all, got '21'");
  CHECK_FALSE(std::filesystem::exists(options.out_dir));
}

TEST_CASE("babi data: the most recent memory_size statements, oldest first, and the answer") {
  const BabiFile file = parse_babi(
      "1 a b.\n2 b.\n3 a a a.\n4 q? \tb\t2\n", "story.txt");
  const Vocabulary vocabulary = babi_vocabulary({file});
  const BabiData data({file}, vocabulary, 2, 4);
  const Batch batch = data.batch({0});
  CHECK(batch.source.input.shape() == Shape{1, 2, 3});  // the last 2 statements, 3 words wide
  const real a = static_cast<real>(vocabulary.id("a")), b = static_cast<real>(vocabulary.id("b"));
  CHECK(batch.source.input.to_vector() == std::vector<real>{b, 0, 0, a, a, a});
  CHECK(batch.source.mask.to_vector() == std::vector<real>{1, 1});
  CHECK(batch.source.query.to_vector() == std::vector<real>{static_cast<real>(vocabulary.id("q"))});
  CHECK(batch.target_out.to_vector() == std::vector<real>{b});
  CHECK(batch.target_in.to_vector() == std::vector<real>{static_cast<real>(Vocabulary::bos)});
}

TEST_CASE("babi data: holding out every 10th story keeps each story whole on one side") {
  std::string text;
  for (int s = 0; s < 20; ++s) text += "1 a.\n2 q? \ta\t1\n3 b.\n4 q? \tb\t3\n";
  const BabiSplit split = hold_out_stories(parse_babi(text, "f.txt"), 10);
  CHECK(split.kept.stories.size() == 18);
  CHECK(split.held_out.stories.size() == 2);
  CHECK(split.held_out.questions.size() == 4);
  for (const BabiQuestion& question : split.held_out.questions) CHECK(question.story < 2);
}

TEST_CASE("babi_task_of: the task number of a bAbI file name") {
  CHECK(babi_task_of("data/qa17_positional-reasoning_test.txt") == 17);
  CHECK(babi_task_of("qa1_train.txt") == 1);
  CHECK(babi_task_of("qa21_x.txt") == 0);
  CHECK(babi_task_of("notes.txt") == 0);
}

TEST_CASE("where_stories: bAbI task 1's form, read back by the bAbI reader, the same for a seed") {
  const std::string text = where_stories(3, 7);
  CHECK(text == where_stories(3, 7));
  CHECK(text != where_stories(3, 8));
  const BabiFile file = parse_babi(text, "generated");
  CHECK(file.stories.size() == 3);
  CHECK(file.questions.size() == 15);
  for (const BabiQuestion& question : file.questions) {
    // The supporting fact names the person asked about and ends in the answer.
    const auto& fact = file.stories[static_cast<size_t>(question.story)]
                           .sentences[static_cast<size_t>(question.supporting.at(0))];
    CHECK(fact.front() == question.words.back());
    CHECK(fact.back() == question.answer);
  }
}
