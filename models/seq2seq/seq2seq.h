// The encoder-decoder interface: what every attention model in attn implements, so that greedy
// and beam search, the trainer, checkpoints and `attn attention` work for all of them.
//
// The lectures' picture, for any source (text, an image, audio frames) and a target sentence:
//
//   source ──encode──> memory [B, S, D] ─┐                              Bahdanau et al. 2015,
//                                        │ attention, at every step      Vaswani et al. 2017,
//   <bos> y1 y2 ... ──step──> step ──> step ──> logits [N, V] ...      Xu et al. 2015, ...
//
//   encode   source -> memory: one vector per source position (a token, an image cell, an
//            audio frame) and a mask of the real positions
//   start    memory -> the decoder's state before the first target token
//   step     the last token of each sequence [N] and the state -> logits [N, V] of the next
//            token, and the cross-attention of this step [N, L, H, S] (per attention layer L
//            and head H; one attention has L = H = 1), which the pictures draw
//   reorder  the state keeps some of its rows (beam search follows its surviving hypotheses)
//   forward  teacher forcing for training: source and target_in [B, T] -> logits [B, T, V]
//
// Decoding code sees only this interface, so an image or audio encoder plugs in without
// changing it: Source says what the encoder reads, Memory what the decoder attends over.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "autograd/variable.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace attn {

// A batch of sources as the encoder reads them.
struct Source {
  Tensor input;  // token ids [B, S] | frames [B, S, F] | images [B, C, H, W] | story [B, S, J]
  Tensor mask;   // [B, S]: 1 = a real position, 0 = padding; undefined: every position is real
  Tensor query{};  // a question about the source, [B, J] word ids (memory networks); else undefined
  int64_t batch() const { return input.size(0); }
};

// Token ids [B, S] padded with special_tokens::pad -> a Source whose mask marks the real ones.
Source token_source(const Tensor& tokens);

// What the encoder made of a source: what the decoder attends over.
struct Memory {
  Variable states;  // [B, S, D] one vector per source position
  Tensor mask;      // [B, S]: 1 = may be attended; undefined: every position
  // A recurrent encoder's state after reading each row, [B, *] each (every layer's and
  // direction's), from which its decoder starts (models/rnn); empty for other encoders.
  std::vector<Variable> final_states;
};

// One decoding step's result.
struct Step {
  Variable logits;   // [N, V] scores of the next token
  Tensor attention;  // [N, L, H, S] this step's cross-attention weights, per layer and head
};

// What a decoder keeps between steps (key/value caches, recurrent states, alignment history).
// Each model defines its own; decoding code only asks it to keep rows.
class DecoderState {
 public:
  virtual ~DecoderState() = default;
  // Keeps rows `rows` (whole numbers, repeats allowed), in that order: beam search repeats each
  // sentence's row K times at the start, then follows each surviving hypothesis to its parent.
  virtual void reorder(const Tensor& rows) = 0;
};

class Seq2Seq : public Module {
 public:
  // source -> memory [B, S, D] and its mask
  virtual Memory encode(const Source& source) = 0;
  // The decoder's state before the first target token, for the N = B rows of memory.
  virtual std::unique_ptr<DecoderState> start(const Memory& memory) = 0;
  // tokens [N], the newest token of each row (<bos> first) -> logits [N, V] for the next token
  // and this step's attention. Equal to forward() on the whole prefix, at a step's cost.
  virtual Step step(const Tensor& tokens, DecoderState& state) = 0;
  // Teacher forcing: source, target_in [B, T] (<bos> y_1 .. y_{T-1}) -> logits [B, T, V]
  virtual Variable forward(const Source& source, const Tensor& target_in) = 0;

  // What the last forward() adds to the training loss besides the words' cross-entropy (Show,
  // Attend and Tell's doubly stochastic attention), handed over once: the training step takes
  // it, and a second call returns undefined. Undefined for a model without one.
  virtual Variable penalty() { return {}; }

  virtual int64_t target_vocab() const = 0;  // V
  // The model's one generator: its initial weights and every dropout mask come from it, so one
  // seed fixes a run and a checkpoint saves its state.
  virtual Generator& generator() = 0;
};

}  // namespace attn
