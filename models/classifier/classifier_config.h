// The sentence classifier's configuration (Lin et al. 2017, "A structured self-attentive
// sentence embedding"; models/classifier/sentence_classifier.h draws the model).
//
//   embedding       d_e  word vectors, learned from scratch (Lin et al. §4: 100, word2vec-initialised)
//   hidden          u    each LSTM direction's width; H is 2u wide (Lin et al.: 300 for SNLI and
//                        Yelp, 150 for the author profiling task)
//   attention_width d_a  of W_s1 (Lin et al.: 350)
//   hops            r    rows of A, summary vectors of the sentence (Lin et al.: 30)
//   mlp_hidden           the one hidden layer of the MLP on top (Lin et al.: 3000 or 2000)
//   pooling              attention: A learned (Lin et al. §2); mean: every row of A is 1/n over
//                        the n real words, the baseline with everything else the same
//   score                how the r learned queries score each word: "dot" is Lin's formula
//   penalty              the coefficient of ||A A^T - I||_F^2 in the loss (§2.2; 0: off;
//                        Lin et al. use 1.0 or 0.3 depending on the task)
//   dropout              on the sentence embedding and the MLP's hidden layer (Lin et al.: 0.5)
//   embedding_dropout    on the word vectors, before the BiLSTM: not in the paper; a few
//                        thousand sentences (TREC) are otherwise learned by heart in a few epochs
//
// source_vocab is the word vocabulary's size, target_vocab = 4 + C: the shared training step sees
// class c as id 4 + c, after the four special tokens (see sentence_classifier.h), so C classes
// are classes() = target_vocab - 4, set from the data.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/seq2seq/model_config.h"

namespace attn {

enum class SentencePooling {
  attention,  // A = softmax(W_s2 tanh(W_s1 H^T)): the words that matter weigh more
  mean,       // A = 1/n on each real word: every word weighs the same, the baseline
};

struct ClassifierConfig : ModelConfig {
  int64_t embedding = 100;        // d_e
  int64_t hidden = 150;           // u, per direction
  int64_t attention_width = 64;   // d_a (paper: 350)
  int64_t hops = 4;               // r (paper: 30)
  int64_t mlp_hidden = 256;       // the MLP's hidden layer (paper: 2000-3000)
  SentencePooling pooling = SentencePooling::attention;
  std::string score = "dot";      // Lin et al.'s w_i . tanh(W_s1 h_s)
  real penalty = 0.1;             // coefficient of ||A A^T - I||_F^2 (paper: 0.3 or 1.0)
  real dropout = 0.5;             // Lin et al. §4.1: 0.5
  real embedding_dropout = 0;     // on the word vectors (not in the paper)

  std::string arch() const override { return "sentence_classifier"; }
  int64_t model_width() const override { return 2 * hidden; }
  Settings settings() override;
  std::vector<std::string> presets() const override;  // micro (tests), small, base
  void apply_preset(const std::string& name) override;
  std::unique_ptr<ModelConfig> clone() const override;
  void check() const override;
  std::unique_ptr<Seq2Seq> build() const override;
  int64_t parameter_count() const override;
  int64_t classes() const;  // C = target_vocab - special_tokens::count
  // The pooling's own parameters: W_s1, W_s2 and the score's (0 for mean pooling).
  int64_t pooling_parameter_count() const;
};

}  // namespace attn
