// Every fused op against its plain twin written in primitive Variable ops: same values, same
// gradients. The fused version is the one that runs; the composite is the one you can read
// and trust, since each of its primitives passes the finite-difference table.
// Adding a fused op adds a row.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <string>

#include "autograd/ops.h"
#include "tensor/elementwise.h"
#include "tensor/random.h"

using namespace attn;

namespace {

using Vars = std::vector<Variable>;
using Function = std::function<Variable(const Vars&)>;

struct FusedCase {
  std::string name;
  std::vector<Tensor> inputs;
  Function fused;
  Function composite;
};

Tensor random(const Shape& shape, uint64_t seed, real scale = 1) {
  Generator generator(seed);
  return uniform(shape, -scale, scale, generator);
}

// ---- the composite twins ------------------------------------------------------------------------

// softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m), m = max_j x_j
Variable softmax_composite(const Variable& x, int dim) {
  Variable e = exp(x - max(x, dim, /*keepdim=*/true));
  return e / sum(e, dim, /*keepdim=*/true);
}

// log_softmax(x)_i = x_i - log sum_j exp(x_j)
Variable log_softmax_composite(const Variable& x, int dim) {
  return x - log(sum(exp(x), dim, /*keepdim=*/true));
}

// y = gamma (x - mu) / sqrt(var + eps) + beta, mu and (biased) var over the last dimension
Variable layer_norm_composite(const Variable& x, const Variable& gamma, const Variable& beta,
                              real eps) {
  Variable centred = x - mean(x, -1, /*keepdim=*/true);
  Variable var = mean(centred * centred, -1, /*keepdim=*/true);
  return gamma * centred / sqrt(var + eps) + beta;
}

// loss = -(1 / count) sum over counted rows n of sum_j q_nj log_softmax(z)_nj, where
// q_nt = 1 - e + e/V for the target t, e/V elsewhere, and q_n = 0 on ignored rows.
Variable cross_entropy_composite(const Variable& logits, const Tensor& targets,
                                 int64_t ignore_index, real smoothing) {
  const int64_t rows = logits.size(0), classes = logits.size(1);
  Tensor q = Tensor::zeros({rows, classes});
  int64_t count = 0;
  for (int64_t n = 0; n < rows; ++n) {
    const auto target = static_cast<int64_t>(targets.at({n}));
    if (target == ignore_index) continue;
    ++count;
    for (int64_t j = 0; j < classes; ++j)
      q.at({n, j}) = smoothing / classes + (j == target ? 1 - smoothing : 0);
  }
  return -sum(Variable(q) * log_softmax_composite(logits, -1)) / static_cast<real>(count);
}

// loss = (1 / count) sum over counted elements of -(y log p + (1 - y) log(1 - p)), p = sigmoid(z):
// the textbook form the fused op rewrites (exact here, where |z| is small).
Variable binary_cross_entropy_composite(const Variable& logits, const Tensor& targets,
                                        const Tensor& mask) {
  const Variable p = sigmoid(logits);
  const Variable y(targets);
  const Variable per_bit = neg(y * log(p) + (1 - y) * log(1 - p));
  return sum(per_bit * Variable(mask)) / sum(Variable(mask)).value().item();
}

// softmax(scale q k^T, hidden keys -inf) v, every [..., T, S] tensor stored: the plain attention
// path that flash_attention tiles. `allowed` is 1 where a query may see a key.
Variable attention_composite(const Variable& q, const Variable& k, const Variable& v,
                             const Tensor& allowed, real scale) {
  Variable scores = matmul(q, transpose(k, -1, -2)) * scale;  // [..., T, S]
  const real minus_inf = -std::numeric_limits<real>::infinity();
  scores = masked_fill(scores, eq(allowed, Tensor::scalar(0)), minus_inf);
  return matmul(softmax(scores, -1), v);  // [..., T, Ev]
}

// Gate g of a [..., G*R] tensor: columns g*R .. (g+1)*R - 1.
Variable gate(const Variable& gates, int64_t g, int64_t R) { return narrow(gates, -1, g * R, R); }

// GRU (PyTorch's gate order r, z, n): with hb = h_gates + b_hh,
// r = sigmoid(x_r + hb_r), z = sigmoid(x_z + hb_z), n = tanh(x_n + r hb_n), h' = (1 - z) n + z h
Variable gru_cell_composite(const Variable& x_gates, const Variable& h_gates,
                            const Variable& bias_hh, const Variable& h) {
  const int64_t R = h.size(-1);
  const Variable hb = h_gates + bias_hh;
  const Variable r = sigmoid(gate(x_gates, 0, R) + gate(hb, 0, R));
  const Variable z = sigmoid(gate(x_gates, 1, R) + gate(hb, 1, R));
  const Variable n = tanh(gate(x_gates, 2, R) + r * gate(hb, 2, R));
  return (1 - z) * n + z * h;
}

// LSTM (gate order i, f, g, o): a = x_gates + h_gates + b_hh, c' = f c + i g, h' = o tanh(c'),
// stacked as (h', c').
Variable lstm_cell_composite(const Variable& x_gates, const Variable& h_gates,
                             const Variable& bias_hh, const Variable& c) {
  const int64_t R = c.size(-1);
  const Variable a = x_gates + h_gates + bias_hh;
  const Variable c_next = sigmoid(gate(a, 1, R)) * c + sigmoid(gate(a, 0, R)) * tanh(gate(a, 2, R));
  const Variable h_next = sigmoid(gate(a, 3, R)) * tanh(c_next);
  return stack({h_next, c_next}, 0);
}

// The scan as a loop of composite cells. Step s reads row b's gates at time t = s (or
// len_b - 1 - s reversed) by index_select, and a padded row keeps its state through where();
// y is then gathered from the states: position (b, t) from the step that read it, padding from
// a zero row, position T from the final state.
Variable recurrent_scan_composite(CellKind kind, const Variable& x_gates, const Variable& weight_hh,
                                  const Variable& bias_hh, const Variable& initial,
                                  const std::vector<int64_t>& lengths, bool reverse) {
  const int64_t B = x_gates.size(0), T = x_gates.size(1), GR = x_gates.size(2);
  const int64_t R = weight_hh.size(1), C = initial.size(0);
  int64_t S = 0;
  for (int64_t length : lengths) S = std::max(S, length);
  const auto time = [&](int64_t b, int64_t s) { return reverse ? lengths[b] - 1 - s : s; };
  const Variable rows = reshape(x_gates, {B * T, GR});  // [B*T, GR]
  std::vector<Variable> state = {squeeze(narrow(initial, 0, 0, 1), 0)};  // h (and c) [B, R]
  if (C == 2) state.push_back(squeeze(narrow(initial, 0, 1, 1), 0));
  std::vector<std::vector<Variable>> history(C);  // state after each step, [B, R]
  for (int64_t s = 0; s < S; ++s) {
    std::vector<real> index(B), real_step(B);
    for (int64_t b = 0; b < B; ++b) {
      real_step[b] = s < lengths[b] ? 1 : 0;
      index[b] = static_cast<real>(b * T + (s < lengths[b] ? time(b, s) : 0));
    }
    const Variable x_s = index_select(rows, 0, Tensor::from_vector({B}, index));  // [B, GR]
    const Variable h_gates = matmul(state[0], transpose(weight_hh, 0, 1));       // [B, GR]
    std::vector<Variable> next;
    if (kind == CellKind::gru) {
      next = {gru_cell_composite(x_s, h_gates, bias_hh, state[0])};
    } else {
      const Variable both = lstm_cell_composite(x_s, h_gates, bias_hh, state[1]);
      next = {squeeze(narrow(both, 0, 0, 1), 0), squeeze(narrow(both, 0, 1, 1), 0)};
    }
    const Tensor keep = Tensor::from_vector({B, 1}, real_step);
    for (int64_t c = 0; c < C; ++c) {
      state[c] = where(keep, next[c], state[c]);
      history[c].push_back(state[c]);
    }
  }
  std::vector<real> index;  // into [S*B history rows | B final rows | 1 zero row]
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t <= T; ++t) {
      const int64_t step = t < lengths[b] ? (reverse ? lengths[b] - 1 - t : t) : -1;
      index.push_back(static_cast<real>(t == T ? S * B + b : step >= 0 ? step * B + b : S * B + B));
    }
  const Tensor positions = Tensor::from_vector({B * (T + 1)}, index);
  std::vector<Variable> parts;
  for (int64_t c = 0; c < C; ++c) {
    const Variable source = concat({reshape(stack(history[c], 0), {S * B, R}), state[c],
                                    Variable(Tensor::zeros({1, R}))}, 0);
    parts.push_back(reshape(index_select(source, 0, positions), {B, T + 1, R}));
  }
  return stack(parts, 0);  // [C, B, T+1, R]
}

// ---- the table ----------------------------------------------------------------------------------

std::vector<FusedCase> fused_cases() {
  const Tensor targets = Tensor::from_vector({4}, {2, 0, 4, 1});
  auto cross_entropy_row = [targets](std::string name, int64_t ignore, real smoothing) {
    return FusedCase{
        std::move(name),
        {random({4, 5}, 1, 3)},
        [=](const Vars& v) { return cross_entropy(v[0], targets, ignore, smoothing); },
        [=](const Vars& v) { return cross_entropy_composite(v[0], targets, ignore, smoothing); }};
  };
  const Tensor bits = Tensor::from_vector(
      {4, 5}, {1, 0, 0, 1, 1, 0, 1, 0.5, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1});
  const Tensor mask = Tensor::from_vector(
      {4, 5}, {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1});
  // B = 4 rows of T = 5 steps, R = 3, padded to lengths 5, 2, 0, 4.
  auto scan_row = [](std::string name, CellKind kind, bool reverse) {
    const int64_t GR = gate_count(kind) * 3, C = state_count(kind);
    const std::vector<int64_t> lengths = {5, 2, 0, 4};
    return FusedCase{
        std::move(name),
        {random({4, 5, GR}, 16, 2), random({GR, 3}, 17), random({GR}, 18), random({C, 4, 3}, 19)},
        [=](const Vars& v) { return recurrent_scan(kind, v[0], v[1], v[2], v[3], lengths, reverse); },
        [=](const Vars& v) {
          return recurrent_scan_composite(kind, v[0], v[1], v[2], v[3], lengths, reverse);
        }};
  };
  // q [2, 2, 6, 4], k [2, 2, 7, 4], v [2, 2, 7, 5]; causally the queries sit at positions 1..6.
  auto attention_row = [](std::string name, const Tensor& mask, bool causal) {
    FlashAttentionOptions options;
    options.scale = 0.5;
    options.mask = mask;
    options.causal = causal;
    options.query_offset = 1;
    Tensor allowed = Tensor::ones({2, 2, 6, 7});
    if (mask.defined()) allowed = allowed * mask;
    if (causal)
      allowed = allowed * le(Tensor::arange(7).view({1, 7}), Tensor::arange(6).view({6, 1}) + 1);
    return FusedCase{
        std::move(name),
        {random({2, 2, 6, 4}, 21, 2), random({2, 2, 7, 4}, 22, 2), random({2, 2, 7, 5}, 23)},
        [=](const Vars& v) { return flash_attention(v[0], v[1], v[2], options); },
        [=](const Vars& v) { return attention_composite(v[0], v[1], v[2], allowed, 0.5); }};
  };
  const Tensor padding =
      Tensor::from_vector({2, 1, 1, 7}, {1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0});
  return {
      {"softmax dim -1", {random({3, 5}, 1, 4)},
       [](const Vars& v) { return softmax(v[0], -1); },
       [](const Vars& v) { return softmax_composite(v[0], -1); }},
      {"softmax dim 0", {random({3, 5}, 2, 4)},
       [](const Vars& v) { return softmax(v[0], 0); },
       [](const Vars& v) { return softmax_composite(v[0], 0); }},
      {"log_softmax dim -1", {random({3, 5}, 3, 4)},
       [](const Vars& v) { return log_softmax(v[0], -1); },
       [](const Vars& v) { return log_softmax_composite(v[0], -1); }},
      {"log_softmax dim 0", {random({2, 3, 5}, 4, 4)},
       [](const Vars& v) { return log_softmax(v[0], 0); },
       [](const Vars& v) { return log_softmax_composite(v[0], 0); }},
      {"layer_norm", {random({2, 3, 6}, 5, 2), random({6}, 6), random({6}, 7)},
       [](const Vars& v) { return layer_norm(v[0], v[1], v[2], 1e-5); },
       [](const Vars& v) { return layer_norm_composite(v[0], v[1], v[2], 1e-5); }},
      cross_entropy_row("cross_entropy", -1, 0),
      cross_entropy_row("cross_entropy, ignore_index", 0, 0),
      cross_entropy_row("cross_entropy, label smoothing", -1, 0.1),
      cross_entropy_row("cross_entropy, ignore_index and smoothing", 0, 0.25),
      {"binary_cross_entropy_with_logits", {random({4, 5}, 20, 3)},
       [=](const Vars& v) { return binary_cross_entropy_with_logits(v[0], bits, mask); },
       [=](const Vars& v) { return binary_cross_entropy_composite(v[0], bits, mask); }},
      {"gru_cell", {random({3, 12}, 8, 2), random({3, 12}, 9, 2), random({12}, 10), random({3, 4}, 11)},
       [](const Vars& v) { return gru_cell(v[0], v[1], v[2], v[3]); },
       [](const Vars& v) { return gru_cell_composite(v[0], v[1], v[2], v[3]); }},
      {"lstm_cell", {random({3, 16}, 12, 2), random({3, 16}, 13, 2), random({16}, 14), random({3, 4}, 15)},
       [](const Vars& v) { return lstm_cell(v[0], v[1], v[2], v[3]); },
       [](const Vars& v) { return lstm_cell_composite(v[0], v[1], v[2], v[3]); }},
      scan_row("recurrent_scan gru", CellKind::gru, false),
      scan_row("recurrent_scan gru, reversed", CellKind::gru, true),
      scan_row("recurrent_scan lstm", CellKind::lstm, false),
      scan_row("recurrent_scan lstm, reversed", CellKind::lstm, true),
      attention_row("flash_attention", Tensor(), false),
      attention_row("flash_attention, padding mask", padding, false),
      attention_row("flash_attention, causal with a query offset", Tensor(), true),
      attention_row("flash_attention, causal and padding", padding, true),
  };
}

struct ValueAndGradients {
  Tensor value;
  std::vector<Tensor> grads;
};

// f's output, and the gradients of sum(f * w) with respect to each input.
ValueAndGradients evaluate(const Function& f, const std::vector<Tensor>& inputs) {
  std::vector<Variable> leaves;
  for (const Tensor& input : inputs) leaves.emplace_back(input, true);
  const Variable y = f(leaves);
  Generator generator(99);
  sum(y * Variable(normal(y.shape(), 0, 1, generator))).backward();
  ValueAndGradients out{y.value(), {}};
  for (const Variable& leaf : leaves) out.grads.push_back(leaf.grad());
  return out;
}

// Two orders of summation differ by a few units in the last place of the larger terms.
void check_row(const FusedCase& row) {
  const real rtol = sizeof(real) == sizeof(double) ? 1e-10 : 1e-4;
  const real atol = sizeof(real) == sizeof(double) ? 1e-10 : 1e-5;
  const ValueAndGradients fused = evaluate(row.fused, row.inputs);
  const ValueAndGradients composite = evaluate(row.composite, row.inputs);
  CHECK_MESSAGE(allclose(fused.value, composite.value, rtol, atol), row.name,
                " values\nfused     ", fused.value, "\ncomposite ", composite.value);
  for (size_t i = 0; i < row.inputs.size(); ++i)
    CHECK_MESSAGE(allclose(fused.grads[i], composite.grads[i], rtol, atol), row.name,
                  " gradient of input ", i, "\nfused     ", fused.grads[i], "\ncomposite ",
                  composite.grads[i]);
}

}  // namespace

TEST_CASE("fused ops match their composite twins in value and gradient") {
  // CHECK_NOTHROW reports a row that throws and lets the remaining rows run.
  for (const FusedCase& row : fused_cases())
    SUBCASE(row.name.c_str()) { CHECK_NOTHROW(check_row(row)); }
}
