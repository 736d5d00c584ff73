// The shared training step (train/step.h): the loss ignores padding, and one step applies the
// schedule's rate, clips, and updates, as the trainer, the toy tasks and the benchmark all rely on.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/ops.h"
#include "models/transformer/transformer.h"
#include "tensor/elementwise.h"
#include "tensor/reduce.h"
#include "train/data/batching.h"
#include "train/optim/adam.h"
#include "train/optim/sgd.h"
#include "train/step.h"

using namespace attn;

TEST_CASE("sequence_loss: the mean cross-entropy over target tokens, padding ignored") {
  // Two rows of two positions, V = 2; row 1's second position is padding (target 0).
  // logits all 0: every token has probability 1/2, so each counted position costs ln 2.
  const Variable logits(Tensor::zeros({2, 2, 2}));
  const Tensor targets = Tensor::from_vector({2, 2}, {1, 1, 1, 0});
  CHECK(sequence_loss(logits, targets, 0).item() == doctest::Approx(std::log(2.0)));
  // Make the padded position's logits absurd: the loss must not move.
  Tensor skewed = Tensor::zeros({2, 2, 2});
  skewed.at({1, 1, 1}) = 50;
  CHECK(sequence_loss(Variable(skewed), targets, 0).item() == doctest::Approx(std::log(2.0)));
}

TEST_CASE(
    "train_step: sets the schedule's rate for the step, clips, updates and returns the "
    "loss before the update") {
  TransformerConfig config = TransformerConfig::micro(9, 9);
  config.dropout = 0;
  Transformer model(config);
  const std::vector<Example> examples = {{{4, 5, 6}, {7, 8}}, {{5, 6}, {8, 7, 6}}};
  const Batch batch = collate(examples, {0, 1});
  const double before =
      sequence_loss(model.forward(batch.source, batch.target_in), batch.target_out, 0.1).item();
  SGD sgd(model.named_parameters(), 1);
  const ConstantSchedule schedule(0.25);
  StepOptions options;
  options.clip_norm = 1e-3;
  const real loss = train_step(model, batch, sgd, schedule, 1, options).loss;
  CHECK(loss == doctest::Approx(before));
  CHECK(sgd.learning_rate() == doctest::Approx(0.25));
  double norm = 0;  // the gradients the update used were clipped to norm 1e-3
  for (const Variable& p : model.parameters())
    if (p.has_grad()) norm += sum(mul(p.grad(), p.grad())).item();
  CHECK(std::sqrt(norm) == doctest::Approx(1e-3).epsilon(1e-3));
  const double after =
      sequence_loss(model.forward(batch.source, batch.target_in), batch.target_out, 0.1).item();
  CHECK(after < before);  // a step of 0.25 * 1e-3 downhill
}

TEST_CASE("train_step: clip_each clips every parameter's gradient to the norm alone; "
          "summed_loss differentiates the sum over target tokens") {
  TransformerConfig config = TransformerConfig::micro(9, 9);
  config.dropout = 0;
  const std::vector<Example> examples = {{{4, 5, 6}, {7, 8}}, {{5, 6}, {8, 7, 6}}};
  const Batch batch = collate(examples, {0, 1});
  const ConstantSchedule schedule(0);  // rate 0: the gradients stay to be looked at
  Transformer model(config);
  SGD sgd(model.named_parameters(), 1);
  StepOptions options;
  options.clip_norm = 1e-3;
  options.clip_each = true;
  train_step(model, batch, sgd, schedule, 1, options);
  int clipped = 0;
  for (const Variable& p : model.parameters()) {
    if (!p.has_grad()) continue;
    const double norm = std::sqrt(sum(mul(p.grad(), p.grad())).item());
    CHECK(norm <= 1e-3 * (1 + 1e-4));
    clipped += norm > 0.99e-3 ? 1 : 0;
  }
  CHECK(clipped > 1);  // not one global norm: several parameters reach the bound each

  Transformer mean_model(config), sum_model(config);
  SGD mean_sgd(mean_model.named_parameters(), 1), sum_sgd(sum_model.named_parameters(), 1);
  StepOptions mean_options, sum_options;
  mean_options.clip_norm = sum_options.clip_norm = 0;
  sum_options.summed_loss = true;
  train_step(mean_model, batch, mean_sgd, schedule, 1, mean_options);
  train_step(sum_model, batch, sum_sgd, schedule, 1, sum_options);
  const Tensor mean_grad = mean_model.parameters()[0].grad(), sum_grad = sum_model.parameters()[0].grad();
  for (int64_t i = 0; i < mean_grad.numel(); i += 7)
    CHECK(sum_grad.data()[i] ==
          doctest::Approx(mean_grad.data()[i] * static_cast<double>(batch.target_tokens)));
}

// A model whose loss is finite but whose gradient is not: logits = b + sqrt(w) with w = 0, and
// d sqrt(w) / dw = 1 / (2 sqrt(w)) is infinite there.
namespace {

class SquareRootModel : public Seq2Seq {
 public:
  SquareRootModel() {
    w = register_parameter("w", Tensor::zeros({1}));
    b = register_parameter("b", Tensor::zeros({4}));
  }
  Variable forward(const Source&, const Tensor& target_in) override {
    const Variable ones(Tensor::ones({target_in.size(0), target_in.size(1), 4}));
    return ones * sqrt(w) + b;  // [B, T, 4]
  }
  Memory encode(const Source&) override { return {}; }
  std::unique_ptr<DecoderState> start(const Memory&) override { return nullptr; }
  Step step(const Tensor&, DecoderState&) override { return {}; }
  int64_t target_vocab() const override { return 4; }
  Generator& generator() override { return generator_; }
  Variable w, b;

 private:
  Generator generator_{1};
};

}  // namespace

TEST_CASE("train_step: a gradient that is not finite skips the step and names the parameter") {
  SquareRootModel model;
  const std::vector<Example> examples = {{{3}, {3}}};
  const Batch batch = collate(examples, {0});
  Adam adam(model.named_parameters());
  const StepResult result =
      train_step(model, batch, adam, ConstantSchedule(0.1), 1, StepOptions{});
  CHECK(std::isfinite(result.loss));
  CHECK_FALSE(result.applied);
  CHECK(result.problem == "the gradient of w is not finite");
  CHECK(adam.step_count() == 0);  // nothing was applied: no optimiser step
  CHECK(model.b.value().to_vector() == std::vector<real>{0, 0, 0, 0});
}
