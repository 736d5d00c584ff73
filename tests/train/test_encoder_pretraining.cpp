// Pretraining the captioner's encoder as a digit classifier (train/encoder_pretraining.h), on an
// IDX file of three hand-drawn "digits" written here: the encoder learns to name shapes it never
// saw, and the caption trainer pretrains a fresh run once, records it, and does not redo it on
// resume.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "tests/temporary_path.h"
#include "train/caption_trainer.h"
#include "train/encoder_pretraining.h"
#include "train/io/atomic_file.h"
#include "train/io/idx.h"
#include "train/io/safetensors.h"

using namespace attn;

namespace {

// 90 patches of 28x28, three kinds by label: 0 a bar 16 wide and 4 high, 1 a bar 4 wide and 16
// high, 2 a square of 8; each kind in three brightnesses and ten places. Writes the images and
// their labels beside them, MNIST's naming, and returns the images' path.
std::string write_shapes(const std::string& dir) {
  const int64_t count = 90;
  IdxImages digits{count, 28, 28, std::vector<uint8_t>(count * 28 * 28, 0)};
  std::vector<uint8_t> labels;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t kind = i % 3, height = kind == 0 ? 4 : kind == 1 ? 16 : 8;
    const int64_t width = kind == 0 ? 16 : kind == 1 ? 4 : 8, shift = (i / 3) % 10;
    const auto value = static_cast<uint8_t>(120 + 60 * ((i / 30) % 3));
    labels.push_back(static_cast<uint8_t>(kind));
    for (int64_t y = 2 + shift; y < 2 + shift + height; ++y)
      for (int64_t x = 2 + shift; x < 2 + shift + width; ++x)
        digits.pixels[static_cast<size_t>((i * 28 + y) * 28 + x)] = value;
  }
  std::filesystem::create_directories(dir);
  const std::string images = dir + "/train-images-idx3-ubyte";
  write_file_atomically(images, format_idx_images(digits));
  write_file_atomically(labels_path_for(images), format_idx_labels(labels));
  return images;
}

SceneData digits_in(const std::string& images) {
  SceneData data;
  data.kind = "mnist";
  data.images = images;
  return data;
}

// A micro captioner on write_shapes()'s digits in dir, pretrained for 5 steps; 2 steps an epoch.
CaptionOptions pretraining_run(const std::string& dir) {
  CaptionOptions options;
  options.data = digits_in(write_shapes(dir));
  options.model.apply_preset("micro");
  options.scenes_per_epoch = 16;
  options.valid_scenes = 8;
  options.batch_size = 8;
  options.pretrain_steps = 5;
  return options;
}

}  // namespace

TEST_CASE("encoder pretraining: the encoder learns to name shapes it never saw") {
  const SceneData data = digits_in(write_shapes(temporary_path("pretrain_shapes")));
  const DigitSplit split = data.split();  // index mod 10: 8 validates, 9 tests, the rest train
  const auto train = data.single_digits(1, split.train, 32);
  const auto valid = data.single_digits(2, split.valid, 32);
  Generator weights(3);
  CnnEncoder encoder(1, {8, 16}, 2, weights);
  PretrainOptions options;
  options.batch_size = 16;
  options.valid_digits = 60;
  options.quiet = true;
  std::ostringstream log;
  const PretrainResult before = pretrain_encoder(encoder, *train, *valid, options, log);
  options.steps = 400;
  options.learning_rate = 5e-3;
  const PretrainResult after = pretrain_encoder(encoder, *train, *valid, options, log);
  CHECK(before.valid_accuracy < 60);  // three classes: chance is a third
  CHECK(after.valid_accuracy >= 95);
  CHECK(after.last_loss < 0.3);  // from log 3 = 1.1
  CHECK(log.str().empty());
}

TEST_CASE("encoder pretraining: scenes of more than one object are refused by number") {
  const SceneData data = digits_in(write_shapes(temporary_path("pretrain_scenes")));
  const auto scenes = data.source(1, data.split().train);  // 2 to 4 digits each
  Generator weights(3);
  CnnEncoder encoder(1, {8}, 1, weights);
  PretrainOptions options;
  options.steps = 1;
  std::ostringstream log;
  CHECK_THROWS_WITH(pretrain_encoder(encoder, *scenes, *scenes, options, log),
                    doctest::Contains("pretrain_encoder: scene 0 holds"));
}

TEST_CASE("caption trainer: a fresh run pretrains its encoder once; a resumed run does not") {
  const std::string dir = temporary_path("pretrain_caption");
  CaptionOptions options = pretraining_run(dir);
  options.out_dir = dir + "/model";
  options.epochs = 1;
  std::ostringstream first, second;
  train_captioner(options, first);
  CHECK(first.str().find("pretrained the encoder: 5 steps") != std::string::npos);
  CHECK(read_file(options.out_dir + "/config.json").find("\"pretrain_steps\":5") !=
        std::string::npos);
  options.epochs = 2;
  train_captioner(options, second);
  CHECK(second.str().find("pretrained the encoder") == std::string::npos);

  CaptionOptions shapes;
  shapes.out_dir = dir + "/shapes";
  shapes.model.apply_preset("micro");
  shapes.pretrain_steps = 5;
  CHECK_THROWS_WITH(train_captioner(shapes, first),
                    doctest::Contains("--pretrain-steps needs --mnist digits"));
}

TEST_CASE("caption trainer: --freeze-encoder keeps the pretrained encoder while the rest trains") {
  const std::string dir = temporary_path("freeze_caption");
  CaptionOptions options = pretraining_run(dir);
  options.freeze_encoder = true;
  options.quiet = true;
  std::ostringstream log;
  std::vector<StateDict> weights;
  for (const int64_t epochs : {1, 3}) {  // 2 and 6 steps from the same pretrained encoder
    options.out_dir = dir + "/epochs" + std::to_string(epochs);
    options.epochs = epochs;
    train_captioner(options, log);
    weights.push_back(load_safetensors(options.out_dir + "/checkpoint.safetensors"));
  }
  int64_t encoder_tensors = 0;
  for (const auto& [name, tensor] : weights[0]) {
    if (name.rfind("encoder.", 0) != 0) continue;
    CAPTURE(name);
    ++encoder_tensors;
    const Tensor& later = weights[1].at(name);
    for (int64_t i = 0; i < tensor.numel(); ++i)
      REQUIRE(tensor.contiguous().data()[i] == later.contiguous().data()[i]);
  }
  CHECK(encoder_tensors == 4);  // two blocks' weights and biases
  const Tensor output = weights[0].at("output.weight").contiguous();
  const Tensor later = weights[1].at("output.weight").contiguous();
  bool output_trained = false;
  for (int64_t i = 0; i < output.numel(); ++i)
    output_trained |= output.data()[i] != later.data()[i];
  CHECK(output_trained);

  options.pretrain_steps = 0;
  options.out_dir = dir + "/random";
  CHECK_THROWS_WITH(train_captioner(options, log),
                    doctest::Contains("--freeze-encoder needs --pretrain-steps"));
}
