// The listener of Listen, Attend and Spell: a pyramid of bidirectional LSTMs that reads audio
// frames and hands the speller a sequence 2^P times shorter.
//
// Chan, Jaitly, Le & Vinyals 2016, "Listen, Attend and Spell", §3.1. Speech has about 100 frames
// a second, far more than the characters they spell, and attention over thousands of frames
// learns slowly and costs much. So each pyramid layer reads its input two steps at a time,
// concatenating neighbours, and halves the time resolution:
//
//   h^0_i = BLSTM(h^0_{i-1}, x_i)                                 frames x [B, T, F]   (eq. 4)
//   h^j_i = BLSTM(h^j_{i-1}, [h^{j-1}_{2i}; h^{j-1}_{2i+1}])      j = 1 .. P           (eq. 5)
//
//   x_1 x_2 x_3 x_4 x_5 x_6 x_7 x_8        [B, T, F]
//    │   │   │   │   │   │   │   │
//   BLSTM layer 0                          [B, T, 2R]
//    └─┬─┘   └─┬─┘   └─┬─┘   └─┬─┘         pairs joined: [B, T/2, 4R]
//   BLSTM pyramid layer 1                  [B, T/2, 2R]
//      └───┬───┘       └───┬───┘
//   BLSTM pyramid layer 2                  [B, T/4, 2R]   ... P layers: h = (h_1 .. h_U), U = T/2^P
//
// Padding: a row of `length` real frames has ceil(length / 2) real steps after a pyramid layer
// (a last odd frame is paired with a zero, which is what the layer's output holds at padding: the
// recurrent layers keep padded steps at exactly 0). An odd T is padded with one zero step first.
// Each layer is nn/recurrent/recurrent.h, so padding is exact as in PyTorch's packed sequences.
// Dropout (training only) between layers, as a stacked PyTorch LSTM applies it.
// Shapes: B batch, T frames, F features per frame, R each direction's width, P pyramid layers,
// U = ceil(T / 2^P) listener steps.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nn/layers/dropout.h"
#include "nn/module.h"
#include "nn/recurrent/recurrent.h"
#include "tensor/random.h"

namespace attn {

struct ListenerOptions {
  int64_t features = 40;  // F: log-mel bands per frame (Chan et al.: 40)
  int64_t hidden = 128;   // R, each direction (Chan et al.: 256)
  int64_t pyramid = 3;    // P pyramid layers above the first (Chan et al.: 3)
  real dropout = 0;       // between layers, training only
};

struct ListenerOutput {
  Variable states;               // h [B, U, 2R], exactly 0 at padded steps
  Tensor mask;                   // [B, U] 1 = real step; undefined when every frame was real
  std::vector<CellState> final;  // [(1 + P) * 2]: each layer's forward then backward final state
};

class Listener : public Module {
 public:
  Listener(const ListenerOptions& options, Generator& generator);

  // frames [B, T, F], mask [B, T] (right-padded; undefined: every frame real) -> h [B, U, 2R]
  ListenerOutput forward(const Variable& frames, const Tensor& mask) const;

  const ListenerOptions& options() const { return options_; }
  // How many listener steps U a row of `frames` real frames becomes: ceil(frames / 2^P).
  int64_t steps_for(int64_t frames) const;

 private:
  ListenerOptions options_;
  std::vector<std::unique_ptr<Recurrent>> layers_;  // "layer0" .. "layerP": one BLSTM layer each
  Dropout dropout_;                                 // "dropout"
};

}  // namespace attn
