// Recurrent (nn/recurrent/recurrent.h): stacked, bidirectional GRU and LSTM layers over padded
// batches. Checked by finite differences in every configuration (cell, 1 or 2 layers, one or two
// directions, with padding), against its own cells stepped one at a time, for exact padding (a
// padded batch gives what each row gives alone, values and gradients; padded steps change
// nothing), for PyTorch's parameter names, and for dropout between layers.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/recurrent/recurrent.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

using Values = std::vector<real>;

Tensor random_tensor(const Shape& shape, uint64_t seed) {
  Generator generator(seed);
  return uniform(shape, -1, 1, generator);
}

// A right-padded [B, T] mask with the given lengths.
Tensor mask_of(const std::vector<int64_t>& lengths, int64_t T) {
  Values values;
  for (int64_t length : lengths)
    for (int64_t t = 0; t < T; ++t) values.push_back(t < length ? 1 : 0);
  return Tensor::from_vector({static_cast<int64_t>(lengths.size()), T}, values);
}

RecurrentOptions options_for(CellKind cell, int64_t layers, bool bidirectional,
                             int64_t input_size = 3, int64_t hidden_size = 2) {
  RecurrentOptions options;
  options.cell = cell;
  options.input_size = input_size;
  options.hidden_size = hidden_size;
  options.layers = layers;
  options.bidirectional = bidirectional;
  return options;
}

std::string describe(const RecurrentOptions& o) {
  return std::string(to_string(o.cell)) + ", " + std::to_string(o.layers) + " layer(s), " +
         (o.bidirectional ? "bidirectional" : "one direction");
}

// Everything a forward returns, flattened into one vector: outputs, then each final h (and c).
Variable flatten(const RecurrentOutput& out) {
  std::vector<Variable> parts = {reshape(out.outputs, {-1})};
  for (const CellState& state : out.final) {
    parts.push_back(reshape(state.h, {-1}));
    if (state.c.defined()) parts.push_back(reshape(state.c, {-1}));
  }
  return concat(parts, 0);
}

// Every configuration the layer has: GRU and LSTM, 1 and 2 layers, one and two directions.
std::vector<RecurrentOptions> all_configurations() {
  std::vector<RecurrentOptions> all;
  for (CellKind cell : {CellKind::gru, CellKind::lstm})
    for (int64_t layers : {1, 2})
      for (bool bidirectional : {false, true}) all.push_back(options_for(cell, layers, bidirectional));
  return all;
}

}  // namespace

// ---- parameters ---------------------------------------------------------------------------------

TEST_CASE("Recurrent: parameters carry PyTorch's state_dict names and shapes") {
  Generator generator(1);
  const Recurrent lstm(options_for(CellKind::lstm, 2, true, 5, 4), generator);
  const auto named = lstm.named_parameters();
  const std::vector<std::string> expected = {
      "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
      "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
      "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
      "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"};
  REQUIRE(named.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) CHECK(named[i].first == expected[i]);
  CHECK(named[0].second.shape() == Shape{16, 5});   // [4R, I]
  CHECK(named[1].second.shape() == Shape{16, 4});   // [4R, R]
  CHECK(named[2].second.shape() == Shape{16});
  CHECK(named[8].second.shape() == Shape{16, 8});   // layer 1 reads both directions: [4R, 2R]
  CHECK(named[0].second.same_as(lstm.cell(0, 0).weight_ih));
  CHECK(named[12].second.same_as(lstm.cell(1, 1).weight_ih));
  // nn.LSTM(5, 4, num_layers=2, bidirectional=True) has 2 * (4*4*(5+4) + 2*16) + 2 * (4*4*(8+4) + 2*16)
  CHECK(lstm.parameter_count() == 2 * (16 * 9 + 32) + 2 * (16 * 12 + 32));
}

// ---- gradients ------------------------------------------------------------------------------------

TEST_CASE("Recurrent: gradient matches finite differences in every configuration, with padding") {
  const Tensor x = random_tensor({3, 4, 3}, 2);    // [B, T, I]
  const Tensor mask = mask_of({4, 2, 3}, 4);       // rows 1 and 2 padded
  for (const RecurrentOptions& options : all_configurations()) {
    SUBCASE(describe(options).c_str()) {
      Generator generator(3);
      Recurrent recurrent(options, generator);
      const auto f = [&](const std::vector<Variable>& v) {
        return flatten(recurrent.forward(v[0], mask));
      };
      const GradCheckResult result = gradcheck_with_parameters(recurrent, f, {x});
      CHECK_MESSAGE(result.passed, result.report);
    }
  }
}

TEST_CASE("Recurrent: gradient reaches given initial states, in both directions") {
  for (CellKind cell : {CellKind::gru, CellKind::lstm}) {
    Generator generator(4);
    Recurrent recurrent(options_for(cell, 2, true), generator);
    const bool lstm = cell == CellKind::lstm;
    std::vector<Tensor> data = {random_tensor({2, 3, 3}, 5)};
    for (int64_t i = 0; i < 4 * (lstm ? 2 : 1); ++i) data.push_back(random_tensor({2, 2}, 6 + i));
    const Tensor mask = mask_of({3, 1}, 3);
    const auto f = [&](const std::vector<Variable>& v) {
      std::vector<CellState> initial;
      for (size_t k = 0; k < 4; ++k)
        initial.push_back(lstm ? CellState{v[1 + 2 * k], v[2 + 2 * k]} : CellState{v[1 + k], {}});
      return flatten(recurrent.forward(v[0], mask, initial));
    };
    const GradCheckResult result = gradcheck_with_parameters(recurrent, f, data);
    CHECK_MESSAGE(result.passed, to_string(cell), ": ", result.report);
  }
}

// ---- the fused scan against the cells ---------------------------------------------------------------

TEST_CASE("Recurrent: one direction equals its cell stepped one step at a time") {
  for (CellKind kind : {CellKind::gru, CellKind::lstm}) {
    Generator generator(7);
    const Recurrent recurrent(options_for(kind, 1, true, 3, 4), generator);
    const Tensor x = random_tensor({2, 5, 3}, 8);  // [B, T, I]
    const RecurrentOutput out = recurrent.forward(Variable(x));
    for (int64_t direction = 0; direction < 2; ++direction) {
      const RecurrentCell& cell = recurrent.cell(0, direction);
      CellState state = cell.zero_state(2);
      for (int64_t i = 0; i < 5; ++i) {
        const int64_t t = direction == 0 ? i : 4 - i;  // right to left for direction 1
        const Variable x_t(x.narrow(1, t, 1).reshape({2, 3}));
        state = cell.step(cell.input_gates(x_t), state);
        const Tensor output_t = out.outputs.value().narrow(1, t, 1).narrow(2, 4 * direction, 4);
        CHECK(allclose(output_t.reshape({2, 4}), state.h.value()));
      }
      CHECK(allclose(out.final[direction].h.value(), state.h.value()));
      if (kind == CellKind::lstm) CHECK(allclose(out.final[direction].c.value(), state.c.value()));
    }
  }
}

// ---- padding ----------------------------------------------------------------------------------------

TEST_CASE("Recurrent: a padded batch gives each row's outputs, final states and gradients alone") {
  const std::vector<int64_t> lengths = {5, 2, 4};
  const Tensor x = random_tensor({3, 5, 3}, 9);
  const Tensor weights = random_tensor({3, 5, 4}, 10);  // a loss sum(outputs * weights)
  for (const RecurrentOptions& base : all_configurations()) {
    SUBCASE(describe(base).c_str()) {
      const RecurrentOptions options = options_for(base.cell, base.layers, base.bidirectional, 3, 2);
      Generator generator(11);
      Recurrent recurrent(options, generator);
      const int64_t K = recurrent.directions();
      const Tensor w = weights.narrow(2, 0, 2 * K);
      // The loss reads every output and every final state (each final h weighted by 0.5).
      const auto loss = [&](const RecurrentOutput& out, const Tensor& out_weights) {
        Variable total = sum(out.outputs * Variable(out_weights));
        for (const CellState& state : out.final) total = total + sum(state.h) * real(0.5);
        return total;
      };
      const RecurrentOutput batch = recurrent.forward(Variable(x), mask_of(lengths, 5));
      loss(batch, w).backward();
      std::vector<Tensor> batch_grads;
      for (const Variable& p : recurrent.parameters()) batch_grads.push_back(p.grad().clone());

      std::vector<Tensor> alone_grads;
      for (const Variable& p : recurrent.parameters()) alone_grads.push_back(Tensor::zeros(p.shape()));
      for (int64_t b = 0; b < 3; ++b) {
        const int64_t n = lengths[b];
        recurrent.zero_grad();
        const RecurrentOutput alone = recurrent.forward(Variable(x.narrow(0, b, 1).narrow(1, 0, n)));
        loss(alone, w.narrow(0, b, 1).narrow(1, 0, n)).backward();
        const Tensor row = batch.outputs.value().narrow(0, b, 1);  // [1, T, K*R]
        CHECK(allclose(row.narrow(1, 0, n), alone.outputs.value()));
        CHECK(row.narrow(1, n, 5 - n).to_vector() == Values((5 - n) * 2 * K, 0));  // exactly 0
        for (size_t i = 0; i < batch.final.size(); ++i) {
          CHECK(allclose(batch.final[i].h.value().narrow(0, b, 1), alone.final[i].h.value()));
          if (options.cell == CellKind::lstm)
            CHECK(allclose(batch.final[i].c.value().narrow(0, b, 1), alone.final[i].c.value()));
        }
        const auto parameters = recurrent.parameters();
        for (size_t i = 0; i < parameters.size(); ++i) add_into(alone_grads[i], parameters[i].grad());
      }
      for (size_t i = 0; i < batch_grads.size(); ++i)
        CHECK_MESSAGE(allclose(batch_grads[i], alone_grads[i], 1e-4, 1e-5),
                      recurrent.named_parameters()[i].first);
    }
  }
}

TEST_CASE("Recurrent: padded steps change nothing, whatever their inputs hold") {
  for (CellKind kind : {CellKind::gru, CellKind::lstm}) {
    Generator generator(12);
    const Recurrent recurrent(options_for(kind, 2, true), generator);
    const std::vector<int64_t> lengths = {4, 1, 3};
    const Tensor mask = mask_of(lengths, 6);
    const Tensor x = random_tensor({3, 6, 3}, 13);
    // The same batch with garbage in every padded position.
    const Tensor noisy = where(mask.unsqueeze(2), x, random_tensor({3, 6, 3}, 14) * real(100));
    const RecurrentOutput clean = recurrent.forward(Variable(x), mask);
    const RecurrentOutput dirty = recurrent.forward(Variable(noisy), mask);
    CHECK(clean.outputs.value().to_vector() == dirty.outputs.value().to_vector());
    for (size_t i = 0; i < clean.final.size(); ++i)
      CHECK(clean.final[i].h.value().to_vector() == dirty.final[i].h.value().to_vector());
    // The last layer's final states are its outputs at each row's last real step: t = length-1
    // left to right, t = 0 right to left.
    for (int64_t b = 0; b < 3; ++b) {
      const Tensor row = clean.outputs.value().narrow(0, b, 1).reshape({6, 4});  // [T, K*R]
      CHECK(row.narrow(0, lengths[b] - 1, 1).narrow(1, 0, 2).to_vector() ==
            clean.final[2].h.value().narrow(0, b, 1).to_vector());
      CHECK(row.narrow(0, 0, 1).narrow(1, 2, 2).to_vector() ==
            clean.final[3].h.value().narrow(0, b, 1).to_vector());
    }
    // A row of padding only keeps its initial state (here zeros) and outputs zeros.
    const RecurrentOutput empty = recurrent.forward(Variable(x), mask_of({4, 0, 3}, 6));
    CHECK(empty.outputs.value().narrow(0, 1, 1).to_vector() == Values(6 * 4, 0));
    CHECK(empty.final[1].h.value().narrow(0, 1, 1).to_vector() == Values(2, 0));
  }
}

// ---- dropout ----------------------------------------------------------------------------------------

TEST_CASE("Recurrent: dropout acts between layers in training only, the same for the same seed") {
  RecurrentOptions options = options_for(CellKind::gru, 2, true, 3, 8);
  options.dropout = 0.5;
  const Tensor x = random_tensor({2, 4, 3}, 15);
  const auto run = [&](bool training, uint64_t seed) {
    Generator generator(seed);  // the weights come from the seed, then the masks
    Recurrent recurrent(options, generator);
    recurrent.train(training);
    return recurrent.forward(Variable(x)).outputs.value();
  };
  const Tensor eval = run(false, 16);
  CHECK(run(true, 16).to_vector() == run(true, 16).to_vector());  // deterministic
  CHECK_FALSE(allclose(run(true, 16), eval));                      // a mask was applied
  options.dropout = 0;
  CHECK(run(true, 16).to_vector() == eval.to_vector());  // eval is the same as no dropout
  options.dropout = 0.5;
  options.layers = 1;  // nothing between layers: dropout never applies, as in PyTorch
  CHECK(run(true, 16).to_vector() == run(false, 16).to_vector());
}

// ---- errors -----------------------------------------------------------------------------------------

TEST_CASE("Recurrent: bad inputs, masks and initial states get one clear line") {
  Generator generator(17);
  const Recurrent recurrent(options_for(CellKind::gru, 1, true), generator);
  const Variable x(Tensor::zeros({2, 3, 3}));
  CHECK_THROWS_WITH_AS(recurrent.forward(Variable(Tensor::zeros({2, 3, 4}))),
                       "Recurrent: inputs [2,3,4] must be [B, T, 3]", Error);
  CHECK_THROWS_WITH_AS(recurrent.forward(x, Tensor::ones({2, 4})),
                       "Recurrent: mask [2,4] must be [2,3] like the inputs", Error);
  CHECK_THROWS_WITH_AS(recurrent.forward(x, Tensor::from_vector({2, 3}, {1, 0, 1, 1, 1, 1})),
                       "Recurrent: mask row 0 is not right-padded: step 2 is real after a padded step",
                       Error);
  CHECK_THROWS_WITH_AS(recurrent.forward(x, Tensor::from_vector({2, 3}, {1, 0.5, 0, 1, 1, 1})),
                       "Recurrent: mask[0, 1] is 0.500000; a mask holds 1 (real step) or 0 (padding)",
                       Error);
  const CellState zero = recurrent.cell(0, 0).zero_state(2);
  CHECK_THROWS_WITH_AS(recurrent.forward(x, {}, {zero}),
                       "Recurrent: initial holds 1 states; give none or 2 (layers x directions)",
                       Error);
  RecurrentOptions no_layers = options_for(CellKind::lstm, 0, false);
  CHECK_THROWS_WITH_AS(Recurrent(no_layers, generator),
                       "Recurrent: input_size, hidden_size and layers must be positive, got 3, 2, 0",
                       Error);
}
