// Captioned scenes as a captioning model trains on them: images and word ids, batched.
//
// A SceneSource is a numbered, endless supply of scenes (numbered_examples.h): scene i is drawn
// by a generator seeded from (seed, i). A training run sees fresh scenes every epoch, the
// validation scenes are numbers 0 .. n-1 of a source with another seed, and a test composes its
// own from digits kept apart (train/data/digit_scenes.h) or with another seed.
//
//   source.input  images                   [B, C, H, W]
//   target_in     <bos> w_1 .. w_n         [B, T]   padded with <pad>
//   target_out    w_1 .. w_n <eos>         [B, T]
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "train/data/digit_scenes.h"
#include "train/data/numbered_examples.h"
#include "train/data/shape_scenes.h"
#include "train/data/training_data.h"
#include "train/text/vocabulary.h"

namespace attn {

class SceneSource {
 public:
  virtual ~SceneSource() = default;
  virtual Scene scene(uint64_t index) const = 0;
  virtual std::vector<std::string> vocabulary() const = 0;  // every word a caption can use
  virtual int64_t channels() const = 0;
  virtual int64_t height() const = 0;
  virtual int64_t width() const = 0;
};

// Two coloured shapes and their relation (shape_scenes.h).
class ShapeSceneSource : public SceneSource {
 public:
  ShapeSceneSource(ShapeSceneOptions options, uint64_t seed);
  Scene scene(uint64_t index) const override;
  std::vector<std::string> vocabulary() const override;
  int64_t channels() const override { return 3; }
  int64_t height() const override { return options_.canvas; }
  int64_t width() const override { return options_.canvas; }

 private:
  ShapeSceneOptions options_;
  uint64_t seed_;
};

// Handwritten digits of `pool` read left to right (digit_scenes.h). Keeps the digits it is
// given (shared, so sources over disjoint ranges of one file share one copy).
class DigitSceneSource : public SceneSource {
 public:
  DigitSceneSource(std::shared_ptr<const IdxImages> digits,
                   std::shared_ptr<const std::vector<uint8_t>> labels, DigitPool pool,
                   DigitSceneOptions options, uint64_t seed);
  Scene scene(uint64_t index) const override;
  std::vector<std::string> vocabulary() const override;  // "0" .. "9"
  int64_t channels() const override { return 1; }
  int64_t height() const override { return options_.canvas; }
  int64_t width() const override { return options_.canvas; }

 private:
  std::shared_ptr<const IdxImages> digits_;
  std::shared_ptr<const std::vector<uint8_t>> labels_;
  DigitSceneOptions options_;
  DigitSceneMaker maker_;  // over *digits_ and *labels_
  uint64_t seed_;
};

// The images of scenes, stacked: [B, C, H, W].
Tensor stack_images(const std::vector<Scene>& scenes);

// Scenes and their captions as a padded batch for teacher forcing.
Batch caption_batch(const std::vector<Scene>& scenes, const Vocabulary& vocabulary);

// A source's scenes as the training loop's data: `per_epoch` scenes an epoch in batches of
// `batch_size`; fixed: always scenes 0 .. per_epoch - 1 (validation), else fresh ones.
class SceneBatches : public NumberedExamples {
 public:
  SceneBatches(const SceneSource& source, const Vocabulary& vocabulary, int64_t per_epoch,
               int64_t batch_size, bool fixed);
  Batch batch(const std::vector<size_t>& indices) const override;

 private:
  const SceneSource& source_;
  const Vocabulary& vocabulary_;
};

}  // namespace attn
