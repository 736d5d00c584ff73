// Training and testing sentence classifiers with attention pooling: what `attn classify` runs.
//
// Data: a file of labelled sentences (train/data/sentences.h), and a validation file, or without
// one every hold_out-th training sentence (10%, as Kim 2014 holds out TREC's development set).
// The word vocabulary is the training sentences' words seen at least min_count times; the
// classes are 0 .. C-1, C the training file's largest label + 1.
//
// Training: Adam (Kingma & Ba 2015; Lin et al. 2017 train with SGD or Adam, §4) with the training
// loop's settings, batches of 32 sentences in a fresh order every epoch, the gradients' global
// norm clipped to 5 (Lin et al. §4.1 clip at 0.5), dropout in the model, the rate halved every
// decay_epochs epochs if asked. The loss is the cross-entropy of the class plus the model's
// penalty * ||A A^T - I||_F^2 (models/classifier/sentence_classifier.h). Every epoch validates:
// loss and accuracy; the weights of the best validation accuracy are kept (lowest loss among
// equals). The model directory is `attn train`'s: config.json ({"model", "vocabulary", "data",
// "training"}), model.safetensors, checkpoint.safetensors, metrics.jsonl, loss.svg; a run
// resumes exactly (same seed and threads, the same numbers), and a changed setting on resume is
// refused.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/classifier/sentence_classifier.h"
#include "nn/settings.h"
#include "train/data/sentences.h"
#include "train/text/vocabulary.h"

namespace attn {

struct ClassifyOptions {
  std::string train_path;  // labelled sentences
  std::string valid_path;  // "": every hold_out-th training sentence validates
  std::string out_dir;
  ClassifierConfig model;

  // ---- data and optimisation (saved with the model) ----
  bool lowercase = true;      // ASCII letters, as Kim 2014's preprocessing
  int64_t min_count = 1;      // rarer words are <unk>
  int64_t hold_out = 10;      // without --valid: every N-th sentence validates (10%)
  real learning_rate = 1e-3;  // Adam
  int64_t decay_epochs = 0;   // the rate halves every this many epochs (0: constant)
  int64_t batch_size = 32;
  real clip_norm = 5;
  uint64_t seed = 1;

  // ---- this run only ----
  int64_t epochs = 0;   // 0: no limit (then 10 epochs unless --minutes or --steps)
  int64_t steps = 0;    // 0: no limit
  double minutes = 0;   // 0: no limit
  int64_t threads = 0;  // 0: ATTN_NUM_THREADS or all cores
  bool quiet = false;
  std::set<std::string> explicit_settings;

  Settings saved_settings();
  Settings run_settings();
};

struct ClassifyTrainResult {
  double best_accuracy = 0;  // validation accuracy of the kept weights, 0..100
  int64_t validation_sentences = 0;
  int64_t steps = 0;
  double seconds = 0;
};

ClassifyTrainResult train_classifier(ClassifyOptions options, std::ostream& log);

// A trained model directory.
struct ClassifyModel {
  std::unique_ptr<SentenceClassifier> model;
  Vocabulary vocabulary;
  bool lowercase = true;  // how its sentences are read
  static ClassifyModel load(const std::string& dir);
  // The file's sentences read as the model was trained on them.
  SentenceFile read(const std::string& path) const;
};

// One sentence classified: its class, each class's probability, and A [r][S].
struct Classified {
  int64_t label = 0;
  std::vector<double> probabilities;         // [C]
  std::vector<std::vector<double>> weights;  // [r][S], one row per hop
};

// The class of every sentence of `file`, in order.
std::vector<int64_t> predict_classes(SentenceClassifier& model, const Vocabulary& vocabulary,
                                     const SentenceFile& file);
// The share of the file's sentences classified right, 0..100.
double accuracy(SentenceClassifier& model, const Vocabulary& vocabulary, const SentenceFile& file);
// One sentence's words (tokenised as the model reads them).
Classified classify_sentence(SentenceClassifier& model, const Vocabulary& vocabulary,
                             const std::vector<std::string>& words);

}  // namespace attn
