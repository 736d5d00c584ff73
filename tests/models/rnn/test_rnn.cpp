// The recurrent encoder-decoders (models/rnn): the papers' defaults, the combinations refused,
// shapes, parameter names, gradients end to end, and the causality and padding invariants.
// Decoding through the state (step == forward on the prefix, beam search, reordering) is
// checked for every architecture by tests/models/decoding, with every score function.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "models/registry.h"
#include "models/rnn/rnn_seq2seq.h"
#include "models/rnn/rnn_config.h"
#include "nn/attention/registry.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

// A model small enough for finite differences over every parameter: E 3, R 4, V 6, no dropout.
RnnConfig tiny(RnnAttention style) {
  RnnConfig config;
  config.apply_attention_defaults(style);
  config.source_vocab = 6;
  config.target_vocab = 6;
  config.embedding = 3;
  config.hidden = 4;
  config.dropout = 0;
  config.seed = 3;
  return config;
}

Tensor tokens(int64_t batch, int64_t length, const std::vector<real>& ids) {
  return Tensor::from_vector({batch, length}, ids);
}

const Source kSource = token_source(tokens(2, 4, {3, 4, 5, 2, 5, 3, 0, 0}));  // row 1: two pads
const Tensor kTarget = tokens(2, 3, {1, 3, 4, 1, 5, 2});                      // <bos> = 1 first

bool has_parameter(const Module& module, const std::string& name) {
  for (const auto& [found, value] : module.named_parameters())
    if (found == name) return true;
  return false;
}

// L = sum(logits * w) for fixed random w, checked against finite differences in every parameter.
void check_gradients(const RnnConfig& config) {
  const std::unique_ptr<Seq2Seq> model = config.build();
  model->eval();
  Generator generator(7);
  const Variable w(normal({2, 3, config.target_vocab}, 0, 1, generator));
  const auto loss = [&](const std::vector<Variable>&) {
    return sum(model->forward(kSource, kTarget) * w);
  };
  const GradCheckResult result = gradcheck_with_parameters(*model, loss, {});
  CHECK_MESSAGE(result.passed, result.report);
}

// Every setting's value as the settings show it.
std::string setting(RnnConfig& config, const std::string& name) {
  Settings settings = config.settings();
  return find_setting(settings, name, "rnn").get();
}

void set(RnnConfig& config, const std::string& name, const std::string& value) {
  Settings settings = config.settings();
  find_setting(settings, name, "rnn").set(value);
}

}  // namespace

// ---- configuration ----------------------------------------------------------------------------

TEST_CASE("rnn: --attention bahdanau and luong each bring their paper's defaults") {
  RnnConfig config;
  CHECK(setting(config, "attention") == "bahdanau");  // the default model is Bahdanau's
  CHECK(setting(config, "cell") == "gru");
  CHECK(setting(config, "bidirectional") == "true");
  CHECK(setting(config, "score") == "additive");
  CHECK(setting(config, "initial_state") == "backward");
  CHECK(setting(config, "window") == "global");
  set(config, "attention", "luong");
  CHECK(setting(config, "cell") == "lstm");
  CHECK(setting(config, "bidirectional") == "false");
  CHECK(setting(config, "score") == "general");
  CHECK(setting(config, "window") == "local-p");
  CHECK(setting(config, "window_size") == "10");
  CHECK(setting(config, "input_feed") == "true");
  CHECK(setting(config, "initial_state") == "copy");
  CHECK(config.encoder_layers == 2);
  CHECK(config.decoder_layers == 2);
}

TEST_CASE("rnn: settings are applied after --attention, so an explicit option wins") {
  // apply_settings and config.json both walk the settings in declaration order.
  RnnConfig config;
  Settings settings = config.settings();
  std::vector<std::string> order;
  for (const Setting& s : settings) order.push_back(s.name);
  const auto position = [&](const std::string& name) {
    return std::find(order.begin(), order.end(), name) - order.begin();
  };
  for (const char* later : {"cell", "encoder_layers", "bidirectional", "score", "window",
                            "input_feed", "initial_state"})
    CHECK(position("attention") < position(later));
  for (Setting& s : settings) {
    if (s.name == "attention") s.set("luong");
    if (s.name == "cell") s.set("gru");
  }
  CHECK(config.cell == CellKind::gru);
  CHECK(config.input_feed);
}

TEST_CASE("rnn: combinations that cannot work are refused with one line naming the options") {
  RnnConfig bahdanau = tiny(RnnAttention::bahdanau);
  bahdanau.input_feed = true;
  CHECK_THROWS_WITH_AS(bahdanau.check(), doctest::Contains("--input-feed is Luong's"), Error);

  RnnConfig one_way = tiny(RnnAttention::bahdanau);
  one_way.bidirectional = false;
  CHECK_THROWS_WITH_AS(one_way.check(), doctest::Contains("--initial-state backward"), Error);

  RnnConfig copy = tiny(RnnAttention::luong);
  copy.decoder_layers = 3;
  CHECK_THROWS_WITH_AS(copy.check(),
                       doctest::Contains("as many encoder as decoder layers (2 and 3)"), Error);

  RnnConfig odd = tiny(RnnAttention::bahdanau);
  odd.hidden = 5;
  CHECK_THROWS_WITH_AS(odd.check(), doctest::Contains("--hidden 5 is odd"), Error);

  RnnConfig wide = tiny(RnnAttention::bahdanau);
  wide.encoder_hidden = 4;  // memory 8 wide, queries 4: dot cannot compare them
  wide.score = "dot";
  CHECK_THROWS_WITH_AS(wide.check(),
                       doctest::Contains("--score dot does not fit queries R = 4 wide and keys "
                                         "M = 8 wide"),
                       Error);
  wide.score = "general";
  CHECK_NOTHROW(wide.check());
}

TEST_CASE("rnn: presets micro, tiny, small and base set D and R") {
  RnnConfig config;
  const std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> sizes = {
      {"micro", {16, 16}}, {"tiny", {64, 128}}, {"small", {128, 256}}, {"base", {256, 512}}};
  for (const auto& [name, size] : sizes) {
    config.apply_preset(name);
    CHECK(config.embedding == size.first);
    CHECK(config.hidden == size.second);
  }
  CHECK_THROWS_WITH_AS(config.apply_preset("huge"), doctest::Contains("known: micro"), Error);
}

// ---- the models ---------------------------------------------------------------------------------

TEST_CASE("rnn: parameters carry PyTorch's names, so weights map one to one") {
  const std::unique_ptr<Seq2Seq> bahdanau = tiny(RnnAttention::bahdanau).build();
  for (const char* name :
       {"source_embedding.weight", "encoder.weight_ih_l0", "encoder.weight_hh_l0_reverse",
        "encoder.bias_ih_l0_reverse", "bridge.weight", "attention.w_q", "decoder.weight_ih_l0",
        "decoder.bias_hh_l0", "output.weight", "output.bias"}) {
    CAPTURE(name);
    CHECK(has_parameter(*bahdanau, name));
  }
  const std::unique_ptr<Seq2Seq> luong = tiny(RnnAttention::luong).build();
  for (const char* name :
       {"encoder.weight_ih_l1", "decoder.weight_hh_l1", "attention.w_p", "attention.v_p",
        "attention.score.weight", "combine.weight", "output.weight"}) {
    CAPTURE(name);
    CHECK(has_parameter(*luong, name));
  }
  CHECK_FALSE(has_parameter(*luong, "bridge.weight"));  // copy needs no W_s
}

TEST_CASE("rnn: encode, forward and step have the documented shapes") {
  for (RnnAttention style : {RnnAttention::bahdanau, RnnAttention::luong}) {
    const std::unique_ptr<Seq2Seq> model = tiny(style).build();
    model->eval();
    const Memory memory = model->encode(kSource);
    CHECK(memory.states.shape() == Shape{2, 4, 4});                     // [B, S, M]
    CHECK(model->forward(kSource, kTarget).shape() == Shape{2, 3, 6});  // [B, T, V]
    const std::unique_ptr<DecoderState> state = model->start(memory);
    const Step step = model->step(Tensor::from_vector({2}, {1, 1}), *state);
    CHECK(step.logits.shape() == Shape{2, 6});           // [N, V]
    CHECK(step.attention.shape() == Shape{2, 1, 1, 4});  // [N, L, H, S]
    // Padded source positions get no attention; each row's weights sum to 1 (global window).
    CHECK(step.attention.at({1, 0, 0, 2}) == 0);
    CHECK(step.attention.at({1, 0, 0, 3}) == 0);
  }
}

TEST_CASE("rnn: the memory is exactly 0 at padded source positions") {
  const std::unique_ptr<Seq2Seq> model = tiny(RnnAttention::bahdanau).build();
  const Tensor memory = model->encode(kSource).states.value();  // [2, 4, 4]
  for (int64_t s = 2; s < 4; ++s)
    for (int64_t d = 0; d < 4; ++d) CHECK(memory.at({1, s, d}) == 0);
}

TEST_CASE("rnn: Bahdanau's model has the gradients of finite differences, every parameter") {
  check_gradients(tiny(RnnAttention::bahdanau));
  RnnConfig lstm = tiny(RnnAttention::bahdanau);
  lstm.cell = CellKind::lstm;
  lstm.initial_state = InitialState::last;
  lstm.score = "location_aware:filters=2,width=3";
  check_gradients(lstm);
}

TEST_CASE("rnn: Luong's model has the gradients of finite differences, every window") {
  for (WindowKind window : {WindowKind::global, WindowKind::monotonic, WindowKind::predictive}) {
    RnnConfig config = tiny(RnnAttention::luong);
    config.window = window;
    config.window_size = 1;  // narrower than the source, so the window matters
    CAPTURE(static_cast<int>(window));
    check_gradients(config);
  }
  RnnConfig gru = tiny(RnnAttention::luong);
  gru.cell = CellKind::gru;
  gru.input_feed = false;
  gru.bidirectional = true;
  gru.encoder_layers = gru.decoder_layers = 1;
  gru.score = "dot";
  check_gradients(gru);
}

TEST_CASE("rnn: changing target token k never changes the logits at positions < k") {
  for (RnnAttention style : {RnnAttention::bahdanau, RnnAttention::luong}) {
    const std::unique_ptr<Seq2Seq> model = tiny(style).build();
    model->eval();
    const Tensor target = tokens(1, 5, {1, 3, 4, 5, 2});
    const Source source = token_source(kSource.input.narrow(0, 0, 1).contiguous());
    const Tensor reference = model->forward(source, target).value();  // [1, 5, V]
    for (int64_t k = 1; k < 5; ++k) {
      CAPTURE(k);
      Tensor changed = target.clone();
      changed.at({0, k}) = 4;
      if (target.at({0, k}) == 4) changed.at({0, k}) = 5;
      const Tensor logits = model->forward(source, changed).value();
      CHECK(allclose(logits.narrow(1, 0, k), reference.narrow(1, 0, k), 0, 0));
      CHECK_FALSE(allclose(logits.narrow(1, k, 1), reference.narrow(1, k, 1)));
    }
  }
}

TEST_CASE("rnn: padding the source with more pad tokens never changes the logits") {
  for (RnnAttention style : {RnnAttention::bahdanau, RnnAttention::luong}) {
    const std::unique_ptr<Seq2Seq> model = tiny(style).build();
    model->eval();
    const Source padded = token_source(tokens(2, 6, {3, 4, 5, 2, 0, 0, 5, 3, 0, 0, 0, 0}));
    CHECK(allclose(model->forward(padded, kTarget).value(),
                   model->forward(kSource, kTarget).value(), 1e-5, 1e-5));
  }
}

TEST_CASE("rnn: a row decoded in a batch gives what it gives alone") {
  for (RnnAttention style : {RnnAttention::bahdanau, RnnAttention::luong}) {
    const std::unique_ptr<Seq2Seq> model = tiny(style).build();
    model->eval();
    const Tensor both = model->forward(kSource, kTarget).value();  // [2, 3, V]
    const Source second = token_source(tokens(1, 2, {5, 3}));
    const Tensor alone = model->forward(second, kTarget.narrow(0, 1, 1).contiguous()).value();
    CHECK(allclose(both.narrow(0, 1, 1), alone, 1e-5, 1e-5));
  }
}

TEST_CASE(
    "rnn: Bahdanau's decoding projects the memory for few rows, and steps to forward()'s "
    "logits") {
  // c_t's products moved onto the memory (bahdanau.h): P is built at the first step of a decode
  // over few rows, never while training (dropout would act on c_t, not on P) nor over many rows.
  const std::unique_ptr<Seq2Seq> model = tiny(RnnAttention::bahdanau).build();
  NoGradGuard no_grad;
  const Tensor full = model->forward(kSource, kTarget).value();  // [2, 3, V], the direct path
  auto first_step = [&](const Source& source) {
    std::unique_ptr<DecoderState> state = model->start(model->encode(source));
    const Tensor logits = model->step(kTarget.narrow(1, 0, 1).contiguous().view({2}), *state)
                              .logits.value();  // [2, V]
    return std::make_pair(std::move(state), logits);
  };
  CHECK_FALSE(dynamic_cast<RnnState&>(*first_step(kSource).first).projected_gates.defined());
  model->eval();
  auto [state, logits] = first_step(kSource);
  CHECK(dynamic_cast<RnnState&>(*state).projected_logits.defined());
  CHECK(allclose(logits, full.narrow(1, 0, 1).squeeze(1), 1e-5, 1e-5));
  for (int64_t t = 1; t < 3; ++t)
    CHECK(allclose(model->step(kTarget.narrow(1, t, 1).contiguous().view({2}), *state)
                       .logits.value(),
                   full.narrow(1, t, 1).squeeze(1), 1e-5, 1e-5));
  const Source long_source = token_source(Tensor::full({2, 65}, 3));  // N S = 130 > 128
  CHECK_FALSE(dynamic_cast<RnnState&>(*first_step(long_source).first).projected_gates.defined());
}

TEST_CASE("rnn: a state_dict loaded into a fresh model reproduces its logits exactly") {
  RnnConfig config = tiny(RnnAttention::luong);
  const std::unique_ptr<Seq2Seq> trained = config.build();
  config.seed = 4;
  const std::unique_ptr<Seq2Seq> fresh = config.build();
  trained->eval();
  fresh->eval();
  const Tensor expected = trained->forward(kSource, kTarget).value();
  CHECK_FALSE(allclose(fresh->forward(kSource, kTarget).value(), expected));
  fresh->load_state_dict(trained->state_dict());
  CHECK(allclose(fresh->forward(kSource, kTarget).value(), expected, 0, 0));
}
