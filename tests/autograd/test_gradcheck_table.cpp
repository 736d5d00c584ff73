// Every op in autograd/ops.h against finite differences: one table, one row per case.
//
// Adding an op adds a row here. Each row names the case, makes its inputs (fresh every time, so
// no row sees another's perturbations) and maps the input variables to an output. Inputs stay
// away from kinks (relu at 0, ties in max), where a finite difference straddles two slopes.
// Non-contiguous rows (transposed, narrowed, sliced) test the strided paths of forward and
// backward, and rows that put a view after a fused op feed its backward kernel a strided gradient.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/random.h"

using namespace attn;

namespace {

using Inputs = std::vector<Tensor>;
using Vars = std::vector<Variable>;

struct GradCheckCase {
  std::string name;
  std::function<Inputs()> inputs;
  GradCheckFunction f;
};

// ---- inputs -------------------------------------------------------------------------------------

// Uniform in [-1, 1); each seed gives a different tensor.
Tensor random(const Shape& shape, uint64_t seed) {
  Generator generator(seed);
  return uniform(shape, -1, 1, generator);
}

// Uniform in [0.5, 2): for log, sqrt, fractional powers and divisors.
Tensor positive(const Shape& shape, uint64_t seed) {
  Generator generator(seed);
  return uniform(shape, 0.5, 2, generator);
}

// Values 0.25 apart in a scrambled order, none within 0.1 of 0: no ties for max, no kink for
// relu, even under the float build's finite-difference step of 0.01. (k * 7) mod n visits every
// k once as long as n is not a multiple of 7.
Tensor spread(const Shape& shape) {
  const int64_t n = numel(shape);
  std::vector<real> values(n);
  for (int64_t k = 0; k < n; ++k)
    values[k] = static_cast<real>((k * 7) % n) * real(0.25) - real(n) * real(0.125) + real(0.1);
  return Tensor::from_vector(shape, values);
}

// A [rows, cols] input stored as the transpose of a [cols, rows] tensor: strides [1, rows].
Tensor transposed(int64_t rows, int64_t cols, uint64_t seed) {
  return random({cols, rows}, seed).transpose(0, 1);
}

// A [rows, cols] input cut from the middle columns of a wider tensor: strides [cols + 2, 1].
Tensor narrowed(int64_t rows, int64_t cols, uint64_t seed) {
  return random({rows, cols + 2}, seed).narrow(1, 1, cols);
}

// A [rows, cols] input made of every other column of a wider tensor: strides [2 cols, 2].
Tensor sliced(int64_t rows, int64_t cols, uint64_t seed) {
  return random({rows, 2 * cols}, seed).slice(1, 0, 2 * cols, 2);
}

Tensor values(const Shape& shape, const std::vector<real>& v) {
  return Tensor::from_vector(shape, v);
}

// Targets in [0, 1] for the [4, 5] logits: bits, and one soft target as a smoothed bit.
Tensor bits() {
  return values({4, 5}, {1, 0, 0, 1, 1, 0, 1, 0.25, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1});
}

// Counts the first two rows and the last column only.
Tensor counted_half() {
  return values({4, 5}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
}

// ---- the table ----------------------------------------------------------------------------------

std::vector<GradCheckCase> unary_cases() {
  auto r = [] { return Inputs{random({2, 3}, 1)}; };
  auto p = [] { return Inputs{positive({2, 3}, 2)}; };
  auto s = [] { return Inputs{spread({2, 3})}; };
  auto t = [] { return Inputs{transposed(2, 3, 3)}; };
  return {
      {"neg", r, [](const Vars& v) { return neg(v[0]); }},
      {"exp", r, [](const Vars& v) { return exp(v[0]); }},
      {"exp, transposed input", t, [](const Vars& v) { return exp(v[0]); }},
      {"log", p, [](const Vars& v) { return log(v[0]); }},
      {"sqrt", p, [](const Vars& v) { return sqrt(v[0]); }},
      {"pow 3", r, [](const Vars& v) { return pow(v[0], 3); }},
      {"pow -1.5", p, [](const Vars& v) { return pow(v[0], -1.5); }},
      {"tanh", r, [](const Vars& v) { return tanh(v[0]); }},
      {"tanh, narrowed input", [] { return Inputs{narrowed(2, 3, 4)}; },
       [](const Vars& v) { return tanh(v[0]); }},
      {"sigmoid", r, [](const Vars& v) { return sigmoid(v[0]); }},
      {"softplus", r, [](const Vars& v) { return softplus(v[0]); }},
      {"relu", s, [](const Vars& v) { return relu(v[0]); }},
      {"gelu", r, [](const Vars& v) { return gelu(v[0]); }},
      {"gelu, transposed input", t, [](const Vars& v) { return gelu(v[0]); }},
  };
}

std::vector<GradCheckCase> binary_cases() {
  // Operand shapes: same, a row [3] under [2,3], an outer [2,1] x [1,3], one element [1].
  auto same = [] { return Inputs{random({2, 3}, 1), random({2, 3}, 2)}; };
  auto row = [] { return Inputs{random({2, 3}, 1), random({3}, 2)}; };
  auto outer = [] { return Inputs{random({2, 1}, 1), random({1, 3}, 2)}; };
  auto single = [] { return Inputs{random({1}, 1), random({2, 3}, 2)}; };
  auto strided = [] { return Inputs{transposed(2, 3, 1), narrowed(2, 3, 2)}; };
  // Divisors stay away from 0.
  auto div_row = [] { return Inputs{random({2, 3}, 1), positive({3}, 2)}; };
  auto div_outer = [] { return Inputs{random({2, 1}, 1), positive({1, 3}, 2)}; };
  auto div_single = [] { return Inputs{positive({1}, 1), positive({2, 3}, 2)}; };
  auto div_strided = [] {
    return Inputs{transposed(2, 3, 1), positive({3, 2}, 2).transpose(0, 1)};
  };
  auto add_f = [](const Vars& v) { return v[0] + v[1]; };
  auto sub_f = [](const Vars& v) { return v[0] - v[1]; };
  auto mul_f = [](const Vars& v) { return v[0] * v[1]; };
  auto div_f = [](const Vars& v) { return v[0] / v[1]; };
  auto one = [] { return Inputs{random({2, 3}, 1)}; };
  return {
      {"add", same, add_f},
      {"add [2,3] + [3]", row, add_f},
      {"add [2,1] + [1,3]", outer, add_f},
      {"add [1] + [2,3]", single, add_f},
      {"add, transposed + narrowed", strided, add_f},
      {"sub", same, sub_f},
      {"sub [2,3] - [3]", row, sub_f},
      {"sub [2,1] - [1,3]", outer, sub_f},
      {"sub [1] - [2,3]", single, sub_f},
      {"mul", same, mul_f},
      {"mul [2,3] * [3]", row, mul_f},
      {"mul [2,1] * [1,3]", outer, mul_f},
      {"mul [1] * [2,3]", single, mul_f},
      {"mul, transposed * narrowed", strided, mul_f},
      {"mul, sliced * [3]", [] { return Inputs{sliced(2, 3, 1), random({3}, 2)}; }, mul_f},
      {"div [2,3] / [3]", div_row, div_f},
      {"div [2,1] / [1,3]", div_outer, div_f},
      {"div [1] / [2,3]", div_single, div_f},
      {"div, transposed / transposed", div_strided, div_f},
      {"x + s", one, [](const Vars& v) { return v[0] + real(0.5); }},
      {"s + x", one, [](const Vars& v) { return real(0.5) + v[0]; }},
      {"x - s", one, [](const Vars& v) { return v[0] - real(0.5); }},
      {"s - x", one, [](const Vars& v) { return real(0.5) - v[0]; }},
      {"x * s", one, [](const Vars& v) { return v[0] * real(-3); }},
      {"s * x", one, [](const Vars& v) { return real(-3) * v[0]; }},
      {"x / s", one, [](const Vars& v) { return v[0] / real(4); }},
      {"-x", one, [](const Vars& v) { return -v[0]; }},
  };
}

std::vector<GradCheckCase> reduction_cases() {
  auto r = [] { return Inputs{random({2, 3, 4}, 1)}; };
  auto s = [] { return Inputs{spread({2, 3, 4})}; };
  auto t = [] { return Inputs{transposed(3, 4, 2)}; };
  return {
      {"sum", r, [](const Vars& v) { return sum(v[0]); }},
      {"sum, transposed input", t, [](const Vars& v) { return sum(v[0]); }},
      {"sum dim 0", r, [](const Vars& v) { return sum(v[0], 0); }},
      {"sum dim 1 keepdim", r, [](const Vars& v) { return sum(v[0], 1, true); }},
      {"sum dim -1", r, [](const Vars& v) { return sum(v[0], -1); }},
      {"sum dim -1 keepdim, transposed", t, [](const Vars& v) { return sum(v[0], -1, true); }},
      {"mean", r, [](const Vars& v) { return mean(v[0]); }},
      {"mean dim 0", r, [](const Vars& v) { return mean(v[0], 0); }},
      {"mean dim 1 keepdim", r, [](const Vars& v) { return mean(v[0], 1, true); }},
      {"mean dim -1", r, [](const Vars& v) { return mean(v[0], -1); }},
      {"mean dim -2 keepdim", r, [](const Vars& v) { return mean(v[0], -2, true); }},
      {"max dim 0", s, [](const Vars& v) { return max(v[0], 0); }},
      {"max dim 1 keepdim", s, [](const Vars& v) { return max(v[0], 1, true); }},
      {"max dim -1", s, [](const Vars& v) { return max(v[0], -1); }},
      {"max dim -1 keepdim", s, [](const Vars& v) { return max(v[0], -1, true); }},
      {"max dim 0, transposed", [] { return Inputs{spread({4, 3}).transpose(0, 1)}; },
       [](const Vars& v) { return max(v[0], 0); }},
  };
}

std::vector<GradCheckCase> view_cases() {
  auto r = [] { return Inputs{random({2, 3, 4}, 1)}; };
  auto t = [] { return Inputs{transposed(3, 4, 2)}; };
  // Each view is followed by a product with a fixed tensor of its own shape so that every
  // element of the view carries a different gradient.
  auto three = [] { return Inputs{random({2, 3}, 1), random({1, 3}, 2), random({3, 3}, 3)}; };
  auto same3 = [] { return Inputs{random({2, 3}, 1), random({2, 3}, 2), random({2, 3}, 3)}; };
  auto mixed = [] { return Inputs{random({2, 3}, 1), transposed(2, 1, 2), random({2, 2}, 3)}; };
  return {
      {"reshape", r, [](const Vars& v) { return reshape(v[0], {4, -1}); }},
      {"reshape, transposed input", t, [](const Vars& v) { return reshape(v[0], {12}); }},
      {"transpose", r, [](const Vars& v) { return transpose(v[0], 0, 2); }},
      {"transpose -1 -2", r, [](const Vars& v) { return transpose(v[0], -1, -2); }},
      {"permute", r, [](const Vars& v) { return permute(v[0], {2, 0, 1}); }},
      {"permute, negative dims", r, [](const Vars& v) { return permute(v[0], {-1, -3, -2}); }},
      {"narrow", r, [](const Vars& v) { return narrow(v[0], 2, 1, 2); }},
      {"narrow -2", r, [](const Vars& v) { return narrow(v[0], -2, 0, 2); }},
      {"squeeze", [] { return Inputs{random({2, 1, 3}, 1)}; },
       [](const Vars& v) { return squeeze(v[0], 1); }},
      {"squeeze -1", [] { return Inputs{random({2, 3, 1}, 1)}; },
       [](const Vars& v) { return squeeze(v[0], -1); }},
      {"unsqueeze", r, [](const Vars& v) { return unsqueeze(v[0], 1); }},
      {"unsqueeze -1", r, [](const Vars& v) { return unsqueeze(v[0], -1); }},
      {"expand [3,1] -> [2,3,4]", [] { return Inputs{random({3, 1}, 1)}; },
       [](const Vars& v) { return expand(v[0], {2, 3, 4}); }},
      {"expand, transposed input", [] { return Inputs{transposed(1, 3, 1)}; },
       [](const Vars& v) { return expand(v[0], {4, 3}); }},
      {"concat dim 0", three, [](const Vars& v) { return concat(v, 0); }},
      {"concat dim -1, one piece transposed", mixed, [](const Vars& v) { return concat(v, -1); }},
      {"stack dim 0", same3, [](const Vars& v) { return stack(v, 0); }},
      {"stack dim 1", same3, [](const Vars& v) { return stack(v, 1); }},
      {"stack dim -1, transposed", [] { return Inputs{transposed(2, 3, 1), random({2, 3}, 2)}; },
       [](const Vars& v) { return stack(v, -1); }},
  };
}

std::vector<GradCheckCase> indexing_cases() {
  auto r = [] { return Inputs{random({4, 3}, 1)}; };
  // Index 2 appears twice: its row must collect both gradients.
  const Tensor rows = values({3}, {2, 0, 2});
  const Tensor grid = values({2, 2}, {3, 0, 1, 3});
  const Tensor columns = values({4, 2}, {0, 2, 1, 1, 2, 0, 2, 2});
  const Tensor mask = values({2, 3}, {1, 0, 0, 0, 1, 1});
  const Tensor row_mask = values({3}, {0, 1, 0});
  return {
      {"index_select dim 0", r, [rows](const Vars& v) { return index_select(v[0], 0, rows); }},
      {"index_select dim 1", r, [rows](const Vars& v) { return index_select(v[0], 1, rows); }},
      {"index_select, 2-d indices", r,
       [grid](const Vars& v) { return index_select(v[0], 0, grid); }},
      {"index_select, transposed input", [] { return Inputs{transposed(4, 3, 2)}; },
       [rows](const Vars& v) { return index_select(v[0], -1, rows); }},
      {"gather dim 1", r, [columns](const Vars& v) { return gather(v[0], 1, columns); }},
      {"gather dim 0", [] { return Inputs{random({3, 4}, 1)}; },
       [](const Vars& v) { return gather(v[0], 0, values({2, 4}, {0, 2, 1, 1, 2, 0, 2, 2})); }},
      {"masked_fill", [] { return Inputs{random({2, 3}, 1)}; },
       [mask](const Vars& v) { return masked_fill(v[0], mask, -5); }},
      {"masked_fill, broadcast mask", [] { return Inputs{transposed(2, 3, 1)}; },
       [row_mask](const Vars& v) { return masked_fill(v[0], row_mask, 0); }},
      {"where", [] { return Inputs{random({2, 3}, 1), random({2, 3}, 2)}; },
       [mask](const Vars& v) { return where(mask, v[0], v[1]); }},
      {"where, broadcast operands", [] { return Inputs{random({3}, 1), random({2, 1}, 2)}; },
       [mask](const Vars& v) { return where(mask, v[0], v[1]); }},
  };
}

std::vector<GradCheckCase> matmul_cases() {
  auto plain = [] { return Inputs{random({3, 4}, 1), random({4, 2}, 2)}; };
  auto strided = [] { return Inputs{transposed(3, 4, 1), narrowed(4, 2, 2)}; };
  auto sliced_left = [] { return Inputs{sliced(3, 4, 1), transposed(4, 2, 2)}; };
  auto shared_weight = [] { return Inputs{random({2, 3, 4}, 1), random({4, 5}, 2)}; };
  auto both_broadcast = [] { return Inputs{random({2, 1, 3, 4}, 1), random({3, 4, 2}, 2)}; };
  auto f = [](const Vars& v) { return matmul(v[0], v[1]); };
  return {
      {"matmul [3,4] @ [4,2]", plain, f},
      {"matmul, transposed @ narrowed", strided, f},
      {"matmul, sliced @ transposed", sliced_left, f},
      {"matmul [2,3,4] @ [4,5]", shared_weight, f},
      {"matmul [2,1,3,4] @ [3,4,2]", both_broadcast, f},
      {"matmul a @ a^T, one input", [] { return Inputs{random({3, 4}, 1)}; },
       [](const Vars& v) { return matmul(v[0], transpose(v[0], 0, 1)); }},
  };
}

std::vector<GradCheckCase> softmax_and_layer_norm_cases() {
  auto r = [] { return Inputs{random({3, 4}, 1)}; };
  auto t = [] { return Inputs{transposed(3, 4, 2)}; };
  auto s = [] { return Inputs{sliced(3, 4, 2)}; };
  auto norm = [] { return Inputs{random({2, 3, 4}, 1), positive({4}, 2), random({4}, 3)}; };
  auto norm_t = [] { return Inputs{transposed(3, 4, 1), random({4}, 2), random({4}, 3)}; };
  auto norm_s = [] { return Inputs{sliced(3, 4, 1), random({4}, 2), random({4}, 3)}; };
  auto ln = [](const Vars& v) { return layer_norm(v[0], v[1], v[2]); };
  return {
      {"softmax dim -1", r, [](const Vars& v) { return softmax(v[0], -1); }},
      {"softmax dim 0", r, [](const Vars& v) { return softmax(v[0], 0); }},
      {"softmax, transposed input", t, [](const Vars& v) { return softmax(v[0], -1); }},
      {"softmax, sliced input", s, [](const Vars& v) { return softmax(v[0], -1); }},
      {"softmax, transposed output", r,
       [](const Vars& v) { return transpose(softmax(v[0], 1), 0, 1); }},
      {"log_softmax dim -1", r, [](const Vars& v) { return log_softmax(v[0], -1); }},
      {"log_softmax dim 0", r, [](const Vars& v) { return log_softmax(v[0], 0); }},
      {"log_softmax, transposed input", t, [](const Vars& v) { return log_softmax(v[0], 1); }},
      {"log_softmax, sliced input", s, [](const Vars& v) { return log_softmax(v[0], 0); }},
      {"log_softmax, transposed output", r,
       [](const Vars& v) { return transpose(log_softmax(v[0], -1), 0, 1); }},
      {"layer_norm", norm, ln},
      {"layer_norm, transposed input", norm_t, ln},
      {"layer_norm, sliced input", norm_s, ln},
      {"layer_norm, transposed output", norm,
       [](const Vars& v) { return transpose(layer_norm(v[0], v[1], v[2]), 0, 2); }},
  };
}

// q [2, 3, 4], k [2, 5, 4], v [2, 5, 3]: two matrices of T = 3 queries and S = 5 keys.
std::vector<GradCheckCase> attention_cases() {
  auto qkv = [] {
    return Inputs{random({2, 3, 4}, 1), random({2, 5, 4}, 2), random({2, 5, 3}, 3)};
  };
  auto strided = [] {  // q and v stored with their last two axes swapped
    return Inputs{random({2, 4, 3}, 1).transpose(1, 2), random({2, 5, 4}, 2),
                  random({2, 3, 5}, 3).transpose(1, 2)};
  };
  auto flash = [](FlashAttentionOptions options) {
    return [options](const Vars& v) { return flash_attention(v[0], v[1], v[2], options); };
  };
  FlashAttentionOptions plain;
  plain.scale = 0.5;
  FlashAttentionOptions padded = plain;  // keys 3 and 4 of matrix 0, key 1 of matrix 1 hidden
  padded.mask = values({2, 1, 5}, {1, 1, 1, 0, 0, 1, 0, 1, 1, 1});
  FlashAttentionOptions causal = plain;  // the queries sit at positions 2, 3, 4 of the 5 keys
  causal.causal = true;
  causal.query_offset = 2;
  FlashAttentionOptions blind = plain;  // query 1 of each matrix sees no key: output 0, constant
  blind.mask = values({3, 5}, {1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
  return {
      {"flash_attention", qkv, flash(plain)},
      {"flash_attention, padding mask", qkv, flash(padded)},
      {"flash_attention, causal with a query offset", qkv, flash(causal)},
      {"flash_attention, a query that sees no key", qkv, flash(blind)},
      {"flash_attention, transposed q and v", strided, flash(causal)},
  };
}

std::vector<GradCheckCase> dropout_embedding_loss_cases() {
  auto r = [] { return Inputs{random({3, 4}, 1)}; };
  auto table = [] { return Inputs{random({5, 3}, 1)}; };
  auto logits = [] { return Inputs{random({4, 5}, 1)}; };
  // Row 1's target is 0: with ignore_index 0 that row is ignored and its logits get no gradient.
  const Tensor targets = values({4}, {2, 0, 4, 1});
  return {
      {"dropout p = 0.5", r, [](const Vars& v) {
         Generator generator(7);  // re-created, so every evaluation draws the same mask
         return dropout(v[0], 0.5, generator);
       }},
      {"dropout p = 0", r, [](const Vars& v) {
         Generator generator(7);
         return dropout(v[0], 0, generator);
       }},
      // Token 1 appears twice and 4 twice: their rows collect two gradients each.
      {"embedding", table,
       [](const Vars& v) { return embedding(v[0], values({2, 3}, {1, 4, 1, 0, 2, 4})); }},
      {"embedding, padding_index not used", table,
       [](const Vars& v) { return embedding(v[0], values({2, 2}, {1, 4, 1, 2}), 0); }},
      // As in a model, padded positions are masked out downstream, so the padding row's true
      // derivative is 0, which is what the op reports.
      {"embedding, padded positions masked out", table, [](const Vars& v) {
         const Tensor tokens = values({2, 2}, {1, 0, 3, 0});  // 0 is padding
         const Tensor keep = values({2, 2, 1}, {1, 0, 1, 0});
         return embedding(v[0], tokens, 0) * Variable(keep);
       }},
      {"cross_entropy", logits, [targets](const Vars& v) { return cross_entropy(v[0], targets); }},
      {"cross_entropy, ignore_index", logits,
       [targets](const Vars& v) { return cross_entropy(v[0], targets, 0); }},
      {"cross_entropy, label smoothing", logits,
       [targets](const Vars& v) { return cross_entropy(v[0], targets, -1, 0.1); }},
      {"cross_entropy, ignore_index and smoothing", [] { return Inputs{transposed(4, 5, 1)}; },
       [targets](const Vars& v) { return cross_entropy(v[0], targets, 0, 0.2); }},
      // No row counts: the loss is 0 whatever the logits, and so is its gradient.
      {"cross_entropy, every row ignored", logits,
       [](const Vars& v) { return cross_entropy(v[0], values({4}, {3, 3, 3, 3}), 3); }},
      {"binary_cross_entropy_with_logits", logits, [](const Vars& v) {
         return binary_cross_entropy_with_logits(v[0], bits(), Tensor());
       }},
      {"binary_cross_entropy_with_logits, masked", logits, [](const Vars& v) {
         return binary_cross_entropy_with_logits(v[0], bits(), counted_half());
       }},
  };
}

// Small sizes: B = 4 rows, T = 4 steps, R = 2. The lengths 4, 2, 0, 3 put padding in three rows,
// one of them all padding (its final state is its initial state).
std::vector<GradCheckCase> recurrent_cases() {
  const std::vector<int64_t> lengths = {4, 2, 0, 3};
  // x_gates, h_gates [B, G*R], b_hh [G*R], the state h or c [B, R]
  auto gru = [] {
    return Inputs{random({3, 6}, 1), random({3, 6}, 2), random({6}, 3), random({3, 2}, 4)};
  };
  auto lstm = [] {
    return Inputs{random({3, 8}, 1), random({3, 8}, 2), random({8}, 3), random({3, 2}, 4)};
  };
  auto strided_gru = [] {
    return Inputs{transposed(3, 6, 1), narrowed(3, 6, 2), random({6}, 3), sliced(3, 2, 4)};
  };
  auto scan_inputs = [](int64_t G, int64_t C) {
    return [G, C] {
      return Inputs{random({4, 4, G * 2}, 1), random({G * 2, 2}, 2), random({G * 2}, 3),
                    random({C, 4, 2}, 4)};
    };
  };
  auto scan = [lengths](CellKind kind, bool reverse) {
    return [kind, lengths, reverse](const Vars& v) {
      return recurrent_scan(kind, v[0], v[1], v[2], v[3], lengths, reverse);
    };
  };
  return {
      {"gru_cell", gru, [](const Vars& v) { return gru_cell(v[0], v[1], v[2], v[3]); }},
      {"gru_cell, strided inputs", strided_gru,
       [](const Vars& v) { return gru_cell(v[0], v[1], v[2], v[3]); }},
      {"lstm_cell", lstm, [](const Vars& v) { return lstm_cell(v[0], v[1], v[2], v[3]); }},
      {"lstm_cell, transposed output", lstm,
       [](const Vars& v) { return transpose(lstm_cell(v[0], v[1], v[2], v[3]), 0, 2); }},
      {"recurrent_scan gru, padded", scan_inputs(3, 1), scan(CellKind::gru, false)},
      {"recurrent_scan gru, padded, reversed", scan_inputs(3, 1), scan(CellKind::gru, true)},
      {"recurrent_scan lstm, padded", scan_inputs(4, 2), scan(CellKind::lstm, false)},
      {"recurrent_scan lstm, padded, reversed", scan_inputs(4, 2), scan(CellKind::lstm, true)},
      {"recurrent_scan gru, no padding, transposed input", [] {
         return Inputs{random({4, 3, 6}, 1).transpose(0, 1), random({6, 2}, 2), random({6}, 3),
                       random({1, 3, 2}, 4)};
       },
       [](const Vars& v) {
         return recurrent_scan(CellKind::gru, v[0], v[1], v[2], v[3], {4, 4, 4}, true);
       }},
  };
}

std::vector<GradCheckCase> image_cases() {
  auto conv_inputs = [](const Shape& x, const Shape& w) {
    return [x, w] { return Inputs{random(x, 1), random(w, 2), random({w[0]}, 3)}; };
  };
  auto conv = [](int64_t stride, int64_t padding) {
    return [stride, padding](const Vars& v) {
      return conv2d(v[0], v[1], v[2], Conv2dOptions{stride, padding});
    };
  };
  // Channels stored last ([B, H, W, C] permuted to [B, C, H, W]): the strided input path.
  auto channels_last = [] {
    return Inputs{random({2, 4, 5, 3}, 1).permute({0, 3, 1, 2}), random({2, 3, 3, 3}, 2),
                  random({2}, 3)};
  };
  auto pool_input = [] { return Inputs{spread({2, 2, 5, 6})}; };
  return {
      {"conv2d 3x3", conv_inputs({2, 2, 5, 5}, {3, 2, 3, 3}), conv(1, 0)},
      {"conv2d 3x3, padding 1", conv_inputs({2, 2, 4, 5}, {3, 2, 3, 3}), conv(1, 1)},
      {"conv2d 3x3, stride 2, padding 1", conv_inputs({1, 3, 6, 5}, {2, 3, 3, 3}), conv(2, 1)},
      {"conv2d 2x3 kernel, stride 3, padding 2", conv_inputs({3, 1, 5, 7}, {2, 1, 2, 3}),
       conv(3, 2)},
      {"conv2d 1x1", conv_inputs({2, 4, 3, 3}, {3, 4, 1, 1}), conv(1, 0)},
      {"conv2d, channels-last input", channels_last, conv(1, 1)},
      {"max_pool2d 2x2", pool_input, [](const Vars& v) { return max_pool2d(v[0]); }},
      {"max_pool2d 3x3, stride 1 (overlapping windows)", pool_input,
       [](const Vars& v) { return max_pool2d(v[0], Pool2dOptions{3, 1}); }},
      {"avg_pool2d 2x2", [] { return Inputs{random({2, 3, 4, 5}, 1)}; },
       [](const Vars& v) { return avg_pool2d(v[0]); }},
      {"avg_pool2d 3x3, stride 2", [] { return Inputs{random({1, 2, 7, 6}, 1)}; },
       [](const Vars& v) { return avg_pool2d(v[0], Pool2dOptions{3, 2}); }},
      {"avg_pool2d, transposed output", [] { return Inputs{random({1, 2, 4, 4}, 1)}; },
       [](const Vars& v) { return transpose(avg_pool2d(v[0]), 1, 3); }},
  };
}

std::vector<GradCheckCase> all_cases() {
  std::vector<GradCheckCase> cases;
  for (auto group : {unary_cases, binary_cases, reduction_cases, view_cases, indexing_cases,
                     matmul_cases, softmax_and_layer_norm_cases, attention_cases,
                     dropout_embedding_loss_cases, recurrent_cases, image_cases})
    for (GradCheckCase& row : group()) cases.push_back(std::move(row));
  return cases;
}

void check_row(const GradCheckCase& row) {
  const GradCheckResult result = gradcheck(row.f, row.inputs());
  CHECK_MESSAGE(result.passed, row.name, ": max error ", result.max_abs_error, "\n",
                result.report);
}

}  // namespace

TEST_CASE("gradcheck: every op's backward matches finite differences") {
  // CHECK_NOTHROW reports a row that throws and lets the remaining rows run.
  for (const GradCheckCase& row : all_cases())
    SUBCASE(row.name.c_str()) { CHECK_NOTHROW(check_row(row)); }
}
