// Positional encodings: attention alone cannot tell positions apart, so we add where each is.
//
// Self-attention treats its input as a set: permute the positions and the outputs permute the
// same way. Adding a position-dependent vector to each embedding breaks that symmetry.
//
// Sinusoidal (the paper's default), Vaswani et al. 2017, §3.5, a fixed table:
//   PE(pos, 2i)   = sin(pos / 10000^(2i / D))
//   PE(pos, 2i+1) = cos(pos / 10000^(2i / D))
// Each pair of features is a clock ticking at its own rate, from 2 pi to 10000 * 2 pi positions
// per turn, and PE(pos + k) is a linear function (a rotation) of PE(pos) for every offset k.
//
// Learned (a named option): a [max_length, D] parameter table trained with the model, as in
// BERT (Devlin et al. 2019) and GPT (Radford et al. 2018). The paper found it "nearly identical"
// (Table 3, row E) and kept sinusoids because they may extrapolate past the training lengths;
// a learned table cannot, but it lets attn reproduce those models and test that claim.
//
// Both compute  x [B, T, D] -> x + P[offset : offset + T]. The offset is the position of x's
// first row: incremental decoding feeds one target position at a time. Dropout on the sum
// (§5.4) is left to the model, which owns the dropout rate.
#pragma once

#include <memory>

#include "nn/module.h"
#include "tensor/random.h"

namespace attn {

enum class PositionalEncodingKind { sinusoidal, learned };

class PositionalEncoding : public Module {
 public:
  // x [B, T, D] -> x + P[offset : offset + T]; throws when offset + T > max_length.
  Variable forward(const Variable& x, int64_t offset = 0) const;
  int64_t d_model() const { return d_model_; }
  int64_t max_length() const { return max_length_; }

 protected:
  PositionalEncoding(int64_t d_model, int64_t max_length);
  // Rows offset .. offset + length - 1 of the table: [T, D]. Called with the range checked.
  virtual Variable rows(int64_t offset, int64_t length) const = 0;

 private:
  int64_t d_model_;
  int64_t max_length_;
};

class SinusoidalPositionalEncoding : public PositionalEncoding {
 public:
  explicit SinusoidalPositionalEncoding(int64_t d_model, int64_t max_length = 5000);
  const Tensor& table() const { return table_; }  // [max_length, D]

 private:
  Variable rows(int64_t offset, int64_t length) const override;
  Tensor table_;  // [max_length, D], fixed: not a parameter, not in the state dictionary
};

class LearnedPositionalEncoding : public PositionalEncoding {
 public:
  LearnedPositionalEncoding(int64_t max_length, int64_t d_model, Generator& generator);

  Variable weight;  // [max_length, D], ~ N(0, 0.02^2) as BERT

 private:
  Variable rows(int64_t offset, int64_t length) const override;
};

// The encoding of `kind`; the generator is used only by the learned one.
std::unique_ptr<PositionalEncoding> make_positional_encoding(PositionalEncodingKind kind,
                                                             int64_t d_model, int64_t max_length,
                                                             Generator& generator);

}  // namespace attn
