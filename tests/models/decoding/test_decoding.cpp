// Decoding, for every registered model with every registered score function: the decoder's
// state changes nothing but speed, beam search finds translations at least as probable as greedy
// decoding's, and each sentence's result is independent of its batch.
//
// The reference for "changes nothing" is the model without its state: Recomputing (below) runs
// forward() over the whole prefix at every step, which is slow and plainly right. Greedy and
// beam search through it must give the tokens they give through the model's own state (key and
// value caches, positions, alignment histories, reordering).
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "models/decoding/beam_search.h"
#include "models/decoding/greedy.h"
#include "models/registry.h"
#include "models/seq2seq/special_tokens.h"
#include "nn/attention/registry.h"
#include "tensor/index.h"
#include "tensor/join.h"
#include "tensor/kernels.h"

using namespace attn;

namespace {

constexpr double kTolerance = sizeof(real) == sizeof(double) ? 1e-10 : 1e-4;

// Architecture `arch` at its micro preset, with score function `score`, vocabularies 11 and 13,
// and dropout on (decoding must switch it off) where the architecture has it.
std::unique_ptr<Seq2Seq> micro_model(const std::string& arch, const std::string& score) {
  std::unique_ptr<ModelConfig> config = model_architecture(arch).make_config();
  config->apply_preset("micro");
  config->source_vocab = 11;
  config->target_vocab = 13;
  config->max_length = 32;
  config->seed = 5;
  Settings settings = config->settings();
  find_setting(settings, "score", arch).set(score);
  for (Setting& setting : settings)
    if (setting.name == "dropout") setting.set("0.1");
  return config->build();
}

// A score's small settings, so the tests stay fast.
std::string small(const std::string& score) {
  return score == "location_aware" ? "location_aware:filters=2,width=3" : score;
}

// Two sources, the second padded: [[4 5 6 7 8], [9 10 3 0 0]].
Source sources() {
  return token_source(Tensor::from_vector({2, 5}, {4, 5, 6, 7, 8, 9, 10, 3, 0, 0}));
}

// Rows `rows` of a source.
Source rows_of(const Source& source, const Tensor& rows) {
  return {index_select(source.input, 0, rows), index_select(source.mask, 0, rows)};
}

// The model without its decoder state: every step runs forward() on the whole prefix.
class Recomputing : public Seq2Seq {
 public:
  explicit Recomputing(Seq2Seq& model) : model_(model) { register_module("model", model_); }

  struct State : DecoderState {
    Source source;  // [N, S]
    Tensor prefix;  // [N, t]: the tokens fed so far, <bos> first
    void reorder(const Tensor& rows) override {
      source = rows_of(source, rows);
      prefix = index_select(prefix, 0, rows);
    }
  };

  Memory encode(const Source& source) override {
    last_source_ = source;
    return model_.encode(source);
  }
  std::unique_ptr<DecoderState> start(const Memory& memory) override {
    auto state = std::make_unique<State>();
    state->source = last_source_;
    state->prefix = Tensor({memory.states.size(0), 0});
    return state;
  }
  Step step(const Tensor& tokens, DecoderState& decoder_state) override {
    auto& state = dynamic_cast<State&>(decoder_state);
    const int64_t N = tokens.numel();
    state.prefix = concat({state.prefix, tokens.view({N, 1})}, 1);             // [N, t + 1]
    const Tensor logits = model_.forward(state.source, state.prefix).value();  // [N, t + 1, V]
    return {Variable(logits.narrow(1, logits.size(1) - 1, 1).squeeze(1).contiguous()), Tensor()};
  }
  Variable forward(const Source& source, const Tensor& target_in) override {
    return model_.forward(source, target_in);
  }
  int64_t target_vocab() const override { return model_.target_vocab(); }
  Generator& generator() override { return model_.generator(); }

 private:
  Seq2Seq& model_;
  Source last_source_;
};

// log p(tokens | source) of each row, by one teacher-forced pass; rows end at <eos>.
std::vector<double> sequence_log_probs(Seq2Seq& model, const Source& source, const Tensor& tokens) {
  NoGradGuard no_grad;
  EvalModeGuard eval(model);
  const int64_t B = tokens.size(0), L = tokens.size(1);
  Tensor target_in = Tensor::full({B, L}, static_cast<real>(special_tokens::bos));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 1; t < L; ++t) target_in.at({b, t}) = tokens.at({b, t - 1});
  const Tensor log_probs = log_softmax(model.forward(source, target_in).value(), -1);  // [B, L, V]
  std::vector<double> totals(static_cast<size_t>(B), 0);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < L; ++t) {
      const int64_t token = static_cast<int64_t>(tokens.at({b, t}));
      if (token == special_tokens::pad) break;
      totals[static_cast<size_t>(b)] += log_probs.at({b, t, token});
      if (token == special_tokens::eos) break;
    }
  return totals;
}

GreedyOptions greedy_up_to(int64_t max_length) {
  GreedyOptions options;
  options.max_length = max_length;
  return options;
}

}  // namespace

// ---- the state changes nothing ------------------------------------------------------------------

TEST_CASE(
    "decoding: for every model and score function, each step's logits equal forward() on "
    "the whole prefix") {
  for (const ModelEntry& arch : model_architectures())
    for (const ScoreEntry& score : score_functions()) {
      CAPTURE(arch.name);
      CAPTURE(score.name);
      const std::unique_ptr<Seq2Seq> model = micro_model(arch.name, small(score.name));
      model->eval();
      NoGradGuard no_grad;
      const Source source = sources();
      const Tensor prefix = Tensor::from_vector({2, 4}, {1, 7, 3, 12, 1, 4, 4, 9});  // <bos> ...
      const Tensor full = model->forward(source, prefix).value();                    // [2, 4, V]
      const std::unique_ptr<DecoderState> state = model->start(model->encode(source));
      for (int64_t t = 0; t < 4; ++t) {
        const Step step = model->step(prefix.narrow(1, t, 1).contiguous().view({2}), *state);
        CHECK(
            allclose(step.logits.value(), full.narrow(1, t, 1).squeeze(1), kTolerance, kTolerance));
      }
    }
}

TEST_CASE(
    "decoding: for every model and score function, greedy and beam search through the "
    "model's state equal them through recomputation") {
  for (const ModelEntry& arch : model_architectures())
    for (const ScoreEntry& score : score_functions()) {
      CAPTURE(arch.name);
      CAPTURE(score.name);
      const std::unique_ptr<Seq2Seq> model = micro_model(arch.name, small(score.name));
      Recomputing reference(*model);
      const Tensor cached = greedy_decode(*model, sources(), greedy_up_to(8)).tokens;
      const Tensor recomputed = greedy_decode(reference, sources(), greedy_up_to(8)).tokens;
      CHECK(cached.to_vector() == recomputed.to_vector());
      BeamSearchOptions beam;
      beam.beam_size = 3;
      beam.max_length = 8;
      CHECK(beam_search(*model, sources(), beam).to_vector() ==
            beam_search(reference, sources(), beam).to_vector());
    }
}

TEST_CASE("decoding: for every model, reordering the state follows the chosen rows") {
  for (const ModelEntry& arch : model_architectures()) {
    CAPTURE(arch.name);
    const std::unique_ptr<Seq2Seq> model =
        micro_model(arch.name, "location_aware:filters=2,width=3");
    model->eval();
    NoGradGuard no_grad;
    const Source source = sources();
    const std::unique_ptr<DecoderState> both = model->start(model->encode(source));
    model->step(Tensor::from_vector({2}, {1, 1}), *both);
    both->reorder(Tensor::from_vector({2}, {1, 1}));  // keep row 1 twice
    const Tensor next = model->step(Tensor::from_vector({2}, {5, 5}), *both).logits.value();
    CHECK(allclose(next.narrow(0, 0, 1), next.narrow(0, 1, 1)));
    const Source second = rows_of(source, Tensor::from_vector({1}, {1}));
    const std::unique_ptr<DecoderState> alone = model->start(model->encode(second));
    model->step(Tensor::from_vector({1}, {1}), *alone);
    const Tensor expected = model->step(Tensor::from_vector({1}, {5}), *alone).logits.value();
    CHECK(allclose(next.narrow(0, 0, 1), expected, kTolerance, kTolerance));
  }
}

// ---- greedy decoding ----------------------------------------------------------------------------

TEST_CASE("greedy_decode: for every model, restores training mode and ends rows at <eos>") {
  for (const ModelEntry& arch : model_architectures()) {
    CAPTURE(arch.name);
    const std::unique_ptr<Seq2Seq> model = micro_model(arch.name, "scaled_dot");
    model->train();
    const Tensor output = greedy_decode(*model, sources(), greedy_up_to(12)).tokens;
    CHECK(model->is_training());
    CHECK(output.size(0) == 2);
    CHECK(output.size(1) <= 12);
    for (int64_t b = 0; b < 2; ++b) {
      bool ended = false;
      for (int64_t t = 0; t < output.size(1); ++t) {
        if (ended) CHECK(output.at({b, t}) == special_tokens::pad);  // padding after <eos>
        ended = ended || output.at({b, t}) == special_tokens::eos;
      }
    }
  }
}

TEST_CASE(
    "greedy_decode: the attention it keeps is each step's, [B, L, layers, heads, S], rows "
    "summing to 1 with padded source positions at 0") {
  for (const ModelEntry& arch : model_architectures()) {
    CAPTURE(arch.name);
    const std::unique_ptr<Seq2Seq> model = micro_model(arch.name, "scaled_dot");
    GreedyOptions options = greedy_up_to(6);
    options.keep_attention = true;
    const Decoded decoded = greedy_decode(*model, sources(), options);
    const Tensor& a = decoded.attention;
    REQUIRE(a.ndim() == 5);
    CHECK(a.size(0) == 2);
    CHECK(a.size(1) == decoded.tokens.size(1));
    CHECK(a.size(4) == 5);
    const Tensor row_sums = sum(a, -1);
    CHECK(allclose(row_sums, Tensor::ones(row_sums.shape()), 1e-5, 1e-5));
    for (int64_t t = 0; t < a.size(1); ++t) {
      CHECK(a.at({1, t, 0, 0, 3}) == 0);  // sentence 1's two pads
      CHECK(a.at({1, t, 0, 0, 4}) == 0);
    }
  }
}

TEST_CASE("greedy_decode: a sentence's own limit gives what decoding it alone gives") {
  const std::unique_ptr<Seq2Seq> model = micro_model("transformer", "scaled_dot");
  GreedyOptions together = greedy_up_to(8);
  together.sentence_max_lengths = {3, 8};
  const Tensor both = greedy_decode(*model, sources(), together).tokens;
  for (int64_t b = 0; b < 2; ++b) {
    const GreedyOptions alone = greedy_up_to(together.sentence_max_lengths[static_cast<size_t>(b)]);
    const Source one = rows_of(sources(), Tensor::from_vector({1}, {static_cast<real>(b)}));
    const Tensor tokens = greedy_decode(*model, one, alone).tokens;  // [1, L_b]
    CHECK(tokens.size(1) <= alone.max_length);
    CHECK(both.narrow(0, b, 1).narrow(1, 0, tokens.size(1)).to_vector() == tokens.to_vector());
  }
  together.sentence_max_lengths = {9, 3};
  CHECK_THROWS_WITH_AS(greedy_decode(*model, sources(), together),
                       "greedy_decode: each sentence's limit must be in 1..max_length", Error);
}

// ---- beam search --------------------------------------------------------------------------------

TEST_CASE("beam_search: for every model, a beam of one is greedy decoding") {
  for (const ModelEntry& arch : model_architectures()) {
    CAPTURE(arch.name);
    const std::unique_ptr<Seq2Seq> model = micro_model(arch.name, "scaled_dot");
    BeamSearchOptions options;
    options.beam_size = 1;
    options.length_penalty = 0;
    options.max_length = 10;
    const Tensor beam = beam_search(*model, sources(), options);
    const Tensor greedy = greedy_decode(*model, sources(), greedy_up_to(10)).tokens;
    REQUIRE(beam.shape() == greedy.shape());
    CHECK(beam.to_vector() == greedy.to_vector());
  }
}

// A beam is not in general at least as good as greedy decoding: it may drop greedy's prefix for
// others that score higher so far and then fall (a search error; the recurrent micro model
// shows one at beams 2 and 4). A beam wide enough to keep every prefix (K >= V^(L-1) for L
// steps) searches exhaustively, and that must find a translation at least as probable.
TEST_CASE(
    "beam_search: for every model, a beam that keeps every prefix finds a translation at least "
    "as probable as greedy's") {
  for (const ModelEntry& arch : model_architectures()) {
    CAPTURE(arch.name);
    const std::unique_ptr<Seq2Seq> model = micro_model(arch.name, "scaled_dot");
    const Source source = sources();
    const Tensor greedy = greedy_decode(*model, source, greedy_up_to(3)).tokens;
    const std::vector<double> greedy_scores = sequence_log_probs(*model, source, greedy);
    BeamSearchOptions options;
    options.beam_size = 13 * 13;  // V^2: every prefix of up to 2 tokens stays in the beam
    options.length_penalty = 0;   // compare raw log-probabilities
    options.max_length = 3;
    const Tensor beam = beam_search(*model, source, options);
    const std::vector<double> beam_scores = sequence_log_probs(*model, source, beam);
    for (size_t b = 0; b < greedy_scores.size(); ++b)
      CHECK(beam_scores[b] >= greedy_scores[b] - 1e-4);
  }
}

TEST_CASE("beam_search: bad arguments are refused") {
  const std::unique_ptr<Seq2Seq> model = micro_model("transformer", "scaled_dot");
  BeamSearchOptions options;
  options.beam_size = 0;
  CHECK_THROWS_WITH(beam_search(*model, sources(), options),
                    "beam_search: beam_size must be at least 1");
  options.beam_size = 2;
  options.max_length = 8;
  options.sentence_max_lengths = {4};  // two sentences, one limit
  CHECK_THROWS_WITH(beam_search(*model, sources(), options),
                    "beam_search: sentence_max_lengths needs one limit per sentence of the batch");
  options.sentence_max_lengths = {4, 9};  // above max_length
  CHECK_THROWS_WITH(beam_search(*model, sources(), options),
                    "beam_search: each sentence's limit must be in 1..max_length");
}

TEST_CASE("beam_search: a sentence's own limit gives what searching it alone gives") {
  const std::unique_ptr<Seq2Seq> model = micro_model("transformer", "scaled_dot");
  BeamSearchOptions together;
  together.beam_size = 3;
  together.max_length = 8;
  together.sentence_max_lengths = {3, 8};
  const Tensor both = beam_search(*model, sources(), together);  // [2, L]
  for (int64_t b = 0; b < 2; ++b) {
    BeamSearchOptions alone = together;
    alone.max_length = together.sentence_max_lengths[static_cast<size_t>(b)];
    alone.sentence_max_lengths.clear();
    const Source one = rows_of(sources(), Tensor::from_vector({1}, {static_cast<real>(b)}));
    const Tensor tokens = beam_search(*model, one, alone);  // [1, L_b]
    const Tensor row = both.narrow(0, b, 1).narrow(1, 0, tokens.size(1));
    CHECK(row.to_vector() == tokens.to_vector());
    CHECK(tokens.size(1) <= alone.max_length);
    const int64_t rest = both.size(1) - tokens.size(1);  // the batch's row is padded after that
    if (rest > 0) CHECK(max(both.narrow(0, b, 1).narrow(1, tokens.size(1), rest), 1).item() == 0);
  }
}
