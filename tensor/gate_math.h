// The two squashing functions of recurrent gates, written so that a loop of them vectorises.
//
//   sigmoid(x) = 1 / (1 + e^-x)                  squashes into (0, 1): how much to let through
//   tanh(x)    = (1 - e^-2x) / (1 + e^-2x)       squashes into (-1, 1): a candidate value
// Both are evaluated through e^-|x| only, which never overflows:
//   sigmoid(x) = 1 / (1 + e)  for x >= 0,   e / (1 + e)  for x < 0,     e = e^-|x|
//   tanh(x)    = sign(x) (1 - e) / (1 + e),                             e = e^-2|x|
// and e^-|x| is exp_nonpositive (a branch-free polynomial, within 2 ulp of expf), so a GRU or
// LSTM step's gate loop compiles to vector instructions instead of one libm call per element.
// Near 0, 1 - e loses relative (not absolute) precision: tanh is off by at most ~1e-7 there
// in float, far below what training notices. In a double build both are std::exp based.
//
// Their derivatives, from the outputs alone (what the backward kernels save):
//   sigmoid' = s (1 - s),   tanh' = 1 - t^2
#pragma once

#include "tensor/exp_nonpositive.h"
#include "tensor/real.h"

namespace attn {

inline real gate_sigmoid(real x) {
  const real magnitude = x < 0 ? -x : x;
  const real e = exp_nonpositive(-magnitude);
  const real inverse = 1 / (1 + e);
  return x < 0 ? e * inverse : inverse;
}

inline real gate_tanh(real x) {
  const real magnitude = x < 0 ? -x : x;
  const real e = exp_nonpositive(-2 * magnitude);
  const real t = (1 - e) / (1 + e);
  return x < 0 ? -t : t;
}

}  // namespace attn
