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
  const real loss = train_step(model, batch, sgd, schedule, 1, options);
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
