// Example 9: attention over an image. A captioner describes scenes of two coloured shapes, and
// shows where it looked for each word.
//
// What it teaches: Xu et al. 2015, "Show, Attend and Tell" (models/captioner/show_attend_tell.h).
// The recurrent attention decoder of machine translation is unchanged; only its memory is new:
// instead of a sentence's encoder states, a small CNN (nn/vision/cnn_encoder.h) turns the image
// into a grid of feature vectors a_1 .. a_L, one per cell. At each word the decoder's state asks
// which cells matter now, alpha_t = softmax(score(h_{t-1}, a_i)), reads their blend z_t, and
// says the next word. When it says "circle", its attention should lie on the circle: the
// picture this example writes shows it, one panel per word.
//
// The scenes are generated (train/data/shape_scenes.h): "a large red circle above a small blue
// square", a fresh set every epoch. Three colour-shape pairs (red triangle, green circle, blue
// square) never appear in training; the last lines caption scenes that hold them, to see
// whether colour and shape were learnt apart.
//
// Run: build/examples/09_image_captioning [--steps N] [--seed N] [--out FILE.svg]
// It trains 8,000 steps of 32 scenes (about 4 minutes on one core), printing the validation
// exact match as it goes, then a few captions, writes the attention picture (captioning.svg), and ends
// "image captioning, shapes: exact match 99.4% on 500 scenes (held-out pairs: 7.6%)": the
// seen pairs are learnt, the held-out ones are not (the model says a pair it has seen).
#include <cstdio>
#include <iostream>
#include <string>

#include "models/captioner/show_attend_tell.h"
#include "tensor/thread_pool.h"
#include "train/caption_trainer.h"
#include "train/io/atomic_file.h"
#include "train/optim/adam.h"
#include "train/optim/schedule.h"
#include "train/report/image_attention_svg.h"
#include "train/step.h"

using namespace attn;

namespace {

struct ExampleOptions {
  int64_t steps = 8000;
  uint64_t seed = 1;
  std::string out = "captioning.svg";
};

ExampleOptions parse(int argc, char** argv) {
  ExampleOptions options;
  if (argc % 2 == 0) throw std::runtime_error("every option needs a value");
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i], value = argv[i + 1];
    if (name == "--steps") options.steps = std::stoll(value);
    else if (name == "--seed") options.seed = std::stoull(value);
    else if (name == "--out") options.out = value;
    else throw std::runtime_error("unknown option " + name + " (--steps, --seed, --out)");
  }
  return options;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : " ") + word;
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const ExampleOptions options = parse(argc, argv);
    set_num_threads(1);
    ShapeSceneOptions seen;  // training and validation: the held-out pairs never appear
    ShapeSceneOptions held_out;
    held_out.mode = HeldOutMode::held_out;
    const ShapeSceneSource train(seen, options.seed), valid(seen, options.seed + 1),
        novel(held_out, options.seed + 2);
    std::map<std::string, int64_t> words;
    for (const std::string& word : train.vocabulary()) words[word] = 1;
    const Vocabulary vocabulary = Vocabulary::from_counts(words);

    CaptionerConfig config;  // Show, Attend and Tell at toy size, soft attention over a 4x4 grid
    config.apply_preset("tiny");
    config.image_channels = 3;
    config.image_height = config.image_width = 32;
    config.target_vocab = vocabulary.size();
    config.attention_penalty = 0;
    config.seed = options.seed;
    ShowAttendTell model(config);
    std::printf("%lld parameters; a %lldx%lld grid of %lld-wide annotation vectors\n",
                static_cast<long long>(model.parameter_count()),
                static_cast<long long>(config.grid_height()),
                static_cast<long long>(config.grid_width()),
                static_cast<long long>(config.encoder_width));

    const SceneBatches data(train, vocabulary, 4096, 32, false);
    Adam adam(model.named_parameters());
    const ConstantSchedule schedule(3e-3f);
    const StepOptions step_options{0, 5, false, false};  // no smoothing, clip at 5
    Generator order(options.seed);
    int64_t step = 0;
    for (int64_t epoch = 1; step < options.steps; ++epoch) {
      for (const auto& indices : data.epoch(order)) {
        if (step == options.steps) break;
        train_step(model, data.batch(indices), adam, schedule, ++step, step_options);
      }
      if (epoch % 8 == 0 || step == options.steps)
        std::printf("epoch %3lld  step %5lld  validation exact match %5.1f%%\n",
                    static_cast<long long>(epoch), static_cast<long long>(step),
                    score_captions(model, vocabulary, valid, 256).exact);
    }

    std::printf("\n");
    for (uint64_t i = 0; i < 4; ++i) {
      const Scene scene = valid.scene(i);
      const Captioned said = caption_images(model, vocabulary, stack_images({scene}))[0];
      std::printf("said: %-50s  true: %s\n", joined(said.words).c_str(), joined(scene.caption).c_str());
    }
    const Scene scene = valid.scene(0);
    const Captioned said = caption_images(model, vocabulary, stack_images({scene}))[0];
    std::vector<Box> boxes;
    for (size_t t = 0; t < said.words.size(); ++t)
      boxes.push_back(t < scene.names.size() && scene.names[t] >= 0
                          ? scene.objects[static_cast<size_t>(scene.names[t])] : Box{});
    write_file_atomically(options.out, image_attention_svg(scene.image, said.words, said.attention,
                                                           config.grid_height(), config.grid_width(),
                                                           joined(said.words), boxes));
    std::printf("wrote %s: the scene, and where the model looked for each word\n", options.out.c_str());

    const CaptionScores scores = score_captions(model, vocabulary, valid, 500);
    const CaptionScores novel_scores = score_captions(model, vocabulary, novel, 500);
    std::printf("attention correctness %.2f (uniform attention: %.2f)\n", scores.correctness,
                scores.uniform);
    std::printf("image captioning, shapes: exact match %.1f%% on 500 scenes (held-out pairs: %.1f%%)\n",
                scores.exact, novel_scores.exact);
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "09_image_captioning: " << error.what() << "\n";
    return 1;
  }
}
