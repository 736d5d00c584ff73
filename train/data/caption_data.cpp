// Captioned scenes, batched (see caption_data.h).
#include "train/data/caption_data.h"

#include <algorithm>
#include <utility>

#include "tensor/error.h"
#include "tensor/thread_pool.h"

namespace attn {

ShapeSceneSource::ShapeSceneSource(ShapeSceneOptions options, uint64_t seed)
    : options_(std::move(options)), seed_(seed) {}

Scene ShapeSceneSource::scene(uint64_t index) const {
  Generator generator(numbered_seed(seed_, index));
  return shape_scene(generator, options_);
}

std::vector<std::string> ShapeSceneSource::vocabulary() const { return shape_scene_vocabulary(); }

DigitSceneSource::DigitSceneSource(std::shared_ptr<const IdxImages> digits,
                                   std::shared_ptr<const std::vector<uint8_t>> labels,
                                   DigitPool pool, DigitSceneOptions options, uint64_t seed)
    : digits_(std::move(digits)), labels_(std::move(labels)), options_(options),
      maker_(*digits_, *labels_, std::move(pool), options), seed_(seed) {}

Scene DigitSceneSource::scene(uint64_t index) const {
  Generator generator(numbered_seed(seed_, index));
  return maker_.scene(generator);
}

std::vector<std::string> DigitSceneSource::vocabulary() const {
  std::vector<std::string> digits;
  for (int d = 0; d <= 9; ++d) digits.push_back(std::to_string(d));
  return digits;
}

Tensor stack_images(const std::vector<Scene>& scenes) {
  check(!scenes.empty(), "stack_images", "no scenes");
  const Image& first = scenes[0].image;
  const int64_t B = static_cast<int64_t>(scenes.size()), size = first.channels * first.height * first.width;
  Tensor images = Tensor::empty({B, first.channels, first.height, first.width});  // [B, C, H, W]
  for (int64_t b = 0; b < B; ++b) {
    const Image& image = scenes[static_cast<size_t>(b)].image;
    check(image.channels == first.channels && image.height == first.height &&
              image.width == first.width,
          "stack_images", "scene " + std::to_string(b) + " is not the size of scene 0");
    std::copy(image.pixels.begin(), image.pixels.end(), images.data() + b * size);
  }
  return images;
}

Batch caption_batch(const std::vector<Scene>& scenes, const Vocabulary& vocabulary) {
  std::vector<std::vector<int64_t>> captions;
  for (const Scene& scene : scenes) captions.push_back(vocabulary.encode(scene.caption));
  Batch batch;
  batch.source = Source{stack_images(scenes), Tensor()};
  set_targets(batch, captions);
  return batch;
}

SceneBatches::SceneBatches(const SceneSource& source, const Vocabulary& vocabulary,
                           int64_t per_epoch, int64_t batch_size, bool fixed)
    : NumberedExamples(per_epoch, batch_size, fixed, "SceneBatches"),
      source_(source),
      vocabulary_(vocabulary) {}

Batch SceneBatches::batch(const std::vector<size_t>& indices) const {
  // Each scene draws from a generator of its own number, so composing them on every thread
  // gives the same scenes as one thread does; distorted digits make this worth it.
  std::vector<Scene> scenes(indices.size());
  parallel_for(static_cast<int64_t>(indices.size()), 1, [&](int64_t begin, int64_t end) {
    for (auto i = static_cast<size_t>(begin); i < static_cast<size_t>(end); ++i)
      scenes[i] = source_.scene(indices[i]);
  });
  return caption_batch(scenes, vocabulary_);
}

}  // namespace attn
