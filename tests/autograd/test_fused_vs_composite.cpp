// Every fused op against its plain twin written in primitive Variable ops: same values, same
// gradients. The fused version is the one that runs; the composite is the one you can read
// and trust, since each of its primitives passes the finite-difference table.
// Adding a fused op adds a row.
#include <doctest/doctest.h>

#include <functional>
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
