// Training the captioner (train/caption_trainer.h) on generated shape scenes: the batches it
// reads, a model directory like attn train's, exact resume, a changed setting refused on resume,
// and the scores of `attn caption test`.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "tests/temporary_path.h"
#include "tests/tensor/with_threads.h"
#include "tests/train/metrics_file.h"
#include "train/caption_trainer.h"
#include "train/io/atomic_file.h"

using namespace attn;
using attn::test::metrics_without_timings;

namespace {

CaptionOptions micro_options(const std::string& out) {
  CaptionOptions options;
  options.out_dir = out;
  options.model.apply_preset("micro");
  options.scenes_per_epoch = 48;
  options.valid_scenes = 16;
  options.batch_size = 16;
  options.epochs = 2;
  options.quiet = true;
  return options;
}


}  // namespace

TEST_CASE("caption data: scene i is made again from its number on any thread; epochs are fresh") {
  const ShapeSceneSource source({}, 7);
  CHECK(source.scene(5).image == source.scene(5).image);
  CHECK_FALSE(source.scene(5).image == source.scene(6).image);
  std::map<std::string, int64_t> counts;
  for (const std::string& word : source.vocabulary()) counts[word] = 1;
  const Vocabulary vocabulary = Vocabulary::from_counts(counts);

  const SceneBatches fresh(source, vocabulary, 10, 4, false), fixed(source, vocabulary, 10, 4, true);
  Generator order(1);
  const auto first = fresh.epoch(order), second = fresh.epoch(order);
  CHECK(first.size() == 3);  // 4 + 4 + 2 scenes
  CHECK(first != second);
  CHECK(fixed.epoch(order) == fixed.epoch(order));

  const Batch batch = fixed.batch({0, 1});
  CHECK(batch.source.input.shape() == Shape{2, 3, 32, 32});
  const Scene scene = source.scene(0);
  const int64_t T = static_cast<int64_t>(scene.caption.size()) + 1;
  CHECK(batch.target_in.at({0, 0}) == Vocabulary::bos);
  CHECK(batch.target_in.at({0, 1}) == vocabulary.id(scene.caption[0]));
  CHECK(batch.target_out.at({0, 0}) == vocabulary.id(scene.caption[0]));
  CHECK(batch.target_out.at({0, T - 1}) == Vocabulary::eos);

  // composed on two threads, a batch is the batch of one thread
  const auto images = [&] {
    return fixed.batch({0, 1, 2, 3, 4, 5, 6, 7}).source.input.to_vector();
  };
  CHECK(with_threads(2, images) == with_threads(1, images));
}

TEST_CASE("caption trainer: a model directory that loads, resumes exactly, refuses a change") {
  const std::string whole = temporary_path("caption_whole"), halves = temporary_path("caption_halves");
  for (const std::string& dir : {whole, halves}) std::filesystem::remove_all(dir);
  std::ostringstream log;
  train_captioner(micro_options(whole), log);
  CaptionOptions first = micro_options(halves);
  first.epochs = 1;
  train_captioner(first, log);
  train_captioner(micro_options(halves), log);  // resumes at epoch 1
  CHECK(metrics_without_timings(whole) == metrics_without_timings(halves));
  CHECK(read_file(whole + "/model.safetensors") == read_file(halves + "/model.safetensors"));

  CaptionModel loaded = CaptionModel::load(whole);
  CHECK(loaded.data.kind == "shapes");
  CHECK(loaded.model->config().image_channels == 3);
  const ShapeSceneSource source({}, 99);
  const CaptionScores scores = score_captions(*loaded.model, loaded.vocabulary, source, 8);
  CHECK(scores.scenes == 8);
  CHECK(scores.exact >= 0);
  CHECK(scores.exact <= 100);

  CaptionOptions changed = micro_options(whole);
  changed.learning_rate = 0.5;
  changed.explicit_settings = {"learning_rate"};
  CHECK_THROWS_WITH(train_captioner(changed, log),
                    doctest::Contains("--lr 0.5 differs from the run being resumed (0.001 in"));
}

TEST_CASE("caption scores: attention correctness counts the words that name an object") {
  CaptionOptions options = micro_options(temporary_path("caption_scores"));
  std::filesystem::remove_all(options.out_dir);
  options.epochs = 1;
  std::ostringstream log;
  train_captioner(options, log);
  CaptionModel loaded = CaptionModel::load(options.out_dir);
  const ShapeSceneSource source({}, 3);
  const std::vector<Captioned> captions = caption_images(
      *loaded.model, loaded.vocabulary, stack_images({source.scene(0), source.scene(1)}));
  REQUIRE(captions.size() == 2);
  for (const Captioned& caption : captions) {
    CHECK(caption.attention.size() == caption.words.size());
    for (const auto& weights : caption.attention) CHECK(weights.size() == 64);  // micro: 32/4 = 8x8
  }
  // One epoch of the micro model misreads some scenes; each is named by its number.
  const CaptionScores scores = score_captions(*loaded.model, loaded.vocabulary, source, 40, 1, 5);
  CHECK(scores.wrong.size() == 5);
  for (const WrongCaption& wrong : scores.wrong) {
    CHECK(wrong.said != wrong.reference);
    std::string reference;
    for (const std::string& word : source.scene(static_cast<uint64_t>(wrong.scene)).caption)
      reference += (reference.empty() ? "" : " ") + word;
    CHECK(reference == wrong.reference);
    CHECK(wrong.sources.empty());  // generated shapes come from no file
  }
}
