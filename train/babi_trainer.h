// Training and testing end-to-end memory networks on bAbI: what `attn babi` runs.
//
// Training follows Sukhbaatar et al. 2015, §4.2: 10% of the training set held out for
// validation (a folder's qaN_valid.txt when it has one: the official re-split); SGD, learning
// rate 0.01 halved every 25 epochs, 100 epochs, batches of 32, gradients clipped to a global norm
// of 40 (the gradients of the loss summed over the batch, as the reference code's), weights
// ~ N(0, 0.1). Linear start (LS): the memory layers start without their softmax, at learning
// rate 0.005, and the softmax goes back in when the validation loss (one validation per epoch)
// stops falling: no new lowest loss in `linear_start_patience` epochs, or after
// `linear_start_epochs` (the reference code, MemN2N-babi-matlab, always trains 20 epochs
// linear). Then `epochs` more epochs, from the same rate, halved every 25 epochs. The weights
// kept are those of the validation with the highest accuracy after the softmax is back (lowest
// loss among equals). Best of N runs: N seeds, each in DIR/run-K, the one with the lowest
// validation error copied to DIR.
//
// The model directory, like `attn train`'s: config.json ({"model", "vocabulary", "tasks",
// "training"}), model.safetensors (the best weights, above),
// checkpoint.safetensors, metrics.jsonl, loss.svg; a run resumes exactly. The switch of linear
// start is saved in config.json ("softmax_from_step") before the checkpoint that follows it, so a
// resumed run switches at the same step.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/memn2n/memn2n.h"
#include "nn/settings.h"
#include "train/data/babi.h"
#include "train/text/vocabulary.h"

namespace attn {

struct BabiOptions {
  std::string data_dir;       // a bAbI folder: qaN_*train.txt (and qaN_valid.txt)
  std::string task = "1";     // 1..20, or "all": one joint model for the 20 tasks
  std::string out_dir;
  MemN2NConfig model;         // the paper's single-task model unless set otherwise

  // ---- optimisation (saved with the model) ----
  real learning_rate = 0.01;        // §4.2
  bool linear_start = true;         // LS (§4.2)
  real linear_start_rate = 0.005;   // the learning rate with linear start (§4.2)
  int64_t linear_start_patience = 5;  // epochs without a new lowest validation loss: LS ends
  int64_t linear_start_epochs = 20;   // ... or after these (the reference code's)
  int64_t decay_epochs = 25;        // the rate halves every this many epochs
  int64_t batch_size = 32;
  real clip_norm = 40;
  bool clip_each = true;            // clip each weight's gradient alone (the reference code)
  int64_t hold_out = 10;            // without a validation file: every 10th story validates
  uint64_t seed = 1;

  // ---- this run only ----
  int64_t epochs = 100;             // after linear start
  double minutes = 0;               // 0: no limit besides the epochs
  int64_t runs = 1;                 // best of N runs (seeds seed .. seed + N - 1)
  int64_t threads = 1;
  bool quiet = false;               // no per-epoch log lines
  std::set<std::string> explicit_settings;

  Settings saved_settings();
  Settings run_settings();
  // The joint model's recipe (§4.2): 60 epochs, the rate halved every 15.
  void use_joint_recipe();
};

struct BabiTrainResult {
  double validation_error = 1;  // share of validation questions answered wrongly (best run)
  int64_t best_run = 1;
  double seconds = 0;
};

BabiTrainResult train_babi_model(const BabiOptions& options, std::ostream& log);

// A trained model directory: the network and its vocabulary.
struct BabiModel {
  std::unique_ptr<MemN2N> model;
  Vocabulary vocabulary;
  static BabiModel load(const std::string& dir);
};

// Each question's predicted answer id, for the questions of `file` in order.
std::vector<int64_t> predict_answers(MemN2N& model, const Vocabulary& vocabulary,
                                     const BabiFile& file);
// The share of the file's questions answered wrongly.
double error_rate(MemN2N& model, const Vocabulary& vocabulary, const BabiFile& file);
// ... of all the files' questions together.
double error_rate(MemN2N& model, const Vocabulary& vocabulary, const std::vector<BabiFile>& files);

// The task number of a bAbI file name ("qa17_positional-reasoning_test.txt" -> 17), or 0.
int babi_task_of(const std::string& path);

}  // namespace attn
