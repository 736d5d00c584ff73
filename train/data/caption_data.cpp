// Captioned scenes, batched (see caption_data.h).
#include "train/data/caption_data.h"

#include <algorithm>
#include <utility>

#include "tensor/error.h"

namespace attn {

namespace {

// Scene `index`'s own seed: the golden-ratio increment of splitmix64 spreads the numbers, so
// neighbouring scenes start their generators far apart.
uint64_t scene_seed(uint64_t seed, uint64_t index) {
  return seed ^ (index * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull);
}

}  // namespace

ShapeSceneSource::ShapeSceneSource(ShapeSceneOptions options, uint64_t seed)
    : options_(std::move(options)), seed_(seed) {}

Scene ShapeSceneSource::scene(uint64_t index) const {
  Generator generator(scene_seed(seed_, index));
  return shape_scene(generator, options_);
}

std::vector<std::string> ShapeSceneSource::vocabulary() const { return shape_scene_vocabulary(); }

DigitSceneSource::DigitSceneSource(std::shared_ptr<const IdxImages> digits,
                                   std::shared_ptr<const std::vector<uint8_t>> labels,
                                   DigitPool pool, DigitSceneOptions options, uint64_t seed)
    : digits_(std::move(digits)), labels_(std::move(labels)), options_(options),
      maker_(*digits_, *labels_, std::move(pool), options), seed_(seed) {}

Scene DigitSceneSource::scene(uint64_t index) const {
  Generator generator(scene_seed(seed_, index));
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
  int64_t T = 1;
  for (const Scene& scene : scenes) T = std::max<int64_t>(T, static_cast<int64_t>(scene.caption.size()) + 1);
  const int64_t B = static_cast<int64_t>(scenes.size());
  Batch batch;
  batch.source = Source{stack_images(scenes), Tensor()};
  batch.target_in = Tensor::full({B, T}, real(Vocabulary::pad));   // [B, T]
  batch.target_out = Tensor::full({B, T}, real(Vocabulary::pad));  // [B, T]
  for (int64_t b = 0; b < B; ++b) {
    const std::vector<int64_t> words = vocabulary.encode(scenes[static_cast<size_t>(b)].caption);
    real* in = batch.target_in.data() + b * T;
    real* out = batch.target_out.data() + b * T;
    in[0] = real(Vocabulary::bos);
    for (size_t t = 0; t < words.size(); ++t) {
      in[t + 1] = static_cast<real>(words[t]);
      out[t] = static_cast<real>(words[t]);
    }
    out[words.size()] = real(Vocabulary::eos);
    batch.target_tokens += static_cast<int64_t>(words.size()) + 1;
  }
  return batch;
}

SceneBatches::SceneBatches(const SceneSource& source, const Vocabulary& vocabulary,
                           int64_t per_epoch, int64_t batch_size, bool fixed)
    : source_(source), vocabulary_(vocabulary), per_epoch_(per_epoch), batch_size_(batch_size),
      fixed_(fixed) {
  check(per_epoch >= 1 && batch_size >= 1, "SceneBatches",
        "scenes per epoch and batch size must be positive, got " + std::to_string(per_epoch) +
            " and " + std::to_string(batch_size));
}

std::vector<std::vector<size_t>> SceneBatches::epoch(Generator& order) const {
  // A fresh block of scene numbers each epoch; the top bit kept clear so a block never wraps.
  const uint64_t first = fixed_ ? 0 : (order.next_u64() >> 1);
  std::vector<std::vector<size_t>> batches;
  for (int64_t start = 0; start < per_epoch_; start += batch_size_) {
    std::vector<size_t> batch;
    for (int64_t i = start; i < std::min(per_epoch_, start + batch_size_); ++i)
      batch.push_back(static_cast<size_t>(first + static_cast<uint64_t>(i)));
    batches.push_back(std::move(batch));
  }
  return batches;
}

Batch SceneBatches::batch(const std::vector<size_t>& indices) const {
  std::vector<Scene> scenes;
  for (size_t index : indices) scenes.push_back(source_.scene(index));
  return caption_batch(scenes, vocabulary_);
}

}  // namespace attn
