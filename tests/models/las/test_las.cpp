// Listen, Attend and Spell: the pyramid's shapes and padding, decoding one character at a time
// against teacher forcing, parameter counts, gradients, and errors.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/ops.h"
#include "models/decoding/beam_search.h"
#include "models/decoding/greedy.h"
#include "models/las/las.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

LasConfig micro_config() {
  LasConfig config;
  config.apply_preset("micro");  // R_l 8, P 2, D 8, R 16
  config.features = 5;
  config.target_vocab = 9;
  config.seed = 3;
  config.dropout = 0;
  return config;
}

Tensor random_frames(int64_t B, int64_t T, int64_t F, uint64_t seed) {
  Generator generator(seed);
  return normal({B, T, F}, 0, 1, generator);
}

// [B, T]: row b has lengths[b] real frames, the rest padding
Tensor frame_mask(const std::vector<int64_t>& lengths, int64_t T) {
  Tensor mask = Tensor::zeros({static_cast<int64_t>(lengths.size()), T});
  for (size_t b = 0; b < lengths.size(); ++b)
    for (int64_t t = 0; t < lengths[b]; ++t) mask.at({static_cast<int64_t>(b), t}) = 1;
  return mask;
}

// <bos> c c c, with the second row one character shorter (padded)
Tensor targets_in() { return Tensor::from_vector({2, 4}, {1, 4, 5, 6, 1, 7, 8, 0}); }

}  // namespace

TEST_CASE("las: the listener halves time P times; a padded row's steps are exactly 0") {
  const LasConfig config = micro_config();
  ListenAttendSpell model(config);
  const Tensor frames = random_frames(2, 13, 5, 1);
  const Memory memory = model.encode({frames, frame_mask({13, 6}, 13)});
  // 13 frames -> 7 -> 4 steps; 6 real frames -> 3 -> 2 real steps
  CHECK(memory.states.shape() == Shape{2, 4, 16});
  REQUIRE(memory.mask.defined());
  CHECK(memory.mask.to_vector() == std::vector<real>{1, 1, 1, 1, 1, 1, 0, 0});
  for (int64_t u = 2; u < 4; ++u)
    for (int64_t k = 0; k < 16; ++k) CHECK(memory.states.value().at({1, u, k}) == 0);
  CHECK(model.listener().steps_for(13) == 4);
  CHECK(memory.final_states.size() == 2 * 3 * 2);  // h and c of 3 layers x 2 directions
}

TEST_CASE("las: a row padded into a batch is heard and spelled as it is alone") {
  const LasConfig config = micro_config();
  ListenAttendSpell model(config);
  model.eval();
  const Tensor frames = random_frames(2, 11, 5, 2);
  const Tensor target = Tensor::from_vector({2, 3}, {1, 4, 5, 1, 6, 7});
  const Tensor batched = model.forward({frames, frame_mask({11, 7}, 11)}, target).value();
  const Tensor alone_frames = frames.narrow(0, 1, 1).narrow(1, 0, 7).contiguous();
  const Tensor alone =
      model.forward({alone_frames, Tensor()}, target.narrow(0, 1, 1).contiguous()).value();
  for (int64_t t = 0; t < 3; ++t)
    for (int64_t v = 0; v < 9; ++v)
      CHECK(batched.at({1, t, v}) == doctest::Approx(alone.at({0, t, v})).epsilon(1e-5));
}

TEST_CASE("las: spelling character by character equals teacher forcing, attention rows sum to 1") {
  for (const char* score : {"location_aware", "additive", "dot", "general"}) {
    CAPTURE(score);
    LasConfig config = micro_config();
    config.score = score;
    ListenAttendSpell model(config);
    model.eval();
    const Source audio{random_frames(2, 16, 5, 3), frame_mask({16, 12}, 16)};
    const Tensor target = targets_in();
    const Tensor all = model.forward(audio, target).value();  // [2, 4, V]
    const auto state = model.start(model.encode(audio));
    for (int64_t t = 0; t < 4; ++t) {
      const Step step = model.step(target.narrow(1, t, 1).reshape({2}).contiguous(), *state);
      for (int64_t b = 0; b < 2; ++b)
        for (int64_t v = 0; v < 9; ++v)
          CHECK(step.logits.value().at({b, v}) == doctest::Approx(all.at({b, t, v})).epsilon(1e-5));
      CHECK(step.attention.shape() == Shape{2, 1, 1, 4});  // 16 frames -> 4 listener steps
      for (int64_t b = 0; b < 2; ++b) {
        double total = 0;
        for (int64_t u = 0; u < 4; ++u) total += step.attention.at({b, 0, 0, u});
        CHECK(total == doctest::Approx(1).epsilon(1e-5));
      }
      CHECK(step.attention.at({1, 0, 0, 3}) == 0);  // 12 frames -> 3 real steps
    }
  }
}

TEST_CASE("las: parameter_count() counts what build() makes, every initial state") {
  for (const InitialState initial : {InitialState::zero, InitialState::backward, InitialState::last}) {
    LasConfig config = micro_config();
    config.initial_state = initial;
    config.decoder_layers = 2;
    CHECK(config.build()->parameter_count() == config.parameter_count());
  }
}

TEST_CASE("las: gradients through listener and speller match finite differences") {
  LasConfig config = micro_config();
  config.features = 2;
  config.listener_hidden = 2;
  config.pyramid = 1;
  config.embedding = 3;
  config.hidden = 4;
  config.target_vocab = 5;
  config.score = "location_aware:filters=2,width=3,hidden=3";
  ListenAttendSpell model(config);
  const Tensor frames = random_frames(2, 5, 2, 4);
  const Tensor mask = frame_mask({5, 3}, 5);
  const Tensor target = Tensor::from_vector({2, 3}, {1, 2, 3, 1, 4, 2});
  const GradCheckResult result = gradcheck_with_parameters(
      model,
      [&](const std::vector<Variable>&) {
        const Variable logits = model.forward({frames, mask}, target);  // [2, 3, 5]
        return sum(logits * logits) * real(0.1);
      },
      {});
  CAPTURE(result.report);
  CHECK(result.passed);
}

TEST_CASE("las: greedy and beam search run through the shared decoding code") {
  const LasConfig config = micro_config();
  ListenAttendSpell model(config);
  model.eval();
  const Source audio{random_frames(2, 9, 5, 5), frame_mask({9, 4}, 9)};
  GreedyOptions greedy;
  greedy.max_length = 5;
  greedy.keep_attention = true;
  const Decoded decoded = greedy_decode(model, audio, greedy);
  CHECK(decoded.tokens.size(0) == 2);
  CHECK(decoded.attention.size(-1) == 3);  // 9 frames -> 5 -> 3 steps
  BeamSearchOptions beam;
  beam.beam_size = 3;
  beam.max_length = 5;
  CHECK(beam_search(model, audio, beam).size(0) == 2);
}

TEST_CASE("las: frames of the wrong width are refused naming both shapes") {
  ListenAttendSpell model(micro_config());
  CHECK_THROWS_WITH_AS(model.encode({Tensor::zeros({2, 7, 4}), Tensor()}),
                       "Listener: frames must be [B, T, 5] with T >= 1, got [2,7,4]", Error);
  CHECK_THROWS_WITH_AS(model.encode({Tensor::zeros({2, 7}), Tensor()}),
                       "las encode: source must be frames [B, T, F], got [2,7]", Error);
}
