// The basic layers (nn/): Linear, Embedding, LayerNorm, activations, FeedForward, Dropout and the
// positional encodings. Each is gradient-checked by finite differences through its own forward,
// with respect to its input and all its parameters, and checked against values worked by hand.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "nn/layers/activation.h"
#include "nn/layers/dropout.h"
#include "nn/layers/embedding.h"
#include "nn/layers/feed_forward.h"
#include "nn/layers/layer_norm.h"
#include "nn/layers/linear.h"
#include "nn/layers/positional_encoding.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

using Values = std::vector<real>;

// Finite-difference check of a one-input module with respect to its input x and every one of
// its parameters (tests/nn/module_gradcheck.h).
GradCheckResult gradcheck_module(Module& module, const Tensor& x,
                                 const std::function<Variable(const Variable&)>& forward) {
  const auto f = [&](const std::vector<Variable>& inputs) { return forward(inputs[0]); };
  return gradcheck_with_parameters(module, f, {x});
}

Tensor random_tensor(const Shape& shape, uint64_t seed) {
  Generator generator(seed);
  return normal(shape, 0, 1, generator);
}

real min_abs(const Tensor& t) {
  real smallest = INFINITY;
  for (real v : t.to_vector()) smallest = std::min(smallest, std::abs(v));
  return smallest;
}

}  // namespace

// ---- Linear -------------------------------------------------------------------------------------

TEST_CASE("Linear: y = x W^T + b on a hand example") {
  Generator generator(1);
  Linear linear(2, 3, generator);
  linear.weight.mutable_value().copy_from(Tensor::from_vector({3, 2}, {1, 2, 3, 4, 5, 6}));
  linear.bias.mutable_value().copy_from(Tensor::from_vector({3}, {0.5, -1, 0}));
  const Variable x(Tensor::from_vector({2, 2}, {1, -1, 2, 0.5}));
  const Variable y = linear.forward(x);
  CHECK(y.shape() == Shape{2, 3});
  // row 0: [1-2, 3-4, 5-6] + b = [-0.5, -2, -1];  row 1: [2+1, 6+2, 10+3] + b = [3.5, 7, 13]
  CHECK(y.value().to_vector() == Values{-0.5, -2, -1, 3.5, 7, 13});
}

TEST_CASE("Linear: starts in U(-1/sqrt(in), 1/sqrt(in)) and registers weight and bias") {
  Generator generator(2);
  const Linear linear(16, 8, generator);
  CHECK(linear.weight.shape() == Shape{8, 16});
  CHECK(linear.bias.shape() == Shape{8});
  for (const Variable& parameter : linear.parameters())
    for (real v : parameter.value().to_vector()) CHECK(std::abs(v) <= real(0.25));  // 1/sqrt(16)
  CHECK(linear.named_parameters()[0].first == "weight");
  CHECK(linear.named_parameters()[1].first == "bias");

  const Linear no_bias(16, 8, generator, false);
  CHECK_FALSE(no_bias.bias.defined());
  CHECK(no_bias.parameter_count() == 8 * 16);
}

TEST_CASE("Linear: gradient matches finite differences for input, weight and bias") {
  Generator generator(3);
  Linear linear(4, 3, generator);
  const Tensor x = random_tensor({2, 3, 4}, 4);  // [B, T, in]: the weight is shared over B and T
  const GradCheckResult result =
      gradcheck_module(linear, x, [&](const Variable& v) { return linear.forward(v); });
  CHECK_MESSAGE(result.passed, result.report);
}

TEST_CASE("Linear: without bias, gradient matches finite differences on a strided input") {
  Generator generator(5);
  Linear linear(4, 3, generator, false);
  const Tensor x = random_tensor({4, 3, 2}, 6).transpose(0, 2);  // [2, 3, 4], not contiguous
  const GradCheckResult result =
      gradcheck_module(linear, x, [&](const Variable& v) { return linear.forward(v); });
  CHECK_MESSAGE(result.passed, result.report);
}

// ---- Embedding ----------------------------------------------------------------------------------

TEST_CASE("Embedding: looks up rows; the padding row is zero and receives no gradient") {
  Generator generator(7);
  Embedding embedding(5, 3, generator, 0);
  CHECK(embedding.weight.shape() == Shape{5, 3});
  CHECK(embedding.weight.value().narrow(0, 0, 1).to_vector() == Values{0, 0, 0});

  const Tensor tokens = Tensor::from_vector({2, 3}, {1, 0, 1, 4, 2, 0});
  const Variable y = embedding.forward(tokens);
  CHECK(y.shape() == Shape{2, 3, 3});
  const auto vector_at = [&](int64_t b, int64_t t) {  // y[b, t, :]
    return y.value().narrow(0, b, 1).narrow(1, t, 1).to_vector();
  };
  CHECK(vector_at(0, 0) == embedding.weight.value().narrow(0, 1, 1).to_vector());  // token 1
  CHECK(vector_at(0, 1) == Values{0, 0, 0});                                       // padding

  sum(y).backward();
  // d sum(y) / dW[v, :] = number of times v occurs, except the padding row: 0.
  CHECK(embedding.weight.grad().to_vector() == Values{0, 0, 0,   // 0: padding, occurs twice
                                                      2, 2, 2,   // 1: occurs twice
                                                      1, 1, 1,   // 2
                                                      0, 0, 0,   // 3: absent
                                                      1, 1, 1}); // 4
}

TEST_CASE("Embedding: gradient matches finite differences for the table") {
  Generator generator(8);
  Embedding embedding(6, 4, generator, 5);  // the padding row, unused here, must stay at 0
  const Tensor tokens = Tensor::from_vector({2, 3}, {1, 3, 1, 0, 4, 2});  // 1 repeats
  const GradCheckResult result = gradcheck_with_parameters(
      embedding, [&](const std::vector<Variable>&) { return embedding.forward(tokens); }, {});
  CHECK_MESSAGE(result.passed, result.report);
}

TEST_CASE("Embedding: starts N(0, 1) and rejects a padding index outside the vocabulary") {
  Generator generator(9);
  const Embedding embedding(100, 100, generator);
  const Values w = embedding.weight.value().to_vector();
  double mean = 0, variance = 0;
  for (real v : w) mean += v / double(w.size());
  for (real v : w) variance += (v - mean) * (v - mean) / double(w.size());
  CHECK(std::abs(mean) < 0.05);  // 10,000 draws: standard error 0.01
  CHECK(std::abs(variance - 1) < 0.05);
  CHECK_THROWS_WITH_AS(Embedding(4, 2, generator, 4),
                       "Embedding: padding_index must be -1 (none) or in 0..3, got 4", Error);
}

// ---- LayerNorm ----------------------------------------------------------------------------------

TEST_CASE("LayerNorm: normalises [1, 2, 3, 4] by hand, with the paper's biased variance") {
  LayerNorm norm(4);
  CHECK(norm.weight.value().to_vector() == Values{1, 1, 1, 1});
  CHECK(norm.bias.value().to_vector() == Values{0, 0, 0, 0});
  // mu = 2.5, var = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25 (not / 3),
  // y = (x - mu) / sqrt(1.25 + eps)
  const Variable x(Tensor::from_vector({1, 4}, {1, 2, 3, 4}));
  const double rstd = 1 / std::sqrt(1.25 + 1e-5);
  const std::vector<double> expected{-1.5 * rstd, -0.5 * rstd, 0.5 * rstd, 1.5 * rstd};
  Values y = norm.forward(x).value().to_vector();
  for (int i = 0; i < 4; ++i) CHECK(y[i] == doctest::Approx(expected[i]));
  CHECK(y[0] == doctest::Approx(-1.341635).epsilon(1e-5));  // -1.5 / 1.118034

  norm.weight.mutable_value().fill(2);  // y = 2 xhat + 1
  norm.bias.mutable_value().fill(1);
  y = norm.forward(x).value().to_vector();
  for (int i = 0; i < 4; ++i) CHECK(y[i] == doctest::Approx(2 * expected[i] + 1));
}

TEST_CASE("LayerNorm: gradient matches finite differences for input, gamma and beta") {
  LayerNorm norm(5);
  norm.weight.mutable_value().copy_from(random_tensor({5}, 10));  // not the trivial 1 and 0
  norm.bias.mutable_value().copy_from(random_tensor({5}, 11));
  const Tensor x = random_tensor({2, 3, 5}, 12);
  const GradCheckResult result =
      gradcheck_module(norm, x, [&](const Variable& v) { return norm.forward(v); });
  CHECK_MESSAGE(result.passed, result.report);
}

TEST_CASE("LayerNorm: the input must end in the normalised size") {
  const LayerNorm norm(4);
  CHECK_THROWS_WITH_AS(norm.forward(Variable(Tensor::zeros({2, 3}))),
                       "LayerNorm: input [2,3] must end in the normalised size 4", Error);
}

// ---- activations --------------------------------------------------------------------------------

TEST_CASE("Activation: names round-trip, and an unknown name lists the known ones") {
  for (Activation a : {Activation::relu, Activation::gelu})
    CHECK(activation_from_name(to_string(a)) == a);
  CHECK_THROWS_WITH_AS(activation_from_name("swish"),
                       "activation: unknown name 'swish'; known: relu, gelu", Error);
}

TEST_CASE("Activation: relu and gelu on known values") {
  const Variable x(Tensor::from_vector({3}, {-1, 0, 1}));
  CHECK(activate(x, Activation::relu).value().to_vector() == Values{0, 0, 1});
  // gelu(x) = x Phi(x): Phi(1) = 0.8413447, Phi(-1) = 0.1586553
  const Values y = activate(x, Activation::gelu).value().to_vector();
  CHECK(y[0] == doctest::Approx(-0.1586553));
  CHECK(y[1] == 0);
  CHECK(y[2] == doctest::Approx(0.8413447));
}

// ---- FeedForward --------------------------------------------------------------------------------

TEST_CASE("FeedForward: children linear1, dropout, linear2 with the paper's shapes") {
  Generator generator(13);
  const FeedForward ffn(4, 16, generator);
  const auto named = ffn.named_parameters();
  REQUIRE(named.size() == 4);
  CHECK(named[0].first == "linear1.weight");
  CHECK(named[0].second.shape() == Shape{16, 4});  // W1 [F, D]
  CHECK(named[1].first == "linear1.bias");
  CHECK(named[2].first == "linear2.weight");
  CHECK(named[2].second.shape() == Shape{4, 16});  // W2 [D, F]
  CHECK(named[3].first == "linear2.bias");
  CHECK(ffn.dropout.p() == doctest::Approx(0.1));
  CHECK(ffn.activation() == Activation::relu);
}

TEST_CASE("FeedForward: gradient matches finite differences, relu and gelu") {
  for (Activation activation : {Activation::relu, Activation::gelu}) {
    CAPTURE(to_string(activation));
    Generator generator(14);
    FeedForward ffn(4, 6, generator, 0, activation);
    const Tensor x = random_tensor({2, 3, 4}, 15);
    // Hidden units alternate on and off by a bias of +-2, so no pre-activation sits within a
    // finite-difference step of relu's kink at 0, where the derivative jumps.
    for (int64_t f = 0; f < 6; ++f) ffn.linear1.bias.mutable_value().at({f}) += f % 2 ? -2 : 2;
    REQUIRE(min_abs(ffn.linear1.forward(Variable(x)).value()) > 0.1);
    const GradCheckResult result =
        gradcheck_module(ffn, x, [&](const Variable& v) { return ffn.forward(v); });
    CHECK_MESSAGE(result.passed, result.report);
  }
}

TEST_CASE("FeedForward: [B, T, D] -> [B, T, D], dropout only in training") {
  Generator generator(16);
  FeedForward ffn(4, 32, generator, 0.5);
  const Variable x(random_tensor({2, 3, 4}, 17));
  CHECK(ffn.forward(x).shape() == Shape{2, 3, 4});
  CHECK(ffn.forward(x).value().to_vector() != ffn.forward(x).value().to_vector());  // new masks
  ffn.eval();
  CHECK_FALSE(ffn.dropout.is_training());
  CHECK(ffn.forward(x).value().to_vector() == ffn.forward(x).value().to_vector());
}

// ---- Dropout ------------------------------------------------------------------------------------

TEST_CASE("Dropout: the identity in eval mode, and with p = 0 in training") {
  Generator generator(18);
  Dropout dropout(0.5, generator);
  const Variable x(random_tensor({3, 4}, 19));
  dropout.eval();
  CHECK(dropout.forward(x).same_as(x));
  Dropout none(0, generator);
  CHECK(none.is_training());
  CHECK(none.forward(x).same_as(x));
}

TEST_CASE("Dropout: training zeroes a fraction p and scales the rest, keeping E[y] = x") {
  Generator generator(20);
  const real p = 0.25;
  const Dropout dropout(p, generator);
  const int64_t n = 100000;
  const Values y = dropout.forward(Variable(Tensor::ones({n}))).value().to_vector();
  double zeros = 0, total = 0;
  for (real v : y) {
    if (v == 0) ++zeros;
    else CHECK(v == doctest::Approx(1 / (1 - p)));  // kept: 1 / 0.75 = 1.3333
    total += v;
  }
  // Over 100,000 elements the standard errors are ~0.0014 (fraction) and ~0.0018 (mean).
  CHECK(zeros / n == doctest::Approx(p).epsilon(0.04));
  CHECK(total / n == doctest::Approx(1).epsilon(0.01));
}

TEST_CASE("Dropout: gradient matches finite differences in training, for a fixed mask") {
  Generator generator(0);
  const Dropout dropout(0.3, generator);
  const auto f = [&](const std::vector<Variable>& x) {
    generator = Generator(22);  // re-seeded, so every evaluation draws the same mask
    return dropout.forward(x[0]);
  };
  const GradCheckResult result = gradcheck(f, {random_tensor({4, 5}, 21)});
  CHECK_MESSAGE(result.passed, result.report);
}

TEST_CASE("Dropout: p must lie in 0 <= p < 1") {
  Generator generator(23);
  CHECK_THROWS_AS(Dropout(1, generator), Error);
  CHECK_THROWS_AS(Dropout(-0.1, generator), Error);
}

// ---- positional encodings -----------------------------------------------------------------------

TEST_CASE("SinusoidalPositionalEncoding: known values at positions 0 and 1") {
  const SinusoidalPositionalEncoding encoding(4, 10);
  // D = 4: features (0, 1) turn at rate 1, features (2, 3) at 1 / 10000^(2/4) = 1/100.
  const Values table = encoding.table().narrow(0, 0, 2).to_vector();
  const std::vector<double> expected{0, 1, 0, 1,  // pos 0: sin 0, cos 0, sin 0, cos 0
                                     std::sin(1.0), std::cos(1.0), std::sin(0.01), std::cos(0.01)};
  for (size_t i = 0; i < expected.size(); ++i) CHECK(table[i] == doctest::Approx(expected[i]));
}

TEST_CASE("SinusoidalPositionalEncoding: adds the table's rows offset.. to every batch row") {
  const SinusoidalPositionalEncoding encoding(4, 10);
  const Variable x(Tensor::ones({2, 3, 4}));
  const Tensor y = encoding.forward(x, 5).value();  // [2, 3, 4]
  CHECK(y.shape() == Shape{2, 3, 4});
  const Tensor rows = encoding.table().narrow(0, 5, 3);  // positions 5, 6, 7
  for (int64_t b = 0; b < 2; ++b)
    CHECK(y.narrow(0, b, 1).to_vector() == (rows + real(1)).to_vector());
}

TEST_CASE("SinusoidalPositionalEncoding: a fixed table, not a parameter") {
  const SinusoidalPositionalEncoding encoding(8, 16);
  CHECK(encoding.parameter_count() == 0);
  CHECK(encoding.state_dict().empty());
  CHECK(encoding.table().shape() == Shape{16, 8});
}

TEST_CASE("SinusoidalPositionalEncoding: gradient matches finite differences for the input") {
  const SinusoidalPositionalEncoding encoding(6, 8);
  const auto f = [&](const std::vector<Variable>& x) { return encoding.forward(x[0], 4); };
  const GradCheckResult result = gradcheck(f, {random_tensor({2, 3, 6}, 24)});
  CHECK_MESSAGE(result.passed, result.report);
}

TEST_CASE("SinusoidalPositionalEncoding: positions past max_length are an error") {
  const SinusoidalPositionalEncoding encoding(4, 8);
  const Variable x(Tensor::zeros({1, 3, 4}));
  CHECK_NOTHROW(encoding.forward(x, 5));  // positions 5..7: the last three
  CHECK_THROWS_WITH_AS(encoding.forward(x, 6),
                       "PositionalEncoding: positions 6..8 run past the table's 0..7; build "
                       "the encoding with a larger max_length",
                       Error);
}

TEST_CASE("LearnedPositionalEncoding: gradient matches finite differences, input and table") {
  Generator generator(25);
  LearnedPositionalEncoding encoding(7, 4, generator);
  CHECK(encoding.named_parameters()[0].first == "weight");
  CHECK(encoding.weight.shape() == Shape{7, 4});
  const Tensor x = random_tensor({2, 3, 4}, 26);
  // Offset 2: rows 2..4 get the gradient summed over the batch; rows 0, 1, 5, 6 get zero.
  const GradCheckResult result =
      gradcheck_module(encoding, x, [&](const Variable& v) { return encoding.forward(v, 2); });
  CHECK_MESSAGE(result.passed, result.report);
}

TEST_CASE("make_positional_encoding: builds the kind it is asked for") {
  Generator generator(27);
  const auto sinusoidal = make_positional_encoding(PositionalEncodingKind::sinusoidal, 4, 8,
                                                   generator);
  const auto learned = make_positional_encoding(PositionalEncodingKind::learned, 4, 8, generator);
  CHECK(dynamic_cast<const SinusoidalPositionalEncoding*>(sinusoidal.get()) != nullptr);
  CHECK(dynamic_cast<const LearnedPositionalEncoding*>(learned.get()) != nullptr);
  CHECK(learned->parameter_count() == 8 * 4);
  CHECK(sinusoidal->max_length() == 8);
  CHECK(learned->d_model() == 4);
}
