// A sentence classifier with a self-attentive sentence embedding: attention without a query.
//
// Lin, Feng, dos Santos, Yu, Xiang, Zhou & Bengio 2017, "A structured self-attentive sentence
// embedding", §2 (Figure 1). A bidirectional LSTM reads the sentence; attention pooling
// (nn/attention/attention_pooling.h) weighs its words r times, with r learned queries; the r
// summaries, side by side, are the sentence embedding an MLP classifies:
//
//   words w_1 .. w_S                       token ids          [B, S]
//     │ embedding (dropout: an option, not in the paper)      [B, S, d_e]
//     v
//   ┌──────────────────────────────┐
//   │ BiLSTM   h_s = [->h_s; <-h_s] │     H                   [B, S, 2u]   (eq. 1-3)
//   └──────────────────────────────┘
//     │ keys tanh(W_s1 h_s)   values h_s
//     v
//   A = softmax(W_s2 tanh(W_s1 H^T))       r rows over S      [B, r, S]    (eq. 6)
//   M = A H                                r summaries        [B, r, 2u]   (eq. 7)
//     │ flatten                                               [B, r*2u]
//     v dropout
//   Linear -> ReLU -> dropout -> Linear    the MLP            [B, m] -> [B, C]
//     v
//   logits over the C classes
//
// Training minimises the cross-entropy plus penalty * ||A A^T - I||_F^2 (§2.2), averaged over
// the batch; the penalty is handed to the shared training step through Seq2Seq::penalty().
//
// The baseline (pooling = mean) replaces the learned A by 1/n on each of the n real words, in all
// r rows, so every row of M is the mean of H and everything after it, sizes included, stays the
// same: the only difference is whether the words are weighed.
//
// As attn's other systems, the model is an encoder-decoder (models/seq2seq/seq2seq.h), so the
// training loop, checkpoints and resume serve it unchanged. The encoder reads the sentence; the
// decoder says its class in one step, a one-token target as a memory network's answer. Its
// tokens are numbered as every decoder's: <pad> <bos> <eos> <unk>, then the classes, class c
// being id 4 + c. The four special ids get a constant logit of -1e9, so they have probability 0
// and no parameter; the C real logits are those of the MLP.
// Shapes: B batch, S words, d_e word vector width, u LSTM width per direction, d_a attention
// width, r hops, m MLP width, C classes.
#pragma once

#include <memory>

#include "models/classifier/classifier_config.h"
#include "models/seq2seq/seq2seq.h"
#include "nn/attention/attention_pooling.h"
#include "nn/layers/dropout.h"
#include "nn/layers/embedding.h"
#include "nn/layers/linear.h"
#include "nn/recurrent/recurrent.h"

namespace attn {

// What reading a batch of sentences gives.
struct SentenceReading {
  Variable states;    // H                    [B, S, 2u], 0 at padding
  Variable weights;   // A                    [B, r, S], rows sum to 1, padding 0
  Variable features;  // M flattened          [B, r*2u]
};

class SentenceClassifier : public Seq2Seq {
 public:
  explicit SentenceClassifier(const ClassifierConfig& config);

  // source.input word ids [B, S] padded with <pad>, source.mask [B, S] (token_source makes both)
  SentenceReading read(const Source& source);
  // M flattened [B, r*2u] -> logits over the classes [B, C]
  Variable class_logits(const Variable& features) const;

  // The encoder-decoder view: encode() is the reading (H, and in final_states {M, A}); the one
  // step gives the class logits [N, 4 + C] and A as the attention [N, r, 1, S].
  Memory encode(const Source& source) override;
  std::unique_ptr<DecoderState> start(const Memory& memory) override;
  Step step(const Tensor& tokens, DecoderState& state) override;
  // target_in [B, 1] (<bos>) -> logits [B, 1, 4 + C]; in training keeps the penalty
  Variable forward(const Source& source, const Tensor& target_in) override;
  // penalty * mean_b ||A A^T - I||_F^2 of the last forward() (attention pooling, training only)
  Variable penalty() override;

  int64_t target_vocab() const override { return config_.target_vocab; }
  Generator& generator() override { return generator_; }
  const ClassifierConfig& config() const { return config_; }

 private:
  // 1/n on each of the n real words of each row, in all r rows: mask [B, S] -> A [B, r, S]
  Tensor uniform_weights(const Tensor& mask, int64_t B, int64_t S) const;
  // class logits [B, C] -> [B, 4 + C], the special tokens' logits constant and very low
  Variable token_logits(const Variable& logits) const;

  ClassifierConfig config_;
  Generator generator_;  // declared before the modules: they draw their weights from it
  Embedding embedding_;  // "embedding": [V, d_e], the <pad> row 0
  Recurrent encoder_;    // "encoder": the BiLSTM
  std::unique_ptr<AttentionPooling> pooling_;  // "pooling" (attention pooling only)
  Linear hidden_;        // "hidden": [m, r*2u]
  Linear output_;        // "output": [C, m]
  Dropout dropout_;      // "dropout"
  Dropout word_dropout_; // "word_dropout": on the word vectors
  Variable penalty_;     // the last forward()'s, until penalty() takes it
};

}  // namespace attn
