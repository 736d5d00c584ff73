// The Neural Turing Machine's heads: what the controller's output does to the memory.
//
// Graves, Wayne & Danihelka 2014, §3. Each step a head turns the controller's output h into the
// parameters of its addressing (models/ntm/addressing.h), each squashed into its range:
//
//   raw = W h + b                              one linear layer per head, kept smoothly
//                                              within (-20, 20): 20 tanh(raw / 20)
//   k = tanh(raw_k)         in (-1, 1)^M       bounded like the memory's entries
//   beta = softplus(raw_b)  >= 0               key strength
//   g = sigmoid(raw_g)      in (0, 1)          interpolation gate
//   s = softmax(raw_s)      over -K..K         shift distribution
//   gamma = 1 + softplus(raw_gamma) >= 1      sharpening
//
// then addresses the memory with them, by attention (attend_one: weights w [B, N] over the rows):
//   read  (§3.1, eq. 2):  r = sum_i w(i) M(i)                        the attention's context
//   write (§3.2, eq. 3-4): M(i) <- M(i) * (1 - w(i) e) + w(i) a     erase e = sigmoid(.) in
//                                                                    (0, 1)^M, add a = tanh(.)
// A head's previous weights w_{t-1} live in its AlignmentHistory, which the machine carries from
// step to step, like a decoder's cache.
//
// Shapes: B batch, C controller width, N memory rows, M row width.
#pragma once

#include "models/ntm/addressing.h"
#include "nn/attention/score_function.h"
#include "nn/layers/linear.h"
#include "nn/module.h"

namespace attn {

struct HeadOutput {
  Variable read;     // [B, M] what a read head read (undefined for the write head)
  Variable memory;   // [B, N, M] the memory after a write (undefined for a read head)
  Variable weights;  // [B, N] where the head looked
};

class ReadHead : public Module {
 public:
  ReadHead(int64_t controller_size, const AddressingLayout& layout, Generator& generator);
  // h [B, C], memory [B, N, M] -> the read [B, M] and its weights [B, N]; history: w_{t-1}
  HeadOutput read(const Variable& h, const Variable& memory, AlignmentHistory& history);

 private:
  NtmAddressing addressing_;
  Linear to_parameters_;  // C -> the addressing's layout width
};

class WriteHead : public Module {
 public:
  WriteHead(int64_t controller_size, const AddressingLayout& layout, Generator& generator);
  // h [B, C], memory [B, N, M] -> the new memory [B, N, M] and the weights [B, N]
  HeadOutput write(const Variable& h, const Variable& memory, AlignmentHistory& history);

 private:
  NtmAddressing addressing_;
  Linear to_parameters_;  // C -> the layout's width, then erase e and add a (M each)
};

// raw [B, W] (W = layout.width()) -> the query the addressing reads: each part in its range.
Variable addressing_query(const Variable& raw, const AddressingLayout& layout);

}  // namespace attn
