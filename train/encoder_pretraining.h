// Pretraining the captioner's image encoder as a digit classifier, before it learns to caption.
//
// Xu et al. 2015 never train their encoder: it is VGG, pretrained to classify ImageNet, and the
// decoder learns to read its conv features (§4.3). attn's encoder starts from random weights and
// can learn everything from captions, but a caption says only which digits a scene holds, in
// order, not which ink is which digit. Pretraining gives the encoder the paper's start on a small
// scale: the same CnnEncoder reads one training digit placed anywhere on a small canvas (and
// distorted as the scenes' digits are), its grid of features is max-pooled, and a linear layer
// names the digit:
//
//   a = CNN(image)                  annotations  [B, L, D]
//   f_d = max_i a_id                             [B, D]
//   logits = W f + b                             [B, K]     K classes, the source's words
//   loss = cross-entropy(logits, label)          Adam, the rate annealed to 0 by a cosine
//
// Then the captioner trains as before from these encoder weights, and the classifier is thrown
// away. The probe of bench/torch_digit_probe.py is the same network in PyTorch.
#pragma once

#include <cstdint>
#include <iosfwd>

#include "nn/vision/cnn_encoder.h"
#include "tensor/real.h"
#include "train/data/caption_data.h"

namespace attn {

struct PretrainOptions {
  int64_t steps = 0;
  int64_t batch_size = 32;
  real learning_rate = 2e-3;
  uint64_t seed = 1;  // the classifier's weights
  int64_t valid_digits =
      0;  // scenes 0 .. valid_digits - 1 of the validation source, read at the end
  bool quiet = false;
};

struct PretrainResult {
  double last_loss = 0;       // the mean loss of the last 100 steps (or fewer)
  double valid_accuracy = 0;  // 0..100, of valid_digits
  double seconds = 0;
};

// Trains `encoder` in place on one-digit scenes: batch s holds scenes s B .. s B + B - 1 of
// `digits`, each caption one word, the class. `valid` (one-digit scenes too) is read at the end.
PretrainResult pretrain_encoder(CnnEncoder& encoder, const SceneSource& digits,
                                const SceneSource& valid, const PretrainOptions& options,
                                std::ostream& log);

}  // namespace attn
