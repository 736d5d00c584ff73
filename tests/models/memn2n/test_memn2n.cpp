// The end-to-end memory network (models/memn2n): a two-sentence story computed by hand, the
// position encoding's weights, gradients through every option, padding, the random noise on
// the distances, and the encoder-decoder view (one step, one row of attention per hop).
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "models/memn2n/memn2n.h"
#include "tensor/error.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

// Ids 0..3 are <pad> <bos> <eos> <unk>; 4 = "a", 5 = "b".
MemN2NConfig small_config() {
  MemN2NConfig config;
  config.apply_preset("micro");
  config.source_vocab = config.target_vocab = 6;
  config.embedding = 2;
  config.hops = 1;
  config.memory_size = 3;  // a two-sentence story leaves one slot empty
  config.encoding = SentenceEncoding::bag_of_words;
  config.temporal = false;
  config.random_noise = 0;
  config.seed = 5;
  return config;
}

Source story_source(const Tensor& story, const Tensor& mask, const Tensor& question) {
  Source source;
  source.input = story;
  source.mask = mask;
  source.query = question;
  return source;
}

// Story "a" / "b b", question "b": one sequence of the hand computation below.
Source two_sentence_story() {
  return story_source(Tensor::from_vector({1, 2, 2}, {4, 0, 5, 5}), Tensor::ones({1, 2}),
                      Tensor::from_vector({1, 1}, {5}));
}

// E^0 (A and B): a -> [1, 0], b -> [0, 1];  E^1 (C and W^T): a -> [2, 0], b -> [0, 3].
void set_hand_weights(MemN2N& model) {
  StateDict state = model.state_dict();
  state["embedding.0"] = Tensor::from_vector({6, 2}, {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1});
  state["embedding.1"] = Tensor::from_vector({6, 2}, {0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 3});
  model.load_state_dict(state);
}

// A story of 3 sentences and a padded one of 2, words padded to J = 3, for the gradient checks.
Source random_batch() {
  return story_source(Tensor::from_vector({2, 3, 3}, {4, 5, 0, 5, 0, 0, 4, 4, 5,  //
                                                      5, 4, 0, 4, 0, 0, 0, 0, 0}),
                      Tensor::from_vector({2, 3}, {1, 1, 1, 1, 1, 0}),
                      Tensor::from_vector({2, 2}, {4, 5, 5, 0}));
}

}  // namespace

TEST_CASE("memn2n: a two-sentence story gives the hand-computed attention and answer") {
  // m = [A a, A b + A b] = [[1, 0], [0, 2]];  c = [[2, 0], [0, 6]];  u^1 = B b = [0, 1]
  // scores [u.m_1, u.m_2] = [0, 2], and the third slot is empty (score 0, value 0):
  // p = [e^0, e^2] / (e^0 + e^2 + e^0) = [0.106507, 0.786986]
  // o = 0.106507 [2, 0] + 0.786986 [0, 6] = [0.213014, 4.721916];  u^2 = u^1 + o
  // logits = W u^2 = C^1 u^2: "a" 2 * 0.213014 = 0.426028, "b" 3 * 5.721916 = 17.165749
  MemN2N model(small_config());
  set_hand_weights(model);
  model.eval();
  const Reading reading = model.read(two_sentence_story());
  CHECK(reading.hop_weights.value().at({0, 0, 0}) == doctest::Approx(0.106507).epsilon(1e-5));
  CHECK(reading.hop_weights.value().at({0, 0, 1}) == doctest::Approx(0.786986).epsilon(1e-5));
  const Tensor logits = model.answer_logits(reading.answer_features).value();  // [1, V]
  CHECK(logits.at({0, 4}) == doctest::Approx(0.426028).epsilon(1e-5));
  CHECK(logits.at({0, 5}) == doctest::Approx(17.165749).epsilon(1e-5));
  CHECK(logits.at({0, 0}) == 0);

  SUBCASE("without empty slots the two sentences share all of the softmax") {
    // p = softmax([0, 2]) = [0.119203, 0.880797];  o = [0.238406, 5.284782]
    // logits "a" 2 * 0.238406 = 0.476812, "b" 3 * 6.284782 = 18.854346
    MemN2NConfig config = small_config();
    config.empty_slots = false;
    MemN2N full(config);
    set_hand_weights(full);
    full.eval();
    const Reading read = full.read(two_sentence_story());
    CHECK(read.hop_weights.value().at({0, 0, 0}) == doctest::Approx(0.119203).epsilon(1e-5));
    CHECK(read.hop_weights.value().at({0, 0, 1}) == doctest::Approx(0.880797).epsilon(1e-5));
    const Tensor answer = full.answer_logits(read.answer_features).value();
    CHECK(answer.at({0, 4}) == doctest::Approx(0.476812).epsilon(1e-5));
    CHECK(answer.at({0, 5}) == doctest::Approx(18.854346).epsilon(1e-5));
  }

  SUBCASE("without the softmax (linear start) the weights are the scores") {
    // p = [0, 2];  o = 2 [0, 6] = [0, 12];  u^2 = [0, 13];  logits "b" = 39
    model.set_softmax(false);
    const Reading linear = model.read(two_sentence_story());
    CHECK(linear.hop_weights.value().to_vector() == std::vector<real>{0, 2});
    CHECK(model.answer_logits(linear.answer_features).value().at({0, 5}) ==
          doctest::Approx(39).epsilon(1e-6));
  }
}

TEST_CASE("memn2n: position encoding l_kj = 1 + 4 (k - (D+1)/2)(j - (J+1)/2) / (D J) per sentence") {
  // J = 2, D = 2: j = 1 -> [1.25, 0.75], j = 2 -> [0.75, 1.25];  a one-word sentence: [1, 1]
  const Tensor l = position_encoding_weights(Tensor::from_vector({2, 2}, {4, 5, 4, 0}), 2);
  CHECK(l.shape() == Shape{2, 2, 2});
  CHECK(l.to_vector() == std::vector<real>{1.25, 0.75, 0.75, 1.25, 1, 1, 0, 0});
}

TEST_CASE("memn2n: gradients match finite differences for every encoding, tying and start") {
  for (const SentenceEncoding encoding : {SentenceEncoding::bag_of_words, SentenceEncoding::position})
    for (const WeightTying tying : {WeightTying::adjacent, WeightTying::layerwise})
      for (const bool linear : {false, true}) {
        CAPTURE(encoding == SentenceEncoding::position);
        CAPTURE(tying == WeightTying::layerwise);
        CAPTURE(linear);
        MemN2NConfig config = small_config();
        config.embedding = 3;
        config.hops = 2;
        config.memory_size = 4;
        config.encoding = encoding;
        config.tying = tying;
        config.temporal = true;
        config.linear = linear;
        MemN2N model(config);
        model.eval();
        const Source batch = random_batch();
        const GradCheckResult result = gradcheck_with_parameters(
            model,
            [&](const std::vector<Variable>&) {
              return model.answer_logits(model.read(batch).answer_features);  // [B, V]
            },
            {});
        CAPTURE(result.report);
        CHECK(result.passed);
      }
}

TEST_CASE("memn2n: parameter_count() counts what build() makes, for both tyings") {
  for (const WeightTying tying : {WeightTying::adjacent, WeightTying::layerwise})
    for (const std::string score : {"dot", "general"}) {
      MemN2NConfig config = small_config();
      config.tying = tying;
      config.temporal = true;
      config.score = score;
      CHECK(config.build()->parameter_count() == config.parameter_count());
    }
}

TEST_CASE("memn2n: a padded batch answers each story as it answers it alone") {
  MemN2NConfig config = small_config();
  config.hops = 3;
  config.temporal = true;
  config.encoding = SentenceEncoding::position;
  MemN2N model(config);
  model.eval();
  const Source batch = random_batch();
  const Tensor together = model.answer_logits(model.read(batch).answer_features).value();
  // The second story alone: its 2 sentences, its words up to the longest (2), the question "b".
  const Source alone = story_source(Tensor::from_vector({1, 2, 2}, {5, 4, 4, 0}),
                                    Tensor::ones({1, 2}), Tensor::from_vector({1, 1}, {5}));
  const Tensor single = model.answer_logits(model.read(alone).answer_features).value();
  for (int64_t v = 0; v < 6; ++v)
    CHECK(together.at({1, v}) == doctest::Approx(single.at({0, v})).epsilon(1e-5));
}

TEST_CASE("memn2n: random noise spreads the distances in training, never in evaluation") {
  MemN2NConfig config = small_config();
  config.temporal = true;
  config.random_noise = 0.5;
  config.memory_size = 12;
  MemN2N model(config);
  const Source source = story_source(Tensor::full({1, 8, 1}, 4), Tensor::ones({1, 8}),
                                     Tensor::from_vector({1, 1}, {4}));
  model.eval();
  std::set<std::vector<real>> seen;
  for (int trial = 0; trial < 20; ++trial) {
    // The embedding of each slot differs by T_A(distance): distances show through the weights.
    seen.insert(model.read(source).hop_weights.value().to_vector());
  }
  CHECK(seen.size() == 1);
  model.train();
  for (int trial = 0; trial < 20; ++trial)
    seen.insert(model.read(source).hop_weights.value().to_vector());
  CHECK(seen.size() > 1);
}

TEST_CASE("memn2n: as an encoder-decoder it answers in one step, one attention row per hop") {
  MemN2NConfig config = small_config();
  config.hops = 3;
  MemN2N model(config);
  model.eval();
  const Source batch = random_batch();
  const Tensor forward = model.forward(batch, Tensor::ones({2, 1})).value();  // [B, 1, V]
  auto state = model.start(model.encode(batch));
  const Step step = model.step(Tensor::ones({2}), *state);
  CHECK(step.attention.shape() == Shape{2, 3, 1, 3});
  CHECK(step.logits.value().to_vector() == forward.reshape({2, 6}).to_vector());
  CHECK_THROWS_WITH_AS(model.step(Tensor::ones({2}), *state),
                       "memn2n: a memory network answers in one word; there is no second step",
                       Error);
  CHECK_THROWS_AS(model.forward(batch, Tensor::ones({2, 2})), Error);
}
