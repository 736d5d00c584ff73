// Corpus BLEU against cases worked out by hand (sacreBLEU's defaults: 13a, exp smoothing).
#include <doctest/doctest.h>

#include <cmath>

#include "train/metrics/bleu.h"

using namespace attn;

TEST_CASE("bleu: 13a splits punctuation but keeps numbers whole") {
  const std::vector<std::string> expected{"Hello", ",", "world", "!", "It", "costs",
                                          "1,000.50", "(", "in", "1990", "-", "2000", ")", "."};
  CHECK(tokenize_13a("Hello, world! It costs 1,000.50 (in 1990-2000).") == expected);
  CHECK(tokenize_13a("&quot;a&amp;b&quot;") == std::vector<std::string>{"\"", "a", "&", "b", "\""});
  CHECK(tokenize_13a("don't re-use") == std::vector<std::string>{"don't", "re-use"});
  CHECK(tokenize_13a("  ").empty());
}

TEST_CASE("bleu: 13a leaves UTF-8 letters intact") {
  CHECK(tokenize_13a("Grüße, Köln.") == std::vector<std::string>{"Grüße", ",", "Köln", "."});
}

TEST_CASE("bleu: identical corpora score 100") {
  const std::vector<std::string> text{"the cat sat on the mat .", "a dog runs in the park"};
  const BleuScore bleu = corpus_bleu(text, text);
  CHECK(bleu.score == doctest::Approx(100.0));
  CHECK(bleu.brevity_penalty == doctest::Approx(1.0));
}

TEST_CASE("bleu: disjoint corpora score 0") {
  CHECK(corpus_bleu({"one two three four"}, {"five six seven eight"}).score == 0.0);
}

TEST_CASE("bleu: a hypothesis shorter than 4 tokens has no 4-grams and scores 0") {
  CHECK(corpus_bleu({"the cat"}, {"the cat sat on the mat"}).score == 0.0);
}

TEST_CASE("bleu: a correct but short hypothesis pays the brevity penalty") {
  // Every n-gram matches (p_n = 100%), c = 4, r = 6: BP = exp(1 - 6/4) = exp(-0.5) = 0.60653.
  const BleuScore bleu = corpus_bleu({"the cat sat on"}, {"the cat sat on the mat"});
  CHECK(bleu.brevity_penalty == doctest::Approx(std::exp(-0.5)));
  CHECK(bleu.score == doctest::Approx(60.653066));
}

TEST_CASE("bleu: a two-sentence corpus matches the arithmetic done by hand") {
  // hyp 1 "the cat is on the mat"  vs ref 1 "the cat sat on the mat"
  //   1-grams 5/6 (the x2, cat, on, mat), 2-grams 3/5 (the cat, on the, the mat),
  //   3-grams 1/4 (on the mat), 4-grams 0/3
  // hyp 2 "there is a dog"         vs ref 2 "there is a big dog"
  //   1-grams 4/4, 2-grams 2/3 (there is, is a), 3-grams 1/2 (there is a), 4-grams 0/1
  // corpus: p1 = 9/10 = 90%, p2 = 5/8 = 62.5%, p3 = 2/6 = 33.33%,
  //   p4 = 0/4 -> exp smoothing: 100 / (2 * 4) = 12.5%
  // c = 10, r = 11: BP = exp(1 - 11/10) = 0.904837
  // BLEU = 0.904837 * exp((ln 90 + ln 62.5 + ln 33.33 + ln 12.5) / 4) = 0.904837 * 39.1273 = 35.4037
  const BleuScore bleu = corpus_bleu({"the cat is on the mat", "there is a dog"},
                                     {"the cat sat on the mat", "there is a big dog"});
  CHECK(bleu.precisions[0] == doctest::Approx(90.0));
  CHECK(bleu.precisions[1] == doctest::Approx(62.5));
  CHECK(bleu.precisions[2] == doctest::Approx(100.0 / 3));
  CHECK(bleu.precisions[3] == doctest::Approx(12.5));
  CHECK(bleu.brevity_penalty == doctest::Approx(0.904837).epsilon(1e-5));
  CHECK(bleu.score == doctest::Approx(35.403677).epsilon(1e-6));
  CHECK(to_string(bleu) ==
        "BLEU = 35.40 90.0/62.5/33.3/12.5 (BP = 0.905 ratio = 0.909 hyp_len = 10 ref_len = 11)");
}

TEST_CASE("bleu: n-gram matches are clipped by the reference count") {
  // "the the the the" vs "the cat": unigram credit is clipped to 1 of 4; no bigram matches.
  const BleuScore bleu = corpus_bleu({"the the the the"}, {"the cat sat down"});
  CHECK(bleu.precisions[0] == doctest::Approx(25.0));
}

TEST_CASE("bleu: different numbers of hypotheses and references is an error") {
  CHECK_THROWS_WITH(corpus_bleu({"a"}, {"a", "b"}), "bleu: 1 hypotheses but 2 references");
}
