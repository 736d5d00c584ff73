// The sentence classifier (models/classifier): gradients through every part, the sizes and the
// parameter count of both poolings, padding, and the encoder-decoder view (one step, the class
// after the four special tokens).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "autograd/ops.h"
#include "models/classifier/sentence_classifier.h"
#include "models/seq2seq/special_tokens.h"
#include "tensor/error.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

// 3 classes, words 4..9.
ClassifierConfig tiny_config(SentencePooling pooling = SentencePooling::attention) {
  ClassifierConfig config;
  config.apply_preset("micro");
  config.source_vocab = 10;
  config.target_vocab = special_tokens::count + 3;
  config.embedding = 3;
  config.hidden = 2;
  config.attention_width = 3;
  config.hops = 2;
  config.mlp_hidden = 4;
  config.dropout = 0;
  config.pooling = pooling;
  config.seed = 11;
  return config;
}

// Sentence 0 has 4 words, sentence 1 has 2 and 2 of padding.
Source two_sentences() {
  return token_source(Tensor::from_vector({2, 4}, {4, 5, 6, 7, 8, 9, 0, 0}));
}

}  // namespace

TEST_CASE("sentence classifier: gradients through embedding, BiLSTM, attention pooling, MLP and "
          "the penalty match finite differences") {
  SentenceClassifier model(tiny_config());
  const Source source = two_sentences();
  const GradCheckResult result = gradcheck_with_parameters(
      model,
      [&](const std::vector<Variable>&) {
        const SentenceReading reading = model.read(source);
        const Variable logits = model.class_logits(reading.features);  // [2, 3]
        return sum(logits * logits) * real(0.1) + redundancy_penalty(reading.weights);
      },
      {});
  CAPTURE(result.report);
  CHECK(result.passed);
}

TEST_CASE("sentence classifier: the mean-pooling baseline has the same parameters but the "
          "pooling's, and the count is known before building") {
  for (const char* score : {"dot", "additive", "general"}) {
    CAPTURE(score);
    ClassifierConfig attention = tiny_config();
    attention.score = score;
    const ClassifierConfig mean = tiny_config(SentencePooling::mean);
    SentenceClassifier with(attention), without(mean);
    CHECK(attention.parameter_count() == with.parameter_count());
    CHECK(mean.parameter_count() == without.parameter_count());
    CHECK(mean.pooling_parameter_count() == 0);
    CHECK(with.parameter_count() - without.parameter_count() == attention.pooling_parameter_count());
    int64_t pooling = 0;
    for (const auto& [name, parameter] : with.named_parameters())
      if (name.rfind("pooling.", 0) == 0) pooling += parameter.value().numel();
    CHECK(pooling == attention.pooling_parameter_count());
  }
}

TEST_CASE("sentence classifier: padding weighs 0 and changes nothing; mean pooling weighs each "
          "real word 1/n") {
  for (SentencePooling pooling : {SentencePooling::attention, SentencePooling::mean}) {
    SentenceClassifier model(tiny_config(pooling));
    model.eval();
    const SentenceReading batched = model.read(two_sentences());
    const SentenceReading alone = model.read(token_source(Tensor::from_vector({1, 2}, {8, 9})));
    const Tensor A = batched.weights.value();  // [2, r, 4]
    for (int64_t i = 0; i < 2; ++i) {
      CHECK(A.at({1, i, 2}) == 0);
      CHECK(A.at({1, i, 3}) == 0);
      for (int64_t s = 0; s < 2; ++s)
        CHECK(A.at({1, i, s}) == doctest::Approx(alone.weights.value().at({0, i, s})).epsilon(1e-6));
    }
    for (int64_t f = 0; f < batched.features.size(1); ++f)
      CHECK(batched.features.value().at({1, f}) ==
            doctest::Approx(alone.features.value().at({0, f})).epsilon(1e-5));
    if (pooling == SentencePooling::mean) {
      CHECK(A.at({0, 1, 3}) == doctest::Approx(0.25));
      CHECK(A.at({1, 0, 1}) == doctest::Approx(0.5));
    }
  }
}

TEST_CASE("sentence classifier: one decoding step gives the class logits after four special "
          "tokens that are never predicted, and A as its attention") {
  SentenceClassifier model(tiny_config());
  model.eval();
  const Source source = two_sentences();
  const Tensor target_in = Tensor::full({2, 1}, static_cast<real>(special_tokens::bos));
  const Tensor logits = model.forward(source, target_in).value();  // [2, 1, 7]
  CHECK(logits.shape() == Shape{2, 1, 7});
  const Tensor classes = model.class_logits(model.read(source).features).value();  // [2, 3]
  auto state = model.start(model.encode(source));
  const Step step = model.step(Tensor::full({2}, static_cast<real>(special_tokens::bos)), *state);
  CHECK(step.attention.shape() == Shape{2, 2, 1, 4});
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t v = 0; v < special_tokens::count; ++v) CHECK(logits.at({b, 0, v}) < -1e8);
    for (int64_t c = 0; c < 3; ++c) {
      CHECK(logits.at({b, 0, 4 + c}) == doctest::Approx(classes.at({b, c})).epsilon(1e-6));
      CHECK(step.logits.value().at({b, 4 + c}) == doctest::Approx(classes.at({b, c})).epsilon(1e-6));
    }
  }
  CHECK_THROWS_AS(model.step(Tensor::full({2}, 4), *state), Error);  // one step only
}

TEST_CASE("sentence classifier: the penalty is kept in training only, with attention only") {
  const Tensor target_in = Tensor::full({2, 1}, static_cast<real>(special_tokens::bos));
  SentenceClassifier model(tiny_config());
  model.train();
  model.forward(two_sentences(), target_in);
  const Variable penalty = model.penalty();
  REQUIRE(penalty.defined());
  CHECK(penalty.item() == doctest::Approx(redundancy_penalty(model.read(two_sentences()).weights)
                                              .item() * model.config().penalty).epsilon(1e-5));
  CHECK_FALSE(model.penalty().defined());  // handed over once
  model.eval();
  model.forward(two_sentences(), target_in);
  CHECK_FALSE(model.penalty().defined());
  SentenceClassifier baseline(tiny_config(SentencePooling::mean));
  baseline.forward(two_sentences(), target_in);
  CHECK_FALSE(baseline.penalty().defined());
}

TEST_CASE("sentence classifier: a config that cannot work is refused naming the setting") {
  ClassifierConfig config = tiny_config();
  config.target_vocab = special_tokens::count + 1;
  CHECK_THROWS_WITH_AS(config.check(),
                       "sentence_classifier: needs at least 2 classes: target_vocab must be at "
                       "least 6, got 5",
                       Error);
  config = tiny_config();
  config.score = "nonsense";
  CHECK_THROWS_AS(config.check(), Error);
}
