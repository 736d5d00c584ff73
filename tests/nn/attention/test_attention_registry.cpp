// The score registry (names, descriptions, seeds, settings), attention's error messages, and the
// guide's worked example. Like test_attention.cpp, the registry checks loop over
// score_functions(): a new variant is covered with no edit here.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "nn/attention/attention.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"
#include "tests/nn/attention/attention_test_inputs.h"

using namespace attn;
using namespace attn::attention_test;

// ---- settings and the registry ------------------------------------------------------------------

TEST_CASE(
    "registry: names are unique, each has a description, and each builds a score function "
    "that maps [B, H, T, E] x [B, H, S, E] to [B, H, T, S]") {
  const Inputs in = random_inputs();
  std::vector<std::string> seen;
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    for (const std::string& name : seen) CHECK(name != entry.name);
    seen.push_back(entry.name);
    CHECK(!entry.description.empty());
    auto score = make_score_function(entry.name, spec_for_tests());
    REQUIRE(score != nullptr);
    const Variable keys = score->prepare_keys(Variable(in.keys));
    CHECK(score->scores(Variable(in.queries), keys, ScoreContext{}).shape() == Shape{B, H, T, S});
  }
  CHECK(seen.size() >= 9);
}

TEST_CASE(
    "registry: parametrised score functions draw the same initial parameters from the same "
    "seed") {
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    const StateDict a = make_for_tests(entry)->state_dict();
    const StateDict b = make_for_tests(entry)->state_dict();
    REQUIRE(a.size() == b.size());
    for (const auto& [name, value] : a) CHECK(value.to_vector() == b.at(name).to_vector());
  }
}

TEST_CASE("registry: an unknown name is an error that lists every known name") {
  try {
    make_score_function("no_such_score", spec_for_tests());
    FAIL("expected an error");
  } catch (const Error& error) {
    const std::string message = error.what();
    CHECK(message.find("no_such_score") != std::string::npos);
    for (const ScoreEntry& entry : score_functions()) {
      CAPTURE(entry.name);
      CHECK(message.find(entry.name) != std::string::npos);
    }
  }
}

TEST_CASE("registry: a score's settings follow its name, and bad ones are errors naming them") {
  auto score = make_score_function("location_aware:filters=2,width=5,hidden=6", spec_for_tests());
  const StateDict state = score->state_dict();
  CHECK(state.at("filter").shape() == Shape{2, 5});  // F [k, r]
  CHECK(state.at("u").shape() == Shape{6, 2});       // U [A, k]
  CHECK_THROWS_WITH_AS(make_score_function("location_aware:depth=2", spec_for_tests()),
                       "location_aware score: unknown setting 'depth'; known: filters, width, "
                       "hidden, cumulative",
                       Error);
  CHECK_THROWS_WITH_AS(make_score_function("location_aware:width=4", spec_for_tests()),
                       doctest::Contains("width must be odd"), Error);
  CHECK_THROWS_WITH_AS(make_score_function("location_aware:filters=0", spec_for_tests()),
                       "location_aware score: filters must be in 1..1024, got 0", Error);
  CHECK_THROWS_WITH_AS(make_score_function("additive:hidden", spec_for_tests()),
                       "additive score: expected key=value, got 'hidden'", Error);
  CHECK_THROWS_WITH_AS(make_score_function("dot:x=1", spec_for_tests()),
                       "dot score: takes no settings, got 'x=1'", Error);
  CHECK_NOTHROW(check_score_name("alibi"));
  CHECK_THROWS_AS(check_score_name("alibi:slope=2"), Error);
}

// ---- errors -----------------------------------------------------------------------------------

TEST_CASE("attention: location score rejects a source longer than its length setting") {
  auto score = make_score_function("location:length=3", spec_for_tests());
  const Inputs in = random_inputs();
  CHECK_THROWS_WITH_AS(score->scores(Variable(in.queries), Variable(in.keys), ScoreContext{}),
                       doctest::Contains("source length 4 exceeds its setting length=3"), Error);
  CHECK_THROWS_WITH_AS(make_score_function("location:length=0", spec_for_tests()),
                       doctest::Contains("length must be in"), Error);
}

TEST_CASE("attention: mismatched shapes are errors naming attention and the shapes") {
  auto score = make_score_function("scaled_dot", spec_for_tests());
  const Inputs in = random_inputs();
  const Variable q(in.queries), k(in.keys), v(in.values);
  CHECK_THROWS_WITH_AS(attend(*score, q, k, Variable(Tensor::zeros({B, H, S + 1, Ev}))),
                       doctest::Contains("attention: keys [2,2,4,3] and values [2,2,5,2]"), Error);
  CHECK_THROWS_WITH_AS(attend(*score, Variable(Tensor::zeros({T, E})), k, v),
                       doctest::Contains("attention: queries must be [B, T, Eq] or [B, H, T, Eq], "
                                         "got [3,3]"),
                       Error);
  CHECK_THROWS_WITH_AS(attend(*score, q, k, v, with_mask(Tensor::ones({B, 1, 1, S + 1}))),
                       doctest::Contains("attention: mask [2,1,1,5] does not broadcast"), Error);
  CHECK_THROWS_WITH_AS(
      attend(*score, Variable(Tensor::zeros({B, H, T, E + 1})), k, v),
      doctest::Contains("scaled_dot score: query width 4 differs from key width 3"), Error);
  CHECK_THROWS_WITH_AS(attend_one(*score, q, k, v),
                       doctest::Contains("attend_one takes one query per sequence, [B, Eq]"),
                       Error);
}

// ---- the guide ---------------------------------------------------------------------------------

TEST_CASE(
    "docs: the attention-variant guide's worked example is the real alibi.h, word for "
    "word") {
  auto read = [](const std::string& path) {
    std::ifstream file(std::string(ATTN_SOURCE_DIR) + "/" + path);
    REQUIRE(file.good());
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  };
  const std::string header = read("nn/attention/scores/alibi.h");
  const std::string guide = read("docs/attention-variants.md");
  CHECK(guide.find(header) != std::string::npos);
  CHECK(guide.find("make<AlibiScore>") != std::string::npos);
}
