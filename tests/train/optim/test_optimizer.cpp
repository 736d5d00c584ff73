// Optimisers (train/optim/optimizer.h): Adam, AdamW and SGD against updates worked out by hand,
// gradient-norm clipping, parameters without gradients, checkpointable Adam state, and Adam
// minimising a quadratic through the autograd engine.
#include <doctest/doctest.h>

#include <cmath>
#include <type_traits>
#include <vector>

#include "autograd/ops.h"
#include "nn/module.h"
#include "tensor/error.h"
#include "train/optim/adam.h"
#include "train/optim/sgd.h"

using namespace attn;

namespace {

// Relative tolerances: float keeps ~7 significant digits, double ~16; numbers worked out by hand
// in the comments are written to 10 digits.
constexpr double kTolerance = std::is_same_v<real, float> ? 2e-6 : 1e-12;
constexpr double kHandTolerance = std::is_same_v<real, float> ? 2e-6 : 1e-9;

Variable parameter(const std::vector<real>& values) {
  return Variable(Tensor::from_vector({static_cast<int64_t>(values.size())}, values), true);
}

// Gives p exactly the gradient g: L = sum(p * g) has dL/dp = g.
void set_gradient(Variable& p, const std::vector<real>& g) {
  p.zero_grad();
  sum(p * Variable(Tensor::from_vector(p.shape(), g))).backward();
}

void check_values(const Tensor& actual, const std::vector<double>& expected,
                  double tolerance = kTolerance) {
  const std::vector<real> values = actual.to_vector();
  REQUIRE(values.size() == expected.size());
  for (size_t i = 0; i < values.size(); ++i)
    CHECK(values[i] == doctest::Approx(expected[i]).epsilon(tolerance));
}

// Kingma & Ba 2015, Algorithm 1, written as in the paper, in double.
struct ReferenceAdam {
  double lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  std::vector<double> p, m = std::vector<double>(p.size()), v = std::vector<double>(p.size());
  int t = 0;

  void step(const std::vector<real>& g) {
    ++t;
    for (size_t i = 0; i < p.size(); ++i) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      const double m_hat = m[i] / (1 - std::pow(beta1, t));
      const double v_hat = v[i] / (1 - std::pow(beta2, t));
      p[i] -= lr * m_hat / (std::sqrt(v_hat) + eps);
    }
  }
};

}  // namespace

// ---- Adam -------------------------------------------------------------------------------------

TEST_CASE("Adam: three steps equal the paper's update rule computed by hand") {
  // lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8; p0 = [1, 2].
  // Element 0 sees g = 0.5 every step, element 1 sees g = 1, -1, 1.
  const std::vector<std::vector<real>> gradients = {{0.5, 1}, {0.5, -1}, {0.5, 1}};
  Variable p = parameter({1, 2});
  Adam adam({p}, AdamOptions{.learning_rate = 0.1});
  ReferenceAdam reference{.lr = 0.1, .p = {1, 2}};

  // Step 1. m = 0.1 g, v = 0.001 g^2; bias correction divides by 1 - 0.9 = 0.1 and
  // 1 - 0.999 = 0.001, so mhat = g and vhat = g^2 exactly:
  //   p1 = p0 - lr * g / (|g| + eps) = p0 - lr * sign(g) * (1 - eps / |g| + ...)
  //   element 0: 1 - 0.1 * 0.5 / 0.50000001 = 0.900000002
  //   element 1: 2 - 0.1 * 1 / 1.00000001   = 1.900000001
  // The first Adam step moves every element by lr, whatever the gradient's size.
  set_gradient(p, gradients[0]);
  adam.step();
  reference.step(gradients[0]);
  CHECK(adam.step_count() == 1);
  check_values(p.value(), {0.900000002, 1.900000001}, kHandTolerance);
  check_values(p.value(), reference.p);

  // Step 2.
  //   element 0, constant g: m = 0.095, v = 0.00049975; mhat = 0.095 / 0.19 = 0.5 and
  //     vhat = 0.00049975 / 0.001999 = 0.25 again, so p moves by lr once more: 0.800000004
  //   element 1, g = -1: m = 0.9 * 0.1 - 0.1 = -0.01, v = 0.999 * 0.001 + 0.001 = 0.001999;
  //     mhat = -0.01 / 0.19 = -0.0526315789, vhat = 0.001999 / 0.001999 = 1
  //     p = 1.900000001 + 0.1 * 0.0526315789 = 1.905263159
  set_gradient(p, gradients[1]);
  adam.step();
  reference.step(gradients[1]);
  check_values(p.value(), {0.800000004, 1.905263159}, kHandTolerance);
  check_values(p.value(), reference.p);

  // Step 3.
  //   element 0: 0.700000006
  //   element 1, g = 1: m = 0.9 * -0.01 + 0.1 = 0.091, v = 0.999 * 0.001999 + 0.001 = 0.002997001;
  //     1 - 0.9^3 = 0.271, 1 - 0.999^3 = 0.002997001: mhat = 0.091 / 0.271 = 0.3357933579, vhat = 1
  //     p = 1.905263159 - 0.1 * 0.3357933579 = 1.871683823
  set_gradient(p, gradients[2]);
  adam.step();
  reference.step(gradients[2]);
  check_values(p.value(), {0.700000006, 1.871683823}, kHandTolerance);
  check_values(p.value(), reference.p);
  CHECK(adam.step_count() == 3);
}

TEST_CASE("Adam: L2 weight decay is normalised away, AdamW's decoupled decay is not") {
  // p0 = [2, 2], g = [0, 0.5], lr = 0.1, wd = 0.1, one step.
  //   Adam:  g' = g + wd * p = [0.2, 0.7]; the first step moves by lr * sign(g'):
  //          p = [1.9, 1.9]: the penalty moved element 0 as far as a real gradient would.
  //   AdamW: p *= 1 - lr * wd = 0.99 -> [1.98, 1.98], then the Adam step on g alone:
  //          element 0 has m = v = 0 and stays; element 1 moves by lr: p = [1.98, 1.88].
  const std::vector<real> gradient = {0, 0.5};
  Variable p_adam = parameter({2, 2}), p_adamw = parameter({2, 2});
  Adam adam({p_adam}, AdamOptions{.learning_rate = 0.1, .weight_decay = 0.1});
  Adam adamw({p_adamw}, AdamOptions{.learning_rate = 0.1, .weight_decay = 0.1,
                                    .decoupled_weight_decay = true});
  set_gradient(p_adam, gradient);
  set_gradient(p_adamw, gradient);
  adam.step();
  adamw.step();
  // eps keeps a first step short of lr by about lr * eps / |g'|: 1.9 + 0.1 * 1e-8 / 0.2 and
  // 1.9 + 0.1 * 1e-8 / 0.7 for Adam, 1.88 + 0.1 * 1e-8 / 0.5 for AdamW's element 1.
  check_values(p_adam.value(), {1.900000005, 1.900000001}, kHandTolerance);
  check_values(p_adamw.value(), {1.98, 1.880000002}, kHandTolerance);
}

TEST_CASE("Adam: without weight decay, Adam and AdamW take identical steps") {
  Variable a = parameter({0.3, -1.2, 4}), b = parameter({0.3, -1.2, 4});
  Adam adam({a}, AdamOptions{.learning_rate = 0.05});
  Adam adamw({b}, AdamOptions{.learning_rate = 0.05, .decoupled_weight_decay = true});
  for (const std::vector<real>& g : {std::vector<real>{1, 2, -3}, std::vector<real>{-0.5, 0, 7}}) {
    set_gradient(a, g);
    set_gradient(b, g);
    adam.step();
    adamw.step();
  }
  CHECK(a.value().to_vector() == b.value().to_vector());
}

TEST_CASE("Adam: restoring its saved state continues the run exactly") {
  // A checkpoint holds p, m, v and t; an optimiser rebuilt from them takes the same next step.
  Variable p = parameter({1, -1, 0.5});
  Adam adam({p}, AdamOptions{.learning_rate = 0.01});
  set_gradient(p, {0.1, 0.2, 0.3});
  adam.step();
  set_gradient(p, {-1, 2, 0});
  adam.step();
  Variable restored(p.value().clone(), true);
  Adam resumed({restored}, AdamOptions{.learning_rate = 0.01});
  const OptimizerState saved = adam.state();
  CHECK(saved.tensors.count("adam.m.0") == 1);  // named by position when unnamed
  CHECK(saved.tensors.count("adam.v.0") == 1);
  CHECK(saved.counters.at("adam_step") == 2);
  resumed.load_state(saved);

  set_gradient(p, {3, -0.4, 1});
  set_gradient(restored, {3, -0.4, 1});
  adam.step();
  resumed.step();
  CHECK(restored.value().to_vector() == p.value().to_vector());
  CHECK(resumed.step_count() == 3);
}

TEST_CASE(
    "Adam: a saved state that does not fit is refused, naming the tensor, and changes "
    "nothing") {
  Variable p = parameter({1, 2});
  Adam adam(NamedParameters{{"encoder.w", p}});
  set_gradient(p, {1, 1});
  adam.step();
  const OptimizerState before = adam.state();
  OptimizerState bad = before;
  bad.tensors["adam.v.encoder.w"] = Tensor::zeros({3});
  CHECK_THROWS_WITH_AS(adam.load_state(bad),
                       "optimizer: adam.v.encoder.w: saved [3], parameter has [2]", Error);
  bad = before;
  bad.tensors.erase("adam.m.encoder.w");
  CHECK_THROWS_WITH_AS(adam.load_state(bad), "optimizer: adam.m.encoder.w: missing", Error);
  bad = before;
  bad.counters.clear();
  CHECK_THROWS_WITH_AS(adam.load_state(bad), "optimizer: adam_step: missing", Error);
  CHECK(adam.step_count() == 1);
  CHECK(adam.state().tensors.at("adam.m.encoder.w").to_vector() ==
        before.tensors.at("adam.m.encoder.w").to_vector());
}

TEST_CASE("SGD: its saved state is the velocities, with momentum only") {
  Variable p = parameter({1, 2});
  SGD plain({p}, 0.1);
  CHECK(plain.state().tensors.empty());
  SGD heavy(NamedParameters{{"w", p}}, 0.1, 0.9);
  set_gradient(p, {1, 1});
  heavy.step();
  const OptimizerState state = heavy.state();
  CHECK(state.tensors.at("sgd.b.w").to_vector() == std::vector<real>{1, 1});
  SGD resumed(NamedParameters{{"w", p}}, 0.1, 0.9);
  resumed.load_state(state);
  CHECK(resumed.state().tensors.at("sgd.b.w").to_vector() == std::vector<real>{1, 1});
}

TEST_CASE("Adam: a parameter large enough to be split across threads updates like a small one") {
  // 100,000 elements take the parallel path; the first four must match a 4-element parameter.
  const int64_t n = 100000;
  std::vector<real> values(n), gradient(n);
  for (int64_t i = 0; i < n; ++i) {
    values[i] = static_cast<real>(i % 7) - 3;
    gradient[i] = static_cast<real>(i % 5) - 2 + real(0.5);
  }
  Variable large = parameter(values);
  Variable small = parameter({values.begin(), values.begin() + 4});
  Adam adam({large, small}, AdamOptions{.learning_rate = 0.1, .weight_decay = 0.01});
  for (int step = 0; step < 2; ++step) {
    set_gradient(large, gradient);
    set_gradient(small, {gradient.begin(), gradient.begin() + 4});
    adam.step();
  }
  const std::vector<real> large_values = large.value().to_vector();
  CHECK(std::vector<real>(large_values.begin(), large_values.begin() + 4) ==
        small.value().to_vector());
  // Element n-1 saw the same (value, gradient) as element (n-1) mod 35 = 4.
  CHECK(large_values[n - 1] == large_values[(n - 1) % 35]);
}

TEST_CASE("Adam: minimises a quadratic through autograd") {
  // L(p) = sum(a * (p - c)^2) with curvatures a = [1, 10, 100]; minimum 0 at p = c.
  // From p = 0, L = 1 + 40 + 900 = 941; Adam with lr = 0.1 reaches ~5e-7 by step 200.
  Variable p = parameter({0, 0, 0});
  const Variable a(Tensor::from_vector({3}, {1, 10, 100}));
  const Variable c(Tensor::from_vector({3}, {1, -2, 3}));
  auto loss = [&] { return sum(a * pow(p - c, 2)); };
  Adam adam({p}, AdamOptions{.learning_rate = 0.1});
  const real initial = loss().item();
  CHECK(initial == doctest::Approx(941));
  for (int step = 0; step < 200; ++step) {
    adam.zero_grad();
    loss().backward();
    adam.step();
  }
  CHECK(loss().item() < 1e-4);
  const std::vector<real> values = p.value().to_vector();
  CHECK(values[0] == doctest::Approx(1).epsilon(1e-2));
  CHECK(values[1] == doctest::Approx(-2).epsilon(1e-2));
  CHECK(values[2] == doctest::Approx(3).epsilon(1e-2));
}

// ---- SGD --------------------------------------------------------------------------------------

TEST_CASE("SGD: plain steps and weight decay match the rule by hand") {
  SUBCASE("p = p - lr * g") {
    // [1, -2] - 0.1 * [0.5, -1] = [0.95, -1.9]
    Variable p = parameter({1, -2});
    SGD sgd({p}, 0.1);
    set_gradient(p, {0.5, -1});
    sgd.step();
    check_values(p.value(), {0.95, -1.9});
  }
  SUBCASE("weight decay adds wd * p to the gradient") {
    // g' = [0.5, -1] + 0.1 * [1, -2] = [0.6, -1.2];  p = [1, -2] - 0.1 * g' = [0.94, -1.88]
    Variable p = parameter({1, -2});
    SGD sgd({p}, 0.1, /*momentum=*/0, /*weight_decay=*/0.1);
    set_gradient(p, {0.5, -1});
    sgd.step();
    check_values(p.value(), {0.94, -1.88});
  }
}

TEST_CASE("SGD: momentum accumulates a velocity by hand") {
  // lr = 0.1, mu = 0.9, constant g = 1, p0 = 1:
  //   step 1: b = 1                    p = 1    - 0.1 * 1    = 0.9
  //   step 2: b = 0.9 * 1   + 1 = 1.9    p = 0.9  - 0.1 * 1.9  = 0.71
  //   step 3: b = 0.9 * 1.9 + 1 = 2.71   p = 0.71 - 0.1 * 2.71 = 0.439
  Variable p = parameter({1});
  SGD sgd({p}, 0.1, /*momentum=*/0.9);
  const std::vector<double> expected = {0.9, 0.71, 0.439};
  for (double value : expected) {
    set_gradient(p, {1});
    sgd.step();
    check_values(p.value(), {value});
  }
}

// ---- shared behaviour -------------------------------------------------------------------------

TEST_CASE("optimizers: parameters without a gradient are skipped") {
  Variable used = parameter({1, 2}), unused = parameter({3, 4});
  SUBCASE("Adam leaves the value and its moments untouched") {
    Adam adam({used, unused}, AdamOptions{.learning_rate = 0.1, .weight_decay = 0.1,
                                          .decoupled_weight_decay = true});
    set_gradient(used, {1, 1});
    adam.step();
    CHECK(unused.value().to_vector() == std::vector<real>{3, 4});
    CHECK(adam.state().tensors.at("adam.m.1").to_vector() == std::vector<real>{0, 0});
    CHECK(adam.state().tensors.at("adam.v.1").to_vector() == std::vector<real>{0, 0});
    CHECK(used.value().to_vector() != std::vector<real>{1, 2});
  }
  SUBCASE("SGD leaves the value untouched") {
    SGD sgd({used, unused}, 0.1, /*momentum=*/0.9, /*weight_decay=*/0.1);
    set_gradient(used, {1, 1});
    sgd.step();
    CHECK(unused.value().to_vector() == std::vector<real>{3, 4});
    CHECK(used.value().to_vector() != std::vector<real>{1, 2});
  }
}

TEST_CASE("optimizers: zero_grad clears every parameter's gradient") {
  Variable a = parameter({1, 2}), b = parameter({3});
  SGD sgd({a, b}, 0.1);
  sum(a * a).backward();
  sum(b * b).backward();
  REQUIRE(a.has_grad());
  REQUIRE(b.has_grad());
  sgd.zero_grad();
  CHECK_FALSE(a.has_grad());
  CHECK_FALSE(b.has_grad());
  sgd.step();  // nothing to do: no gradients
  CHECK(a.value().to_vector() == std::vector<real>{1, 2});
}

TEST_CASE("optimizers: a parameter listed twice is rejected: it would be updated twice a step") {
  Variable p = parameter({1}), q = parameter({2});
  CHECK_THROWS_WITH_AS(SGD({p, q, p}, 0.1),
                       "optimizer: parameter 2 is parameter 0 again; pass each parameter once",
                       Error);
}

TEST_CASE("optimizers: a weight tied between two modules gets one update from both gradients") {
  // Module `reader` owns w; module `writer` registers the same w as its own (a tied weight).
  class Reader : public Module {
   public:
    Reader() { w = register_parameter("w", Tensor::from_vector({2}, {1, 2})); }
    Variable w;
  };
  class Writer : public Module {
   public:
    explicit Writer(const Variable& tied) { w = register_parameter("w", tied); }
    Variable w;
  };
  class Both : public Module {
   public:
    Both() : writer(reader.w) {
      register_module("reader", reader);
      register_module("writer", writer);
    }
    Reader reader;
    Writer writer;
  };
  Both model;
  REQUIRE(model.parameters().size() == 1);
  SGD sgd(model.parameters(), /*learning_rate=*/0.5);
  // L = sum(w * [1, 1]) through the reader + sum(w * [2, 4]) through the writer: dL/dw = [3, 5]
  const Variable x1(Tensor::from_vector({2}, {1, 1})), x2(Tensor::from_vector({2}, {2, 4}));
  (sum(model.reader.w * x1) + sum(model.writer.w * x2)).backward();
  sgd.step();
  check_values(model.reader.w.value(), {1 - 0.5 * 3, 2 - 0.5 * 5});  // once: [-0.5, -0.5]
}

TEST_CASE("optimizers: the learning rate can be read and changed; bad settings are rejected") {
  Variable p = parameter({1});
  SGD sgd({p}, 0.5);
  CHECK(sgd.learning_rate() == real(0.5));
  sgd.set_learning_rate(0.25);
  CHECK(sgd.learning_rate() == real(0.25));
  CHECK(sgd.parameters().size() == 1);
  CHECK(sgd.parameters()[0].same_as(p));
  CHECK_THROWS_AS(sgd.set_learning_rate(-1), Error);
  CHECK_THROWS_AS(Adam({p}, AdamOptions{.beta1 = 1}), Error);
  CHECK_THROWS_AS(clip_grad_norm({p}, 0), Error);
}

// ---- gradient clipping ------------------------------------------------------------------------

TEST_CASE("clip_grad_norm: scales all gradients to the max norm and returns the norm before") {
  // Gradients [3, 4] and [12]: global norm sqrt(9 + 16 + 144) = 13.
  Variable a = parameter({0, 0}), b = parameter({0}), no_grad = parameter({5});
  set_gradient(a, {3, 4});
  set_gradient(b, {12});

  SUBCASE("above the max: scaled by 6.5 / 13 = 0.5") {
    const real norm = clip_grad_norm({a, b, no_grad}, 6.5);
    CHECK(norm == doctest::Approx(13));
    // scale = 6.5 / (13 + 1e-6): half, less a relative 1e-7
    check_values(a.grad(), {1.5, 2}, 1e-6);
    check_values(b.grad(), {6}, 1e-6);
    const std::vector<real> ga = a.grad().to_vector();
    const real gb = b.grad().item();
    const double clipped = std::sqrt(ga[0] * ga[0] + ga[1] * ga[1] + gb * gb);
    CHECK(clipped == doctest::Approx(6.5).epsilon(1e-6));
    CHECK(clipped <= 6.5);
    CHECK_FALSE(no_grad.has_grad());
  }
  SUBCASE("below the max: gradients unchanged") {
    const real norm = clip_grad_norm({a, b, no_grad}, 20);
    CHECK(norm == doctest::Approx(13));
    CHECK(a.grad().to_vector() == std::vector<real>{3, 4});
    CHECK(b.grad().to_vector() == std::vector<real>{12});
  }
}
