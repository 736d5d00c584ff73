// End-to-end memory network (Sukhbaatar, Szlam, Weston & Fergus 2015, "End-To-End Memory
// Networks", §2): attention as reading from a memory, several times over.
//
// The sentences of a story x_1 .. x_S are the memory, the question q is the query:
//   m_i = sum_j A x_ij + T_A(i)        input memory, one vector per sentence        [B, S, D]
//   c_i = sum_j C x_ij + T_C(i)        output memory                                [B, S, D]
//   u^1 = sum_j B q_j                  the question                                 [B, D]
// and each hop k = 1 .. K reads it with attn's attention (the paper's score is the dot product):
//   p^k = softmax(u^k . m^k_i)         which sentences matter                       [B, S]
//   o^k = sum_i p^k_i c^k_i            what they say                                [B, D]
//   u^{k+1} = u^k + o^k                (layer-wise tying: H u^k + o^k)
// and the answer is one word:  a = softmax(W u^{K+1})                               [B, V]
// Sentences are bags of words (sum_j A x_ij) or, with position encoding (§4.1), weighted sums
// sum_j l_j * A x_ij, l_kj for word j of J and component k of D. The paper writes
//   l_kj = (1 - j/J) - (k/D)(1 - 2j/J);
// its reference code (MemN2N-babi-matlab, build_model.m) computes twice that, centred on 1:
//   l_kj = 1 + 4 (k - (D+1)/2)(j - (J+1)/2) / (D J)
// and that is what attn uses: at the paper's scale the yes/no tasks do not train at all (task 6
// stays at 47% error; 16% with the code's).
// The memory has memory_size slots; a story of S < memory_size sentences leaves the others
// empty. In the reference code (MemN2N-babi-matlab, train.m) an empty slot is a zero vector that
// still takes its share exp(0) of each hop's softmax, so a hop can keep weight off every
// sentence: attn passes their number to the attention as empty_slots (nn/attention/attention.h).
// It matters for the questions answered by yes, no or maybe: with 50 slots, the validation
// error of tasks 6, 9 and 10 falls from 14%, 21% and 28% to 3%, 8% and 9% (three seeds each).
// T_A(i) is learned per distance i of the sentence from the question (temporal encoding, §4.1);
// in training, random noise (RN) leaves 10% of the distances empty at random. Which matrices are
// shared between hops (adjacent or layer-wise tying, §2.2) and the rest: memn2n_config.h.
//
// As attn's other systems, the model is an encoder-decoder (models/seq2seq/seq2seq.h), so the
// trainer, checkpoints and resume serve it unchanged: the encoder reads the story and the
// question in K hops, the decoder says the answer in one step, and that step's attention is
// one row per hop ("layers" = hops, one head). The source is the story's word ids [B, S, J]
// (sentences oldest first, words padded with 0), its mask [B, S], and the question [B, J].
// Shapes: B batch, S memory slots (sentences), J words per sentence, D embedding width, K hops,
// V vocabulary.
#pragma once

#include <memory>
#include <vector>

#include "models/memn2n/memn2n_config.h"
#include "models/seq2seq/seq2seq.h"
#include "nn/attention/score_function.h"

namespace attn {

// The position encoding's weights l for sentences of words ids [..., J] (0 = no word):
// l[..., j, k] = 1 + 4 (k - (D+1)/2)(j - (J+1)/2) / (D J), j and k from 1, J the sentence's own
// length (as the paper's formula); 0 where there is no word. -> [..., J, D]
Tensor position_encoding_weights(const Tensor& words, int64_t width);

// What one reading of the memory gives.
struct Reading {
  Variable memory;           // the first hop's input memory m^1         [B, S, D]
  Variable answer_features;  // u^{K+1}                                 [B, D]
  Variable hop_weights;      // p^1 .. p^K                              [B, K, S]
};

class MemN2N : public Seq2Seq {
 public:
  explicit MemN2N(const MemN2NConfig& config);

  // The K hops over the story, for the question: source.input [B, S, J], mask [B, S],
  // query [B, J]. In training mode with random_noise > 0, the distances have random gaps.
  Reading read(const Source& source);
  // u^{K+1} [..., D] -> logits [..., V]
  Variable answer_logits(const Variable& features) const;

  // The encoder-decoder view: encode() is the reading; the memory it returns is the first hop's
  // input memory m^1 [B, S, D] and carries the reading in final_states = {u^{K+1}, p}.
  Memory encode(const Source& source) override;
  std::unique_ptr<DecoderState> start(const Memory& memory) override;
  // The one step: the answer's logits [N, V] and the hops' attention [N, K, 1, S]. A memory
  // network answers in one word, so there is no second step.
  Step step(const Tensor& tokens, DecoderState& state) override;
  // target_in [B, 1] (<bos>) -> logits [B, 1, V]
  Variable forward(const Source& source, const Tensor& target_in) override;

  int64_t target_vocab() const override { return config_.target_vocab; }
  Generator& generator() override { return generator_; }
  const MemN2NConfig& config() const { return config_; }
  // Linear start: the memory layers without (false) or with their softmax.
  void set_softmax(bool on) { config_.linear = !on; }

 private:
  // The embedding and temporal matrices hop k reads with (adjacent or layer-wise tying).
  struct HopWeights {
    Variable input, output;                    // A^k, C^k  [V, D]
    Variable input_time, output_time;          // T_A^k, T_C^k [memory_size, D]; undefined without TE
  };
  HopWeights hop(int64_t k) const;
  // Each word's weight in its sentence: l_j (position encoding) or 1 (bag of words), 0 for
  // padding. [..., J] -> [..., J, D] or [..., J, 1]
  Tensor word_weights(const Tensor& words) const;
  // sum_j (l_j *) E x_ij (+ T(distance_i)): words [B, S, J] -> [B, S, D], or [B, J] -> [B, D]
  Variable embed_sentences(const Variable& embedding, const Tensor& words, const Tensor& weights,
                           const Variable& time, const Tensor& distances) const;
  // Each memory slot's distance from the question [B, S] (newest 0), with RN's gaps in training.
  Tensor distances(const Tensor& mask);
  // How many of the memory_size slots each story leaves empty [B].
  Tensor empty_slots(const Tensor& mask) const;

  MemN2NConfig config_;
  Generator generator_;  // declared before the weights: they are drawn from it
  std::vector<Variable> embeddings_;  // adjacent: E^0 .. E^K; layerwise: A, C, B, W
  std::vector<Variable> times_;       // adjacent: T^0 .. T^K; layerwise: T_A, T_C
  Variable mapping_;                  // H [D, D], layer-wise tying only
  std::vector<std::unique_ptr<ScoreFunction>> scores_;  // one per hop: "hops.k"
};

}  // namespace attn
