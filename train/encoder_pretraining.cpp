// Pretraining the image encoder as a digit classifier (see encoder_pretraining.h).
#include "train/encoder_pretraining.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/layers/linear.h"
#include "nn/module.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "train/optim/adam.h"

namespace attn {

namespace {

// The encoder with a max-pool over its grid and a linear layer to the classes.
class DigitClassifier : public Module {
 public:
  DigitClassifier(CnnEncoder& encoder, int64_t classes, Generator& generator)
      : encoder_(encoder), classify_(encoder.width(), classes, generator) {
    register_module("encoder", encoder_);
    register_module("classify", classify_);
  }

  // images [B, C, H, W] -> logits [B, K]
  Variable forward(const Tensor& images) const {
    const Variable annotations = encoder_.forward(Variable(images));  // [B, L, D]
    return classify_.forward(max(annotations, 1));                    // [B, D] -> [B, K]
  }

 private:
  CnnEncoder& encoder_;
  Linear classify_;
};

// The rate at `step` of `steps`, annealed from `rate` to 0 along half a cosine (Loshchilov &
// Hutter 2017, SGDR, eq. 5 without restarts), as the PyTorch probe's CosineAnnealingLR:
//   lr_t = rate (1 + cos(pi t / T)) / 2
real annealed_rate(real rate, int64_t step, int64_t steps) {
  const double kPi = 3.14159265358979323846;
  const double progress = static_cast<double>(step) / static_cast<double>(steps);
  return static_cast<real>(rate * 0.5 * (1 + std::cos(kPi * progress)));
}

// Scenes first .. first + count - 1 of `source` as images [B, C, H, W] and classes [B].
struct DigitBatch {
  Tensor images, classes;
};

DigitBatch digit_batch(const SceneSource& source, const std::vector<std::string>& words,
                       int64_t first, int64_t count) {
  std::vector<Scene> scenes;
  std::vector<real> classes;
  for (int64_t i = first; i < first + count; ++i) {
    scenes.push_back(source.scene(static_cast<uint64_t>(i)));
    const Scene& scene = scenes.back();
    check(scene.caption.size() == 1, "pretrain_encoder", [&] {
      return "scene " + std::to_string(i) + " holds " + std::to_string(scene.caption.size()) +
             " objects; pretraining reads scenes of one";
    });
    const auto word = std::find(words.begin(), words.end(), scene.caption[0]);
    classes.push_back(static_cast<real>(word - words.begin()));
  }
  return {stack_images(scenes), Tensor::from_vector({count}, classes)};
}

// The share of `count` scenes of `source` whose class the classifier names, 0..100.
double accuracy(DigitClassifier& classifier, const SceneSource& source,
                const std::vector<std::string>& words, int64_t count) {
  NoGradGuard no_grad;
  EvalModeGuard eval(classifier);
  int64_t right = 0;
  const int64_t kChunk = 64;
  for (int64_t first = 0; first < count; first += kChunk) {
    const int64_t n = std::min(kChunk, count - first);
    const DigitBatch batch = digit_batch(source, words, first, n);
    const Tensor logits = classifier.forward(batch.images).value();  // [n, K]
    const int64_t K = logits.size(1);
    for (int64_t b = 0; b < n; ++b) {
      const real* row = logits.data() + b * K;
      const int64_t named = std::max_element(row, row + K) - row;
      right += named == static_cast<int64_t>(batch.classes.data()[b]) ? 1 : 0;
    }
  }
  return count > 0 ? 100.0 * static_cast<double>(right) / static_cast<double>(count) : 0;
}

}  // namespace

PretrainResult pretrain_encoder(CnnEncoder& encoder, const SceneSource& digits,
                                const SceneSource& valid, const PretrainOptions& options,
                                std::ostream& log) {
  check(options.steps >= 0 && options.batch_size >= 1 && options.valid_digits >= 0,
        "pretrain_encoder", "steps and valid_digits must be at least 0, the batch at least 1");
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string> words = digits.vocabulary();
  Generator generator(options.seed);
  DigitClassifier classifier(encoder, static_cast<int64_t>(words.size()), generator);
  classifier.train();
  AdamOptions adam_options;
  adam_options.learning_rate = options.learning_rate;
  Adam adam(classifier.named_parameters(), adam_options);

  const int64_t kReport = 100;
  double loss_sum = 0;
  int64_t losses = 0;
  for (int64_t step = 0; step < options.steps; ++step) {
    if (step % kReport == 0) {  // a new window of the mean loss
      loss_sum = 0;
      losses = 0;
    }
    adam.set_learning_rate(annealed_rate(options.learning_rate, step, options.steps));
    const DigitBatch batch =
        digit_batch(digits, words, step * options.batch_size, options.batch_size);
    const Variable loss = cross_entropy(classifier.forward(batch.images), batch.classes);
    adam.zero_grad();
    loss.backward();
    adam.step();
    loss_sum += loss.value().item();
    losses += 1;
    if (!options.quiet && (step + 1) % (10 * kReport) == 0)
      log << "pretraining the encoder: step " << step + 1 << ", loss " << loss_sum / losses << "\n";
  }
  PretrainResult result;
  result.last_loss = losses > 0 ? loss_sum / static_cast<double>(losses) : 0;
  result.valid_accuracy = accuracy(classifier, valid, words, options.valid_digits);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!options.quiet) {
    char line[200];
    std::snprintf(line, sizeof(line),
                  "pretrained the encoder: %lld steps in %.0f s, loss %.4f, %.2f%% of %lld "
                  "validation digits named right\n",
                  static_cast<long long>(options.steps), result.seconds, result.last_loss,
                  result.valid_accuracy, static_cast<long long>(options.valid_digits));
    log << line;
  }
  return result;
}

}  // namespace attn
