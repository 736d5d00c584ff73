// Show, Attend and Tell: shapes, decoding one word at a time against teacher forcing, the
// doubly stochastic penalty against its formula, the mean-pooling baseline, and gradients.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "autograd/ops.h"
#include "models/captioner/show_attend_tell.h"
#include "models/decoding/beam_search.h"
#include "models/decoding/greedy.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

CaptionerConfig micro_config() {
  CaptionerConfig config;
  config.apply_preset("micro");  // 2 blocks: a 8x12 image -> a 2x3 grid
  config.image_channels = 3;
  config.image_height = 8;
  config.image_width = 12;
  config.target_vocab = 9;
  config.seed = 3;
  config.dropout = 0;
  return config;
}

Tensor random_images(int64_t B, const CaptionerConfig& config, uint64_t seed) {
  Generator generator(seed);
  return uniform({B, config.image_channels, config.image_height, config.image_width}, 0, 1,
                 generator);
}

Tensor identity(int64_t n) {
  Tensor eye = Tensor::zeros({n, n});
  for (int64_t i = 0; i < n; ++i) eye.data()[i * n + i] = 1;
  return eye;
}

// <bos> w w w, with the second row one word shorter (padded)
Tensor targets_in() { return Tensor::from_vector({2, 4}, {1, 4, 5, 6, 1, 7, 8, 0}); }

}  // namespace

TEST_CASE("show_attend_tell: images become L = h w annotation vectors, captions logits") {
  const CaptionerConfig config = micro_config();
  ShowAttendTell model(config);
  const Source images{random_images(2, config, 1), Tensor()};
  const Memory memory = model.encode(images);
  CHECK(memory.states.shape() == Shape{2, 6, config.encoder_width});  // 2x3 grid
  CHECK(model.forward(images, targets_in()).shape() == Shape{2, 4, 9});
  CHECK(model.parameter_count() == config.parameter_count());
  CHECK_THROWS_WITH_AS(model.encode({Tensor::zeros({2, 1, 8, 12}), Tensor()}),
                       "show_attend_tell encode: images must be [2,3,8,12], got [2,1,8,12]", Error);
}

TEST_CASE("show_attend_tell: parameter_count() counts what build() makes, every option") {
  for (const CaptionPooling pooling : {CaptionPooling::attention, CaptionPooling::mean})
    for (const bool gate : {true, false}) {
      CaptionerConfig config = micro_config();
      config.pooling = pooling;
      config.gate = gate;
      CHECK(config.build()->parameter_count() == config.parameter_count());
    }
}

TEST_CASE("show_attend_tell: decoding word by word equals teacher forcing, alpha rows sum to 1") {
  for (const char* score : {"additive", "general", "location_aware"}) {
    CAPTURE(score);
    CaptionerConfig config = micro_config();
    config.score = score;
    ShowAttendTell model(config);
    model.eval();
    const Source images{random_images(2, config, 2), Tensor()};
    const Tensor target = targets_in();
    const Tensor all = model.forward(images, target).value();  // [2, 4, V]
    const auto state = model.start(model.encode(images));
    for (int64_t t = 0; t < 4; ++t) {
      const Step step = model.step(target.narrow(1, t, 1).reshape({2}).contiguous(), *state);
      const Tensor expected = all.narrow(1, t, 1).reshape({2, 9});
      for (int64_t i = 0; i < 18; ++i)
        CHECK(step.logits.value().data()[i] ==
              doctest::Approx(expected.contiguous().data()[i]).epsilon(1e-5));
      CHECK(step.attention.shape() == Shape{2, 1, 1, 6});
      for (int64_t b = 0; b < 2; ++b) {
        double total = 0;
        for (int64_t l = 0; l < 6; ++l) total += step.attention.at({b, 0, 0, l});
        CHECK(total == doctest::Approx(1).epsilon(1e-5));
      }
    }
  }
}

TEST_CASE(
    "show_attend_tell: the penalty is lambda mean_{b,i} (1 - sum_t alpha_ti)^2, real words only") {
  CaptionerConfig config = micro_config();
  config.attention_penalty = 0.5;
  ShowAttendTell model(config);
  const Source images{random_images(2, config, 3), Tensor()};
  const Tensor target = targets_in();
  model.forward(images, target);
  const Variable penalty = model.penalty();
  REQUIRE(penalty.defined());
  CHECK_FALSE(model.penalty().defined());  // handed over once

  // The same sum from the decoding steps' alphas: row 1's last step is padding and not counted.
  model.eval();
  const auto state = model.start(model.encode(images));
  std::vector<double> looked(12, 0.0);  // [B, L]
  for (int64_t t = 0; t < 4; ++t) {
    const Step step = model.step(target.narrow(1, t, 1).reshape({2}).contiguous(), *state);
    for (int64_t b = 0; b < 2; ++b)
      if (target.at({b, t}) != 0)
        for (int64_t l = 0; l < 6; ++l) looked[b * 6 + l] += step.attention.at({b, 0, 0, l});
  }
  double expected = 0;
  for (double s : looked) expected += (1 - s) * (1 - s);
  CHECK(penalty.item() == doctest::Approx(0.5 * expected / 12).epsilon(1e-4));

  model.forward(images, target);  // in evaluation: no penalty
  CHECK_FALSE(model.penalty().defined());
}

TEST_CASE("show_attend_tell: the mean-pooling baseline weighs every cell 1/L and has no penalty") {
  CaptionerConfig config = micro_config();
  config.pooling = CaptionPooling::mean;
  ShowAttendTell model(config);
  const Source images{random_images(1, config, 4), Tensor()};
  model.forward(images, Tensor::from_vector({1, 2}, {1, 4}));
  CHECK_FALSE(model.penalty().defined());
  model.eval();
  const auto state = model.start(model.encode(images));
  const Step step = model.step(Tensor::from_vector({1}, {1}), *state);
  for (int64_t l = 0; l < 6; ++l)
    CHECK(step.attention.at({0, 0, 0, l}) == doctest::Approx(1.0 / 6));
}

TEST_CASE("show_attend_tell: deep_output = tanh feeds L_o tanh(o_t), with the same weights") {
  // With L_o the identity (V = m, no bias) the logits are o_t itself, or tanh(o_t).
  CaptionerConfig config = micro_config();
  config.embedding = config.target_vocab;
  std::vector<Tensor> logits;
  for (const DeepOutput deep_output : {DeepOutput::linear, DeepOutput::tanh}) {
    config.deep_output = deep_output;
    ShowAttendTell model(config);
    CHECK(model.parameter_count() == config.parameter_count());
    for (auto& [name, parameter] : model.named_parameters()) {
      if (name == "output.weight") parameter.mutable_value().copy_from(identity(config.embedding));
      if (name == "output.bias")
        parameter.mutable_value().copy_from(Tensor::zeros({config.embedding}));
    }
    logits.push_back(model.forward({random_images(2, config, 6), Tensor()}, targets_in()).value());
  }
  const Tensor linear = logits[0].contiguous(), squashed = logits[1].contiguous();
  double largest = 0;
  for (int64_t i = 0; i < linear.numel(); ++i) {
    CHECK(squashed.data()[i] == doctest::Approx(std::tanh(linear.data()[i])).epsilon(1e-5));
    largest = std::max(largest, std::abs(static_cast<double>(linear.data()[i])));
  }
  CHECK(largest > 0.1);  // tanh is visibly not the identity on these values
}

TEST_CASE("show_attend_tell: gradients of the loss and the penalty match finite differences") {
  for (const DeepOutput deep_output : {DeepOutput::linear, DeepOutput::tanh}) {
    CAPTURE(static_cast<int>(deep_output));
    CaptionerConfig config = micro_config();
    config.deep_output = deep_output;
    config.encoder_width = 4;
    config.embedding = 3;
    config.hidden = 4;
    config.target_vocab = 5;
    config.image_height = 4;
    config.image_width = 8;  // a 1x2 grid
    config.image_channels = 1;
    config.score = "additive:hidden=3";
    ShowAttendTell model(config);
    const Tensor images = random_images(2, config, 5);
    // No padding: the padding row of the embedding gets no gradient by design, though an output
    // read at a padded position depends on it (the penalty's masking is checked above).
    const Tensor target = Tensor::from_vector({2, 3}, {1, 2, 3, 1, 4, 2});
    const GradCheckResult result = gradcheck_with_parameters(
        model,
        [&](const std::vector<Variable>&) {
          const Variable logits = model.forward({images, Tensor()}, target);  // [2, 3, 5]
          return sum(logits * logits) * real(0.1) + model.penalty();
        },
        {});
    CAPTURE(result.report);
    CHECK(result.passed);
  }
}

TEST_CASE("show_attend_tell: a frozen encoder gives the same logits and takes no gradient") {
  const CaptionerConfig config = micro_config();
  const Source images{random_images(2, config, 7), Tensor()};
  std::vector<Tensor> logits;
  for (const bool frozen : {false, true}) {
    CAPTURE(frozen);
    ShowAttendTell model(config);
    model.freeze_encoder(frozen);
    const Variable out = model.forward(images, targets_in());  // [2, 4, V]
    logits.push_back(out.value().contiguous());
    (sum(out * out) + model.penalty()).backward(Tensor::scalar(1));
    for (const auto& [name, parameter] : model.named_parameters()) {
      CAPTURE(name);
      const bool in_encoder = name.rfind("encoder.", 0) == 0;
      CHECK(parameter.has_grad() == !(frozen && in_encoder));
    }
  }
  for (int64_t i = 0; i < logits[0].numel(); ++i) CHECK(logits[1].data()[i] == logits[0].data()[i]);
}

TEST_CASE("show_attend_tell: greedy and beam search run through the shared decoding code") {
  const CaptionerConfig config = micro_config();
  ShowAttendTell model(config);
  model.eval();
  const Source images{random_images(2, config, 6), Tensor()};
  GreedyOptions greedy;
  greedy.max_length = 5;
  greedy.keep_attention = true;
  const Decoded decoded = greedy_decode(model, images, greedy);
  CHECK(decoded.tokens.size(0) == 2);
  CHECK(decoded.attention.size(-1) == 6);
  BeamSearchOptions beam;
  beam.beam_size = 3;
  beam.max_length = 5;
  CHECK(beam_search(model, images, beam).size(0) == 2);
}
