// The Neural Turing Machine's tasks, generated: copy and repeat copy of random bit vectors.
//
// Graves, Wayne & Danihelka 2014, §4.1 (copy) and §4.2 (repeat copy). Each step is a vector of
// `bits` random bits (each 1 with probability 1/2); a delimiter channel marks the end of the
// input, after which the network must answer with nothing more to read:
//
//   copy, L vectors (input width bits + 1, output width bits):
//     step      0 .. L-1      L            L+1 .. 2L
//     input     x_1 .. x_L    delimiter    0 ...
//     target    (none)        (none)       x_1 .. x_L
//
//   repeat copy, L vectors n times (input width bits + 2, output width bits + 1):
//     step      0 .. L-1      L                            L+1 .. L+nL        L+nL+1
//     input     x_1 .. x_L    delimiter, n / max_repeats   0 ...              0
//     target    (none)        (none)                       (x_1 .. x_L) x n   end marker
//   the repeat count arrives as one number on its own channel, scaled into (0, 1] as the paper
//   normalises it; the last output step sets the extra output channel, the end marker, alone.
//
// Only the answer steps are scored (mask 1 on every output channel there). Sequence i of a
// source seeded s is made from numbered_seed(s, i) alone (numbered_examples.h): training draws
// fresh sequences forever and a test set is the first n numbers of its own seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace attn {

enum class BitTask { copy, repeat_copy };

struct BitTaskSpec {
  BitTask task = BitTask::copy;
  int64_t bits = 8;          // paper: 8-bit vectors
  int64_t min_length = 1;    // L drawn uniformly from min_length .. max_length (paper: 1 .. 20)
  int64_t max_length = 20;
  int64_t min_repeats = 1;   // repeat copy: n drawn from min_repeats .. max_repeats (paper: 1 .. 10)
  int64_t max_repeats = 10;

  int64_t input_width() const;
  int64_t output_width() const;
  // Throws naming the field when a range is empty or absurd.
  void check() const;
};

// One sequence: inputs [T, I], targets [T, O], mask [T, O] (1 = a scored answer bit).
struct BitSequence {
  Tensor inputs, targets, mask;
  int64_t length = 0;   // L
  int64_t repeats = 1;  // n (copy: 1)
};

// A batch, each sequence padded at its end with unscored zero steps to the longest.
struct BitBatch {
  Tensor inputs;   // [B, T, I]
  Tensor targets;  // [B, T, O]
  Tensor mask;     // [B, T, O]
};

// A sequence of the task with exactly `length` vectors repeated `repeats` times.
BitSequence make_bit_sequence(const BitTaskSpec& spec, int64_t length, int64_t repeats,
                              Generator& generator);
// Sequence `index` of the source seeded `seed`: its length and repeats drawn from the spec's
// ranges, then its bits.
BitSequence numbered_bit_sequence(const BitTaskSpec& spec, uint64_t seed, uint64_t index);
BitBatch batch_bit_sequences(const std::vector<BitSequence>& sequences);

// Bits wrong in each sequence of a batch: a bit is read as 1 where its logit is > 0, and only
// scored bits count. logits [B, T, O] -> one count per sequence.
std::vector<int64_t> bit_errors(const Tensor& logits, const BitBatch& batch);

}  // namespace attn
