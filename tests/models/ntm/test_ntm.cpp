// The Neural Turing Machine (models/ntm/ntm.h) and its LSTM baseline: shapes, what the heads
// record, gradients through many steps of memory, and no NaN however large the inputs.
#include <doctest/doctest.h>

#include <memory>

#include "autograd/ops.h"
#include "models/ntm/ntm.h"
#include "models/ntm/sequence_model.h"
#include "tensor/elementwise.h"
#include "tensor/reduce.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

NtmConfig small_config() {
  NtmConfig config;
  config.input_width = 3;
  config.output_width = 2;
  config.controller_size = 4;
  config.memory_slots = 5;
  config.memory_width = 3;
  return config;
}

}  // namespace

TEST_CASE("ntm: inputs [B, T, I] give logits [B, T, O] and one weighting per head and step") {
  for (const ControllerKind controller : {ControllerKind::lstm, ControllerKind::feedforward}) {
    NtmConfig config = small_config();
    config.controller = controller;
    config.read_heads = 2;
    std::unique_ptr<SequenceModel> model = config.build();
    Generator generator(1);
    const Variable logits = model->forward(Variable(uniform({2, 6, 3}, 0, 1, generator)));
    CHECK(logits.shape() == Shape{2, 6, 2});
    const HeadTrace trace = model->trace();
    CHECK(trace.reads.shape() == Shape{2, 6, 5});
    CHECK(trace.writes.shape() == Shape{2, 6, 5});
    const Tensor row_sums = sum(trace.writes, -1);  // each step's weights are a distribution
    for (real total : row_sums.to_vector()) CHECK(total == doctest::Approx(1).epsilon(1e-5));
  }
}

TEST_CASE("ntm: a row alone gives what it gives in a batch") {
  std::unique_ptr<SequenceModel> model = small_config().build();
  Generator generator(2);
  const Tensor inputs = uniform({3, 4, 3}, 0, 1, generator);
  const Tensor batched = model->forward(Variable(inputs)).value();
  const Tensor alone = model->forward(Variable(inputs.narrow(0, 1, 1).contiguous())).value();
  CHECK(allclose(alone, batched.narrow(0, 1, 1), 1e-5, 1e-6));
}

TEST_CASE("ntm: gradients through controller, heads and memory match finite differences") {
  for (const ControllerKind controller : {ControllerKind::lstm, ControllerKind::feedforward}) {
    NtmConfig config = small_config();
    config.controller = controller;
    config.memory_init = 0.1;  // rows that differ from 0 from the start, so cosines are smooth
    std::unique_ptr<SequenceModel> model = config.build();
    Generator generator(3);
    const Tensor inputs = uniform({2, 3, 3}, 0, 1, generator);
    const GradCheckResult result = gradcheck_with_parameters(
        *model,
        [&](const std::vector<Variable>& v) {
          const Variable logits = model->forward(v[0]);
          return sum(logits * logits) * real(0.1);
        },
        {inputs});
    CAPTURE(result.report);
    CHECK(result.passed);
  }
}

TEST_CASE("ntm: many steps of large inputs never make a NaN") {
  NtmConfig config = small_config();
  config.memory_slots = 16;
  std::unique_ptr<SequenceModel> model = config.build();
  Generator generator(4);
  const Variable inputs(normal({2, 200, 3}, 0, 1000, generator));  // far outside the task's bits
  const Variable logits = model->forward(inputs);
  (sum(logits * logits)).backward();
  CHECK(all_finite(logits.value()));
  for (const Variable& parameter : model->parameters())
    if (parameter.has_grad()) CHECK(all_finite(parameter.grad()));
  CHECK(all_finite(model->trace().reads));
}

TEST_CASE("ntm: the LSTM baseline reads the same inputs and has no heads") {
  NtmConfig config = small_config();
  config.model = SequenceModelKind::lstm;
  config.lstm_layers = 2;
  std::unique_ptr<SequenceModel> model = config.build();
  Generator generator(5);
  const Variable logits = model->forward(Variable(uniform({2, 4, 3}, 0, 1, generator)));
  CHECK(logits.shape() == Shape{2, 4, 2});
  CHECK(!model->trace().reads.defined());
  // 2 layers of 4: 4*4*(3 + 4) + 2*4*4 + 4*4*(4 + 4) + 2*4*4, and the output 4*2 + 2
  CHECK(model->parameter_count() == 112 + 32 + 128 + 32 + 10);
}

TEST_CASE("ntm: settings out of range are refused by name") {
  NtmConfig config = small_config();
  config.max_shift = 3;  // -3..3 is 7 shifts over 5 rows
  CHECK_THROWS_WITH(config.build(), doctest::Contains("the shifts -K..K must fit"));
  config = small_config();
  std::unique_ptr<SequenceModel> model = config.build();
  Generator generator(6);
  CHECK_THROWS_WITH(model->forward(Variable(uniform({2, 4, 5}, 0, 1, generator))),
                    doctest::Contains("inputs must be [B, T, 3]"));
}
