// Decoding: the key/value cache changes nothing but speed, and beam search finds translations at
// least as probable as greedy decoding's.
#include <doctest/doctest.h>

#include <cmath>

#include "models/decoding/beam_search.h"
#include "models/decoding/greedy.h"
#include "tensor/kernels.h"

using namespace attn;

namespace {

TransformerConfig micro_config(NormPlacement norm, const std::string& score = "scaled_dot") {
  TransformerConfig config;
  config.source_vocab = 11;
  config.target_vocab = 13;
  config.d_model = 16;
  config.heads = 2;
  config.d_ff = 32;
  config.encoder_layers = 2;
  config.decoder_layers = 2;
  config.dropout = 0.1;  // must be switched off by eval mode
  config.norm = norm;
  config.score = score;
  config.max_length = 32;
  config.seed = 5;
  return config;
}

// Two sources, the second padded: [[4 5 6 7 8], [9 10 3 0 0]].
Tensor sources() { return Tensor::from_vector({2, 5}, {4, 5, 6, 7, 8, 9, 10, 3, 0, 0}); }

// log p(tokens | source) of each row, by one teacher-forced pass; rows end at <eos> (2).
std::vector<double> sequence_log_probs(Transformer& model, const Tensor& source, const Tensor& tokens) {
  NoGradGuard no_grad;
  EvalModeGuard eval(model);
  const int64_t B = tokens.size(0), L = tokens.size(1);
  Tensor target_in = Tensor::full({B, L}, 1);  // <bos> y_1 .. y_{L-1}
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 1; t < L; ++t) target_in.at({b, t}) = tokens.at({b, t - 1});
  const Tensor log_probs = log_softmax(model.forward(source, target_in).value(), -1);  // [B, L, V]
  std::vector<double> totals(static_cast<size_t>(B), 0);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < L; ++t) {
      const int64_t token = static_cast<int64_t>(tokens.at({b, t}));
      if (token == 0) break;
      totals[static_cast<size_t>(b)] += log_probs.at({b, t, token});
      if (token == 2) break;
    }
  return totals;
}

}  // namespace

TEST_CASE("decode_step: cached logits equal recomputing the whole prefix") {
  for (NormPlacement norm : {NormPlacement::post, NormPlacement::pre}) {
    for (const std::string score : {"scaled_dot", "additive", "location"}) {
      CAPTURE(score);
      Transformer model(micro_config(norm, score));
      model.eval();
      NoGradGuard no_grad;
      const Tensor source = sources();
      const Tensor prefix = Tensor::from_vector({2, 4}, {1, 7, 3, 12, 1, 4, 4, 9});  // <bos> ...
      const Tensor full = model.decode(prefix, model.encode(source), source).value();  // [2, 4, V]
      DecodingState state = model.start_decoding(source);
      for (int64_t t = 0; t < 4; ++t) {
        const Tensor step = model.decode_step(prefix.narrow(1, t, 1).contiguous(), state).value();
        CHECK(allclose(step, full.narrow(1, t, 1).squeeze(1), 1e-4, 1e-5));
      }
    }
  }
}

TEST_CASE("decode_step: reordering the state follows the chosen rows") {
  Transformer model(micro_config(NormPlacement::post));
  model.eval();
  NoGradGuard no_grad;
  const Tensor source = sources();
  DecodingState both = model.start_decoding(source);
  model.decode_step(Tensor::from_vector({2, 1}, {1, 1}), both);
  both.reorder(Tensor::from_vector({2}, {1, 1}));  // keep row 1 twice
  const Tensor next = model.decode_step(Tensor::from_vector({2, 1}, {5, 5}), both).value();
  CHECK(allclose(next.narrow(0, 0, 1), next.narrow(0, 1, 1)));
  DecodingState second = model.start_decoding(source.narrow(0, 1, 1).contiguous());
  model.decode_step(Tensor::from_vector({1, 1}, {1}), second);
  const Tensor alone = model.decode_step(Tensor::from_vector({1, 1}, {5}), second).value();
  CHECK(allclose(next.narrow(0, 0, 1), alone, 1e-4, 1e-5));
}

TEST_CASE("greedy_decode: restores training mode and ends rows at <eos>") {
  Transformer model(micro_config(NormPlacement::post));
  model.train();
  const Tensor output = greedy_decode(model, sources(), 1, 2, 12);
  CHECK(model.is_training());
  CHECK(output.size(0) == 2);
  CHECK(output.size(1) <= 12);
  for (int64_t b = 0; b < 2; ++b) {
    bool ended = false;
    for (int64_t t = 0; t < output.size(1); ++t) {
      if (ended) CHECK(output.at({b, t}) == 0);  // padding after <eos>
      ended = ended || output.at({b, t}) == 2;
    }
  }
}

TEST_CASE("beam_search: a beam of one is greedy decoding") {
  Transformer model(micro_config(NormPlacement::pre));
  BeamSearchOptions options;
  options.beam_size = 1;
  options.length_penalty = 0;
  options.max_length = 10;
  const Tensor beam = beam_search(model, sources(), options);
  const Tensor greedy = greedy_decode(model, sources(), 1, 2, 10);
  REQUIRE(beam.shape() == greedy.shape());
  CHECK(beam.to_vector() == greedy.to_vector());
}

TEST_CASE("beam_search: wider beams find translations at least as probable as greedy") {
  Transformer model(micro_config(NormPlacement::post));
  const Tensor source = sources();
  const Tensor greedy = greedy_decode(model, source, 1, 2, 8);
  const std::vector<double> greedy_scores = sequence_log_probs(model, source, greedy);
  for (int64_t beam_size : {2, 4}) {
    BeamSearchOptions options;
    options.beam_size = beam_size;
    options.length_penalty = 0;  // compare raw log-probabilities
    options.max_length = 8;
    const Tensor beam = beam_search(model, source, options);
    const std::vector<double> beam_scores = sequence_log_probs(model, source, beam);
    for (size_t b = 0; b < greedy_scores.size(); ++b)
      CHECK(beam_scores[b] >= greedy_scores[b] - 1e-4);
  }
}

TEST_CASE("beam_search: bad arguments are refused") {
  Transformer model(micro_config(NormPlacement::post));
  BeamSearchOptions options;
  options.beam_size = 0;
  CHECK_THROWS_WITH(beam_search(model, sources(), options), "beam_search: beam_size must be at least 1");
  options.beam_size = 2;
  options.max_length = 8;
  options.sentence_max_lengths = {4};  // two sentences, one limit
  CHECK_THROWS_WITH(beam_search(model, sources(), options),
                    "beam_search: sentence_max_lengths needs one limit per sentence of the batch");
  options.sentence_max_lengths = {4, 9};  // above max_length
  CHECK_THROWS_WITH(beam_search(model, sources(), options),
                    "beam_search: each sentence's limit must be in 1..max_length");
}

TEST_CASE("beam_search: a sentence's own limit gives what searching it alone gives") {
  Transformer model(micro_config(NormPlacement::post));
  BeamSearchOptions together;
  together.beam_size = 3;
  together.max_length = 8;
  together.sentence_max_lengths = {3, 8};
  const Tensor both = beam_search(model, sources(), together);  // [2, L]
  for (int64_t b = 0; b < 2; ++b) {
    BeamSearchOptions alone = together;
    alone.max_length = together.sentence_max_lengths[static_cast<size_t>(b)];
    alone.sentence_max_lengths.clear();
    const Tensor one = beam_search(model, sources().narrow(0, b, 1), alone);  // [1, L_b]
    const Tensor row = both.narrow(0, b, 1).narrow(1, 0, one.size(1));
    CHECK(row.to_vector() == one.to_vector());
    CHECK(one.size(1) <= alone.max_length);
    const int64_t rest = both.size(1) - one.size(1);  // the batch's row is padded after that
    if (rest > 0) CHECK(max(both.narrow(0, b, 1).narrow(1, one.size(1), rest), 1).item() == 0);
  }
}
