// The recurrent cells (nn/recurrent/): GruCell and LstmCell. Each step is checked against its
// equations on a small example, gradient-checked by finite differences with respect to the
// input, the state and every parameter, and its parameters against PyTorch's names, shapes and
// initialisation.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "autograd/ops.h"
#include "nn/recurrent/cell.h"
#include "nn/recurrent/gru_cell.h"
#include "nn/recurrent/lstm_cell.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

Tensor random_tensor(const Shape& shape, uint64_t seed) {
  Generator generator(seed);
  return uniform(shape, -1, 1, generator);
}

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

// Sets every parameter of a cell with one input and one state element (I = R = 1) to the given
// numbers, in the gate order of the cell: weight_ih, weight_hh, bias_ih, bias_hh, each [G].
void set_parameters(RecurrentCell& cell, const std::vector<real>& w_ih,
                    const std::vector<real>& w_hh, const std::vector<real>& b_ih,
                    const std::vector<real>& b_hh) {
  const int64_t G = cell.gates();
  cell.weight_ih.mutable_value().copy_from(Tensor::from_vector({G, 1}, w_ih));
  cell.weight_hh.mutable_value().copy_from(Tensor::from_vector({G, 1}, w_hh));
  cell.bias_ih.mutable_value().copy_from(Tensor::from_vector({G}, b_ih));
  cell.bias_hh.mutable_value().copy_from(Tensor::from_vector({G}, b_hh));
}

}  // namespace

// ---- the equations --------------------------------------------------------------------------------

TEST_CASE("GruCell: a step follows PyTorch's equations, gate order r, z, n") {
  Generator generator(1);
  GruCell cell(1, 1, generator);
  set_parameters(cell, {0.5, -1, 2}, {1, 0.25, -0.5}, {0.1, 0.2, 0.3}, {-0.1, 0.4, 0.6});
  const double x = 0.7, h = -0.4;
  // r = sigmoid(0.5 x + 0.1 + 1 h - 0.1), z = sigmoid(-x + 0.2 + 0.25 h + 0.4),
  // n = tanh(2 x + 0.3 + r (-0.5 h + 0.6)), h' = (1 - z) n + z h
  const double r = sigmoid(0.5 * x + 0.1 + h - 0.1);
  const double z = sigmoid(-x + 0.2 + 0.25 * h + 0.4);
  const double n = std::tanh(2 * x + 0.3 + r * (-0.5 * h + 0.6));
  const double expected = (1 - z) * n + z * h;
  const Variable x_gates = cell.input_gates(Variable(Tensor::from_vector({1, 1}, {real(x)})));
  const CellState next = cell.step(x_gates, {Variable(Tensor::from_vector({1, 1}, {real(h)})), {}});
  CHECK(next.h.shape() == Shape{1, 1});
  CHECK_FALSE(next.c.defined());
  CHECK(next.h.item() == doctest::Approx(expected).epsilon(1e-6));
}

TEST_CASE("LstmCell: a step follows PyTorch's equations, gate order i, f, g, o") {
  Generator generator(2);
  LstmCell cell(1, 1, generator);
  set_parameters(cell, {0.5, -1, 2, 0.3}, {1, 0.25, -0.5, -2}, {0.1, 0.2, 0.3, 0.4},
                 {-0.1, 0.4, 0.6, -0.2});
  const double x = 0.7, h = -0.4, c = 1.5;
  // each gate a = w_ih x + b_ih + w_hh h + b_hh; c' = f c + i g, h' = o tanh(c')
  const double i = sigmoid(0.5 * x + 0.1 + h - 0.1);
  const double f = sigmoid(-x + 0.2 + 0.25 * h + 0.4);
  const double g = std::tanh(2 * x + 0.3 - 0.5 * h + 0.6);
  const double o = sigmoid(0.3 * x + 0.4 - 2 * h - 0.2);
  const double c_next = f * c + i * g;
  const double h_next = o * std::tanh(c_next);
  const Variable x_gates = cell.input_gates(Variable(Tensor::from_vector({1, 1}, {real(x)})));
  const CellState next = cell.step(x_gates, {Variable(Tensor::from_vector({1, 1}, {real(h)})),
                                             Variable(Tensor::from_vector({1, 1}, {real(c)}))});
  CHECK(next.h.item() == doctest::Approx(h_next).epsilon(1e-6));
  CHECK(next.c.item() == doctest::Approx(c_next).epsilon(1e-6));
}

// ---- parameters -------------------------------------------------------------------------------------

TEST_CASE("cells: PyTorch's parameter names and shapes, initialised in U(-1/sqrt(R), 1/sqrt(R))") {
  Generator generator(3);
  for (CellKind kind : {CellKind::gru, CellKind::lstm}) {
    const auto cell = make_cell(kind, 5, 16, generator);
    const int64_t G = kind == CellKind::gru ? 3 : 4;
    CHECK(cell->kind() == kind);
    CHECK(cell->gates() == G);
    CHECK(cell->input_size() == 5);
    CHECK(cell->hidden_size() == 16);
    const auto named = cell->named_parameters();
    REQUIRE(named.size() == 4);
    CHECK(named[0].first == "weight_ih");
    CHECK(named[1].first == "weight_hh");
    CHECK(named[2].first == "bias_ih");
    CHECK(named[3].first == "bias_hh");
    CHECK(cell->weight_ih.shape() == Shape{G * 16, 5});
    CHECK(cell->weight_hh.shape() == Shape{G * 16, 16});
    CHECK(cell->bias_ih.shape() == Shape{G * 16});
    CHECK(cell->bias_hh.shape() == Shape{G * 16});
    real largest = 0;
    for (const Variable& parameter : cell->parameters())
      for (real v : parameter.value().to_vector()) largest = std::max(largest, std::abs(v));
    CHECK(largest <= real(0.25));  // 1/sqrt(16)
    CHECK(largest > real(0.2));    // and the whole range is used
  }
}

TEST_CASE("cells: zero_state has h, and c for LSTM only") {
  Generator generator(4);
  const auto gru = make_cell(CellKind::gru, 3, 2, generator);
  const auto lstm = make_cell(CellKind::lstm, 3, 2, generator);
  CHECK(gru->zero_state(5).h.value().to_vector() == std::vector<real>(10, 0));
  CHECK_FALSE(gru->zero_state(5).c.defined());
  CHECK(lstm->zero_state(5).c.shape() == Shape{5, 2});
}

TEST_CASE("cells: input_gates works over any leading axes, as one product") {
  Generator generator(5);
  const auto cell = make_cell(CellKind::lstm, 3, 2, generator);
  const Tensor x = random_tensor({2, 4, 3}, 6);  // [B, T, I]
  const Variable all = cell->input_gates(Variable(x));
  CHECK(all.shape() == Shape{2, 4, 8});
  const Variable one = cell->input_gates(Variable(x.narrow(1, 2, 1).reshape({2, 3})));  // t = 2
  CHECK(allclose(all.value().narrow(1, 2, 1).reshape({2, 8}), one.value()));
}

// ---- gradients ----------------------------------------------------------------------------------------

TEST_CASE("GruCell: two steps' gradient matches finite differences for x, h and every parameter") {
  Generator generator(7);
  GruCell cell(3, 4, generator);
  const auto f = [&](const std::vector<Variable>& v) {
    const CellState first = cell.step(cell.input_gates(v[0]), {v[2], {}});
    return cell.step(cell.input_gates(v[1]), first).h;  // [B, R]
  };
  const GradCheckResult result = gradcheck_with_parameters(
      cell, f, {random_tensor({2, 3}, 8), random_tensor({2, 3}, 9), random_tensor({2, 4}, 10)});
  CHECK_MESSAGE(result.passed, result.report);
}

TEST_CASE("LstmCell: two steps' gradient matches finite differences for x, h, c and every parameter") {
  Generator generator(11);
  LstmCell cell(3, 4, generator);
  const auto f = [&](const std::vector<Variable>& v) {
    const CellState first = cell.step(cell.input_gates(v[0]), {v[2], v[3]});
    const CellState second = cell.step(cell.input_gates(v[1]), first);
    return concat({second.h, second.c}, 1);  // [B, 2R]: both outputs reach the loss
  };
  const GradCheckResult result = gradcheck_with_parameters(
      cell, f,
      {random_tensor({2, 3}, 12), random_tensor({2, 3}, 13), random_tensor({2, 4}, 14),
       random_tensor({2, 4}, 15)});
  CHECK_MESSAGE(result.passed, result.report);
}

// ---- errors -------------------------------------------------------------------------------------------

TEST_CASE("cells: a step names the shapes it expected") {
  Generator generator(16);
  const auto gru = make_cell(CellKind::gru, 3, 2, generator);
  const auto lstm = make_cell(CellKind::lstm, 3, 2, generator);
  const Variable h(Tensor::zeros({4, 2}));
  CHECK_THROWS_WITH_AS(gru->step(Variable(Tensor::zeros({4, 8})), {h, {}}),
                       "gru cell step: x_gates [4,8] must be [4,6] for h [4,2]", Error);
  CHECK_THROWS_WITH_AS(gru->step(Variable(Tensor::zeros({4, 6})), {Variable(Tensor::zeros({4, 3})), {}}),
                       "gru cell step: h [4,3] must be [B, 2]", Error);
  CHECK_THROWS_WITH_AS(lstm->step(Variable(Tensor::zeros({4, 8})), {h, {}}),
                       "lstm cell step: c (undefined) must be [4,2] like h", Error);
  CHECK_THROWS_WITH_AS(gru->input_gates(Variable(Tensor::zeros({4, 2}))),
                       "gru cell: input [4,2] must end in input_size 3", Error);
  CHECK_THROWS_WITH_AS(make_cell(CellKind::lstm, 0, 2, generator),
                       "lstm cell: input_size and hidden_size must be positive, got 0 and 2", Error);
}
