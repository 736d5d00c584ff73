// Show, Attend and Tell: a caption generator that looks at a different part of the image for
// each word it says.
//
// Xu, Ba, Kiros, Cho, Courville, Salakhutdinov, Zemel & Bengio 2015, "Show, Attend and Tell:
// Neural Image Caption Generation with Visual Attention", §3 and §4.2 (soft attention). The
// decoder is the recurrent attention decoder of machine translation; only its memory changed,
// from a sentence's encoder states to a grid of image features:
//
//   image [B, C, H, W] -> CNN (nn/vision/cnn_encoder.h) -> a_1 .. a_L   annotations [B, L, D]
//   a_i <- a_i + p_i                                   learned cell positions (not in the paper)
//   h_0 = tanh(f_init,h(mean_i a_i)),  c_0 = tanh(f_init,c(mean_i a_i))     [B, n]    §3.1.2
//   for each word t:
//     e_ti    = f_att(a_i, h_{t-1})                    any registered score [B, L]    (4)
//     alpha_t = softmax_i(e_t)                                              [B, L]    (5)
//     beta_t  = sigmoid(f_beta(h_{t-1}))               the gating scalar    [B, 1]    §4.2.1
//     z_t     = beta_t sum_i alpha_ti a_i              the context          [B, D]    (6), (13)
//     h_t, c_t = LSTM([E y_{t-1}; z_t], h_{t-1}, c_{t-1})                   [B, n]    (1)-(3)
//     o_t     = E y_{t-1} + L_h h_t + L_z z_t          the deep output      [B, m]    (7)
//     logits  = L_o(o_t), or L_o(tanh(o_t))            deep_output          [B, V]
//
//            y_{t-1} ──E──┬───────────────────────────────────────────┐
//                         v                                           v
//   h_{t-1} ──> f_att over a_1..a_L ──> alpha_t ──> z_t ──> LSTM ──> h_t ──> + ──> L_o ──> logits
//       │          beta_t ──────────────────────────^    │             ^     ^
//       └────────────────────────────────────────────────┘ (recurrent) │     └── L_z z_t
//
// Training minimises the words' cross-entropy plus the doubly stochastic attention (§4.2.1, eq.
// 14): lambda sum_i (1 - sum_t alpha_ti)^2, which asks every cell to be looked at about once
// over the caption. attn averages it over the batch and the cells, as the widely used PyTorch
// implementation (sgrvinod/a-PyTorch-Tutorial-to-Image-Captioning) does, and sums t over each
// caption's real words only (penalty()).
//
// Cell positions. Attention blends the annotations, so what the decoder learns of where it looked
// is only what the annotations say about their place. VGG's conv5 features, with their large
// receptive fields and many layers of padding, carry that implicitly; a three-block CNN's barely
// do, and a caption such as "a red circle above a blue square", or digits read left to right,
// needs it: the model must know where the circle is, and which digit comes next. So each cell i
// gets a learned vector p_i [D] added to a_i, as learned positions in ViT (Dosovitskiy et al.
// 2021, §3.1) do for image patches. --no-positions gives the paper's annotations unchanged.
//
// The deep output. Equation 7 as printed is linear: the logits are one linear map of E y, h_t and
// z_t, so the word is read from the context z_t by a linear classifier plus what the LSTM made
// of it. The authors' Theano code (arctic-captions, capgen.py) puts a tanh on o_t before dropout
// and L_o, one hidden layer between the context and the word, the "deep output" of Pascanu et
// al. 2014 ("How to Construct Deep Recurrent Neural Networks", §3). deep_output = tanh follows
// the code; the default, linear, the equation. Both have the same parameters.
//
// With pooling = mean the same network never attends: alpha_ti = 1/L at every step, the
// baseline that shows what attention adds. Decoding (greedy, beam) goes through the shared
// encoder-decoder interface (models/seq2seq/seq2seq.h): encode, start, step.
// Shapes: B batch, C H W the image, L = h w grid cells, D feature width, m embedding width,
// n LSTM width, T caption length, V vocabulary, N rows being decoded.
#pragma once

#include <memory>
#include <vector>

#include "models/captioner/captioner_config.h"
#include "nn/recurrent/cell_stack.h"
#include "models/seq2seq/seq2seq.h"
#include "nn/attention/attention.h"
#include "nn/layers/dropout.h"
#include "nn/layers/embedding.h"
#include "nn/layers/linear.h"
#include "nn/vision/cnn_encoder.h"

namespace attn {

// What the decoder carries from one word to the next.
struct CaptionState : DecoderState {
  std::vector<CellState> layers;  // the LSTM's h and c [N, n]
  Variable annotations;           // a [N, L, D]
  Variable keys;                  // a as the score prepared it [N, L, *]
  Variable mean_annotation;       // mean_i a_i [N, D]: the context when pooling = mean
  AlignmentHistory history;       // earlier steps' weights, for scores that look back
  int64_t position = 0;           // words said
  Variable alpha;                 // the last step's alpha_t [N, L] (the penalty differentiates it)
  void reorder(const Tensor& rows) override;
};

class ShowAttendTell : public Seq2Seq {
 public:
  explicit ShowAttendTell(const CaptionerConfig& config);

  // images [B, C, H, W] (Source::input) -> annotations [B, L, D], every cell real
  Memory encode(const Source& source) override;
  std::unique_ptr<DecoderState> start(const Memory& memory) override;
  // tokens [N] -> logits [N, V] and alpha [N, 1, 1, L]
  Step step(const Tensor& tokens, DecoderState& state) override;
  // images, target_in [B, T] -> logits [B, T, V]; keeps the attention penalty for penalty()
  Variable forward(const Source& source, const Tensor& target_in) override;
  // lambda mean_{b,i} (1 - sum_t alpha_bti)^2 of the last forward(), t over real words only
  Variable penalty() override;

  int64_t target_vocab() const override { return config_.target_vocab; }
  Generator& generator() override { return generator_; }
  const CaptionerConfig& config() const { return config_; }
  CnnEncoder& encoder() { return encoder_; }  // for pretraining it on its own
  // A frozen encoder is a fixed feature extractor, as the paper's VGG is (§4.3): encode() records
  // no graph through it, so no gradient reaches its weights and no optimiser changes them.
  void freeze_encoder(bool frozen) { encoder_frozen_ = frozen; }

 private:
  // One word: the embedding's share of the LSTM's input gates [N, 4n], E y_{t-1} [N, m] ->
  // the deep output o_t [N, m], through tanh if deep_output says so. Updates the state and alpha.
  Variable decoder_step(const Variable& embedded_gates, const Variable& embedded,
                        CaptionState& state);
  // images [B, C, H, W] -> a [B, L, D], a constant when the encoder is frozen
  Variable encoded(const Variable& images);
  // alpha_t [N, L] and sum_i alpha_ti a_i [N, D] for the query h_{t-1}
  AttentionResult look(const Variable& query, CaptionState& state);
  // lambda mean_{b,i} (1 - sum_t alpha_bti)^2 over alphas [B, L] per step, real words of target_in
  Variable attention_penalty(const std::vector<Variable>& alphas, const Tensor& target_in) const;
  // E y [..., m] -> its share of the LSTM's input gates [..., 4n]
  Variable embedded_gates(const Variable& embedded) const;

  CaptionerConfig config_;
  Generator generator_;  // declared before the modules: they draw their weights from it
  CnnEncoder encoder_;   // "encoder"
  Variable positions_;   // "positions": p [L, D] (positions only)
  Linear init_h_;        // "init_h": f_init,h [n, D]
  Linear init_c_;        // "init_c": f_init,c [n, D]
  Embedding embedding_;  // "embedding": E [V, m]
  std::unique_ptr<ScoreFunction> attention_;  // "attention": f_att (pooling = attention only)
  std::unique_ptr<Linear> gate_;              // "gate": f_beta [1, n] (gate only)
  CellStack decoder_;                         // "decoder": the LSTM, input [E y; z]
  Linear output_h_;                           // "output_h": L_h [m, n]
  Linear output_z_;                           // "output_z": L_z [m, D]
  Linear output_;                             // "output": L_o [V, m] and its bias
  Dropout dropout_;                           // "dropout"
  Variable penalty_;                          // the last forward()'s, until penalty() takes it
  bool encoder_frozen_ = false;
};

}  // namespace attn
