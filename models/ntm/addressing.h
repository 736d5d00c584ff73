// NTM addressing: where a head of the Neural Turing Machine reads or writes, as attention over
// the N rows of its memory.
//
// Graves, Wayne & Danihelka 2014, "Neural Turing Machines", §3.3, Figure 2. From the controller
// a head receives a key k [M], a key strength beta >= 0, an interpolation gate g in (0, 1), a
// shift distribution s over the offsets -K..K, and a sharpening exponent gamma >= 1; then
//
//   w_c(i) = softmax_i(beta cos(k, M(i)))           content (§3.3.1): the registered cosine score,
//                                                   through attention's plumbing
//   w_g    = g w_c + (1 - g) w_{t-1}                 interpolation (§3.3.2, eq. 7)
//   w~(i)  = sum_j w_g(j) s((i - j) mod N)          circular convolution (eq. 8)
//   w(i)   = w~(i)^gamma / sum_j w~(j)^gamma        sharpening (eq. 9)
//
// The content step is attention as everywhere in attn: a score, a softmax. The three location
// steps come after the softmax, so NtmAddressing is a score function whose reweight() runs them
// (score_function.h), reading w_{t-1} from the alignment history that attention keeps between
// calls. A head's read is then the attention's context, r = sum_i w(i) M(i) (eq. 2).
//
// Each step is also a function of its own, below, so that each is gradient-checked alone.
// Shapes: "..." any leading axes ([B, 1] under attend_one), N memory rows, M row width,
// K the largest shift.
#pragma once

#include <cstdint>
#include <memory>

#include "autograd/variable.h"
#include "nn/attention/score_function.h"

namespace attn {

// ---- the location steps, one function each --------------------------------------------------------

// w_c [..., N], w_prev [..., N], g [..., 1] -> g w_c + (1 - g) w_prev [..., N]
Variable interpolate(const Variable& content, const Variable& previous, const Variable& gate);
// w [..., N], s [..., 2K+1] (offsets -K..K, a distribution) -> w~ [..., N],
// w~(i) = sum_k s(k) w((i - k) mod N): the weights rotated by each offset, mixed by s.
Variable circular_shift(const Variable& weights, const Variable& shifts);
// w [..., N] >= 0, gamma [..., 1] >= 1 -> w^gamma / sum w^gamma [..., N]
Variable sharpen(const Variable& weights, const Variable& gamma);

// ---- a head's addressing as a score function ------------------------------------------------------

// What a head's query holds, already in range (the head's activations, models/ntm/heads.h):
//   [ k (M) | beta (1) | g (1) | s (2K+1) | gamma (1) ]
struct AddressingLayout {
  int64_t memory_width = 0;  // M
  int64_t max_shift = 1;     // K: shifts -K..K

  int64_t width() const { return memory_width + 3 + 2 * max_shift + 1; }
  int64_t shift_count() const { return 2 * max_shift + 1; }
  int64_t beta_at() const { return memory_width; }
  int64_t gate_at() const { return memory_width + 1; }
  int64_t shifts_at() const { return memory_width + 2; }
  int64_t gamma_at() const { return memory_width + 2 + shift_count(); }
};

class NtmAddressing : public ScoreFunction {
 public:
  explicit NtmAddressing(const AddressingLayout& layout);

  // queries [..., 1, W] (the layout), memory [..., N, M] -> beta cos(k, M(i)) [..., 1, N]
  Variable scores(const Variable& queries, const Variable& memory,
                  const ScoreContext& context) override;
  // w_c [..., 1, N] -> w [..., 1, N]: interpolation with the history's previous weights (before
  // the first step: start_weights), shift, sharpening.
  Variable reweight(const Variable& content, const Variable& queries,
                    const ScoreContext& context) override;
  bool uses_history() const override { return true; }

  const AddressingLayout& layout() const { return layout_; }

  // Where a head is before its first step: all weight on row 0, w_0 = (1, 0, ..., 0). Not a
  // uniform start: memory rows that start alike and weights spread evenly over them stay so
  // forever, since every step treats the rows alike up to a rotation; a head that starts on one
  // row can walk the rows from there by its shifts (as in the paper's Figure 6).
  static Tensor start_weights(const Shape& shape);

 private:
  AddressingLayout layout_;
  std::unique_ptr<ScoreFunction> content_;  // the registered "cosine:strength=query"
};

}  // namespace attn
