// Training and testing the Show, Attend and Tell captioner: what `attn caption` runs.
//
// Data that cannot rot: scenes generated in attn (train/data/caption_data.h), either two
// coloured shapes on a 32x32 canvas (--shapes: colour-shape pairs held out of training test
// composition) or real MNIST digits composed into 64x64 scenes (--mnist IDX_IMAGES, the labels
// beside it; train/io/idx.h). The file's digits are split by index (digit_scenes.h): training
// scenes use 80% of them, validation scenes 10%, and `attn caption test` by default the last 10%,
// digits the model never saw, or every digit of another file (a held-out set kept elsewhere).
// With distort > 0 every digit of a training scene is drawn slightly rotated, scaled and sheared,
// with elastic > 0 bent by a smooth random field (train/data/digit_distortion.h): the few
// thousand training digits are otherwise learned by heart. Validation and test scenes show the
// digits as they are.
//
// Training: Adam (Kingma & Ba 2015; Xu et al. 2015, §4.3, train with Adam on the larger data
// sets) with the training loop's settings (beta2 0.98, eps 1e-9), the rate halved every
// decay_epochs epochs if asked, batches of 32 fresh scenes, the gradients' norm clipped to 5, the
// cross-entropy of the words plus the doubly stochastic attention penalty
// (models/captioner/show_attend_tell.h). Every epoch (scenes_per_epoch scenes) validates: loss and
// exact match of greedy captions; the best weights by exact match are kept. The model directory is
// `attn train`'s: config.json ({"model", "vocabulary", "data", "training"}), model.safetensors,
// checkpoint.safetensors, metrics.jsonl, loss.svg; a run resumes exactly, and a changed setting on
// resume is refused.
//
// Measuring: exact match (the whole caption right), corpus BLEU-4, and attention correctness
// (train/metrics/attention_on_image.h): for every word the model says that names an object and
// matches the reference word at that position, the share of that step's attention inside the
// object's box; averaged over such words, next to what uniform attention would score.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/captioner/show_attend_tell.h"
#include "nn/settings.h"
#include "train/data/caption_data.h"
#include "train/data/digit_distortion.h"
#include "train/io/json.h"
#include "train/text/vocabulary.h"

namespace attn {

// Where scenes come from: generated shapes or MNIST digit scenes (saved in config.json "data").
struct SceneData {
  std::string kind = "shapes";  // "shapes" or "mnist"
  std::string images;           // mnist: the IDX images file (labels beside it)

  Json to_json() const;
  static SceneData from_json(const Json& json, const std::string& where);
  // A source of scenes from the digits `pool` (mnist; ignored for shapes) with `seed`, each
  // digit under `distortion` (digit_distortion.h; none: as in the file); shapes of `mode` (seen
  // combinations only, held-out ones, any).
  std::unique_ptr<SceneSource> source(uint64_t seed, const DigitPool& pool,
                                      HeldOutMode mode = HeldOutMode::seen_only,
                                      const DigitDistortion& distortion = {}) const;
  // mnist: scenes of one digit of `pool` each, on a canvas x canvas image (encoder pretraining)
  std::unique_ptr<SceneSource> single_digits(uint64_t seed, const DigitPool& pool, int64_t canvas,
                                             const DigitDistortion& distortion = {}) const;
  // mnist: the file's default split (digit_scenes.h), which reads the file; shapes: empty
  DigitSplit split() const;
  int64_t digit_count() const;  // mnist: the digits in the file

 private:
  mutable std::shared_ptr<const IdxImages> digits_;  // read once, shared by the sources
  mutable std::shared_ptr<const std::vector<uint8_t>> labels_;
  void read_digits() const;
};

struct CaptionOptions {
  SceneData data;
  std::string out_dir;
  CaptionerConfig model;

  // ---- optimisation (saved with the model) ----
  real learning_rate = 1e-3;      // Adam
  int64_t decay_epochs = 0;       // the rate halves every this many epochs (0: constant)
  int64_t batch_size = 32;
  int64_t scenes_per_epoch = 8192;
  int64_t valid_scenes = 512;
  real clip_norm = 5;
  real label_smoothing = 0;       // e_ls (train/step.h)
  double average_decay = 0;       // the weights' moving average (optim/weight_average.h; 0: off)
  real distort = 0;               // mnist: training digits distorted with this strength
  real elastic = 0;               // mnist: ... and bent by an elastic field of this alpha
  int64_t pretrain_steps = 0;     // mnist: the encoder first classifies single digits (0: off)
  bool freeze_encoder = false;    // ... and is then kept as it is, a fixed feature extractor
  uint64_t seed = 1;

  // ---- this run only ----
  int64_t epochs = 0;     // 0: no limit (then 10 epochs unless --minutes or --steps)
  int64_t steps = 0;      // 0: no limit
  double minutes = 0;     // 0: no limit
  int64_t threads = 0;    // 0: ATTN_NUM_THREADS or all cores
  bool quiet = false;
  std::set<std::string> explicit_settings;

  Settings saved_settings();
  Settings run_settings();
  DigitDistortion distortion() const;  // of the training digits
};

struct CaptionTrainResult {
  double best_exact = 0;  // validation exact match of the kept weights, 0..100
  int64_t steps = 0;
  double seconds = 0;
};

CaptionTrainResult train_captioner(CaptionOptions options, std::ostream& log);

// A trained model directory.
struct CaptionModel {
  std::unique_ptr<ShowAttendTell> model;
  Vocabulary vocabulary;
  SceneData data;
  static CaptionModel load(const std::string& dir);
};

// A caption that differs from its reference, and where to find what the model misread.
struct WrongCaption {
  std::string said, reference;
  int64_t scene = 0;             // its number in the scene source
  std::vector<int64_t> sources;  // Scene::sources: the pictures its objects came from
};

struct CaptionScores {
  double exact = 0;        // 0..100
  double bleu = 0;         // corpus BLEU-4, 0..100
  double correctness = 0;  // mean share of attention inside the named object's box, 0..1
  double uniform = 0;      // ... under uniform attention, the same words
  int64_t scenes = 0, checked_words = 0;
  std::vector<WrongCaption> wrong;  // the first few
};

// The captions of one scene: words said, and each word's attention over the grid [L].
struct Captioned {
  std::vector<std::string> words;
  std::vector<std::vector<double>> attention;
};

// Greedy (beam 1) or beam captions of `images` [B, C, H, W]; attention only with greedy.
std::vector<Captioned> caption_images(ShowAttendTell& model, const Vocabulary& vocabulary,
                                      const Tensor& images, int64_t beam = 1);

// Scores scenes 0 .. count - 1 of `source`, keeping the first `keep_wrong` wrong captions.
CaptionScores score_captions(ShowAttendTell& model, const Vocabulary& vocabulary,
                             const SceneSource& source, int64_t count, int64_t beam = 1,
                             int64_t keep_wrong = 0);

}  // namespace attn
