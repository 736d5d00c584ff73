// Edit distance, WER and CER (train/metrics/edit_distance.h) against values worked out by hand.
#include <doctest/doctest.h>

#include <cmath>

#include "tensor/error.h"
#include "train/io/utf8.h"
#include "train/metrics/edit_distance.h"

using namespace attn;

namespace {

// The distance between two words, letter by letter.
int64_t letters_apart(const std::string& hypothesis, const std::string& reference) {
  return edit_distance(utf8_characters(hypothesis), utf8_characters(reference));
}

}  // namespace

TEST_CASE("edit_distance: kitten and sitting are 3 edits apart") {
  // kitten -> sitten (k/s) -> sittin (e/i) -> sitting (+g)
  CHECK(letters_apart("kitten", "sitting") == 3);
  CHECK(letters_apart("sitting", "kitten") == 3);
  // flaw -> law (-f) -> lawn (+n): 2; intention/execution, the textbook's 5 at unit costs
  CHECK(letters_apart("flaw", "lawn") == 2);
  CHECK(letters_apart("intention", "execution") == 5);
}

TEST_CASE("edit_distance: empty sequences cost the other's length") {
  CHECK(edit_distance({}, {}) == 0);
  CHECK(edit_distance({}, {"one", "two", "three"}) == 3);  // three deletions
  CHECK(edit_distance({"one", "two"}, {}) == 2);           // two insertions
}

TEST_CASE("edit_distance: one substitution, deletion or insertion each cost 1") {
  const std::vector<std::string> reference{"three", "nine", "one"};
  CHECK(edit_distance(reference, reference) == 0);
  CHECK(edit_distance({"three", "five", "one"}, reference) == 1);          // substitution
  CHECK(edit_distance({"three", "one"}, reference) == 1);                  // deletion
  CHECK(edit_distance({"three", "nine", "nine", "one"}, reference) == 1);  // insertion
  CHECK(edit_distance({"nine", "one", "three"}, reference) == 2);          // a word moved
}

TEST_CASE("edit_distance: WER counts words between any whitespace") {
  CHECK(words_of("  three\tnine \n one ") == std::vector<std::string>{"three", "nine", "one"});
  CHECK(words_of(" ").empty());
  const ErrorCount errors = word_errors("three  five one", "three nine one four");
  CHECK(errors.errors == 2);  // nine -> five, four deleted
  CHECK(errors.reference_length == 4);
  CHECK(errors.rate() == 0.5);
}

TEST_CASE("edit_distance: WER exceeds 100% when the hypothesis inserts words") {
  const ErrorCount errors = word_errors("one one one", "one");  // two insertions over one word
  CHECK(errors.errors == 2);
  CHECK(errors.rate() == 2.0);
  CHECK(word_errors("two three four", "one").rate() == 3.0);  // a substitution, two insertions
}

TEST_CASE("edit_distance: CER counts every character, spaces included") {
  // "one two" vs "one too": the w becomes an o, 1 of 7 characters
  ErrorCount errors = character_errors("one too", "one two");
  CHECK(errors.errors == 1);
  CHECK(errors.reference_length == 7);
  // "onetwo" vs "one two": the space is missing, 1 of 7
  errors = character_errors("onetwo", "one two");
  CHECK(errors.errors == 1);
  CHECK(errors.reference_length == 7);
  // UTF-8 letters are one character each: "drei" vs "zwei": d/z, r/w; "ü" vs "u" one edit
  CHECK(character_errors("zwei", "drei").errors == 2);
  CHECK(character_errors("fünf", "funf").errors == 1);
  CHECK(character_errors("fünf", "fünf").reference_length == 4);
  CHECK_THROWS_WITH(character_errors("\xff", "a"), "invalid UTF-8 at byte 0");
}

TEST_CASE("edit_distance: a corpus rate is total errors over total reference length") {
  // sentence 1: 1 error in 1 word (100%); sentence 2: 0 errors in 9 words (0%)
  // corpus: 1 / 10 = 10%, not the mean of the sentence rates, (100% + 0%) / 2 = 50%
  const std::vector<std::string> references{"one", "two three four five six seven eight nine zero"};
  const std::vector<std::string> hypotheses{"two", "two three four five six seven eight nine zero"};
  const ErrorCount words = corpus_word_errors(hypotheses, references);
  CHECK(words.errors == 1);
  CHECK(words.reference_length == 10);
  CHECK(words.rate() == doctest::Approx(0.1));
  // characters: "two" vs "one" is 3 substitutions (sharing the o would cost 2 insertions and 2
  // deletions); sentence 2 has 37 letters and 8 spaces, all correct: 3 errors in 3 + 45
  const ErrorCount characters = corpus_character_errors(hypotheses, references);
  CHECK(characters.errors == 3);
  CHECK(characters.reference_length == 3 + 45);

  ErrorCount sum;
  sum.add(word_errors("two", "one"));
  sum.add(word_errors(hypotheses[1], references[1]));
  CHECK(sum.errors == words.errors);
  CHECK(sum.reference_length == words.reference_length);
}

TEST_CASE("edit_distance: an empty reference has rate 0 without errors, infinity with them") {
  CHECK(word_errors("", "").rate() == 0.0);
  CHECK(word_errors(" ", "").reference_length == 0);
  CHECK(std::isinf(word_errors("one", "").rate()));
  CHECK(corpus_word_errors({}, {}).rate() == 0.0);
}

TEST_CASE("edit_distance: a corpus of unequal lengths is an error") {
  CHECK_THROWS_WITH_AS(corpus_word_errors({"a"}, {"a", "b"}),
                       "error rate: 1 hypotheses but 2 references", Error);
  CHECK_THROWS_WITH_AS(corpus_character_errors({"a", "b"}, {}),
                       "error rate: 2 hypotheses but 0 references", Error);
}
