// UTF-8, vocabularies and the three tokenizers: char, word and byte-pair encoding. Exact round
// trips over tricky text and the shared corpora: test_round_trip.cpp.
#include <doctest/doctest.h>

#include "train/text/bpe.h"
#include "train/text/tokenizer.h"
#include "train/io/utf8.h"
#include "train/text/vocabulary.h"

using namespace attn;

TEST_CASE("utf8: characters are split whole, whatever their byte length") {
  CHECK(utf8_characters("aü한😀") == std::vector<std::string>{"a", "ü", "한", "😀"});
  CHECK(is_valid_utf8("Grüße"));
  CHECK_FALSE(is_valid_utf8("\xC3"));        // truncated
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));    // overlong
  CHECK_THROWS_WITH(utf8_characters("ab\xFF"), "invalid UTF-8 at byte 2");
}

TEST_CASE("vocabulary: specials come first, then tokens by frequency") {
  const Vocabulary vocabulary = Vocabulary::from_counts({{"b", 5}, {"a", 5}, {"c", 9}, {"d", 1}}, 2);
  CHECK(vocabulary.size() == 7);  // 4 specials + c, a, b (d is below the cut-off)
  CHECK(vocabulary.token(0) == "<pad>");
  CHECK(vocabulary.id("c") == 4);
  CHECK(vocabulary.id("a") == 5);  // ties in byte order
  CHECK(vocabulary.id("d") == Vocabulary::unk);
  CHECK(vocabulary.decode({Vocabulary::bos, 4, 5, Vocabulary::eos, 6}) ==
        std::vector<std::string>{"c", "a"});
  CHECK_THROWS_WITH(vocabulary.token(7), "vocabulary: id 7 is out of range for 7 tokens");
  const Vocabulary loaded = Vocabulary::from_json(vocabulary.to_json());
  CHECK(loaded.size() == 7);
  CHECK(loaded.id("b") == 6);
}

TEST_CASE("char tokenizer: German, French and Korean round-trip") {
  const CharTokenizer tokenizer;
  for (const std::string text : {"Grüße aus Köln", "À bientôt, ça va ?", "안녕하세요 세계"})
    CHECK(tokenizer.detokenize(tokenizer.tokenize(text)) == text);
  CHECK(tokenizer.tokenize("né 1").size() == 4);
}

TEST_CASE("word tokenizer: punctuation is split off, its joins marked on its side with ￭") {
  const WordTokenizer tokenizer;
  const auto tokens = tokenizer.tokenize("Hello, world! Don't re-use (this).");
  CHECK(tokens == std::vector<std::string>{"Hello", "￭,", "world", "￭!", "Don't", "re-use", "(￭",
                                           "this", "￭)", "￭."});
  CHECK(tokenizer.detokenize(tokens) == "Hello, world! Don't re-use (this).");
  // Words never carry a mark; spaced punctuation carries none either.
  CHECK(tokenizer.tokenize("3.5 , ok") == std::vector<std::string>{"3", "￭.￭", "5", ",", "ok"});
  CHECK(tokenizer.detokenize(tokenizer.tokenize("„Straße“ – schön…")) == "„Straße“ – schön…");
}

TEST_CASE("word tokenizer: '_' belongs to words, so SCAN's actions are one token each") {
  const WordTokenizer tokenizer;
  const std::string actions = "I_TURN_RIGHT I_JUMP I_TURN_RIGHT";
  CHECK(tokenizer.tokenize(actions) ==
        std::vector<std::string>{"I_TURN_RIGHT", "I_JUMP", "I_TURN_RIGHT"});
  CHECK(tokenizer.detokenize(tokenizer.tokenize(actions)) == actions);
}

TEST_CASE("word tokenizer: whitespace other than one space between tokens is a token itself") {
  const WordTokenizer tokenizer;
  CHECK(tokenizer.tokenize("a  b\tc") == std::vector<std::string>{"a", "  ", "b", "\t", "c"});
  CHECK(tokenizer.tokenize(" Va\u202f! ") ==
        std::vector<std::string>{" ", "Va", "\u202f", "!", " "});
  CHECK(tokenizer.detokenize({"a", "  ", "b", "\t", "c"}) == "a  b\tc");
  // What a reader sees in a picture: no marks, whitespace as ␣.
  CHECK(tokenizer.display({"(￭", "a", "\t", "￭."}) == std::vector<std::string>{"(", "a", "␣", "."});
}

TEST_CASE("word tokenizer: a joiner in the text is punctuation and reads back one way") {
  const WordTokenizer tokenizer;
  CHECK(tokenizer.tokenize("a￭b") == std::vector<std::string>{"a", "￭￭", "￭b"});
  CHECK(tokenizer.tokenize("￭") == std::vector<std::string>{"￭"});
  for (const std::string text : {"a￭b", "￭", "￭￭￭", "(￭)", " ￭ ", "￭a", "a￭", "x ￭. y"})
    CHECK(tokenizer.detokenize(tokenizer.tokenize(text)) == text);
}

TEST_CASE("word tokenizer: any sequence of its tokens detokenizes, as a model may write them") {
  CHECK(join_words({"￭.", "(￭", "￭)", "dog", "￭,", ",", "\t", "cat"}) == ". () dog, ,\tcat");
  CHECK(join_words({}).empty());
  CHECK(read_joiners("￭(￭").text == "(");
  CHECK(write_joiners({true, "x", false}) == "￭x");
}

TEST_CASE("tokenizers saved before exact round trips name no joiner and split and join as then") {
  const auto word = tokenizer_from_json(Json::parse("{\"kind\":\"word\"}"));
  CHECK(word->tokenize("I_JUMP, now.") ==
        std::vector<std::string>{"I", "_", "JUMP", ",", "now", "."});
  CHECK(word->detokenize({"„", "Straße", "“", "you", "."}) == "„Straße “ you.");
  CHECK(word->to_json().dump() == "{\"kind\":\"word\"}");  // saved again as it was
  const auto bpe =
      tokenizer_from_json(Json::parse("{\"kind\":\"bpe\",\"merges\":[[\"o\",\"g</w>\"]]}"));
  CHECK(bpe->tokenize("dog.") == std::vector<std::string>{"d", "og</w>", ".</w>"});
  CHECK(bpe->detokenize(bpe->tokenize("dog .")) == "dog.");
  // Tokenizers made now name their joiner, and read back with it.
  CHECK(WordTokenizer().to_json().dump() == "{\"joiner\":\"￭\",\"kind\":\"word\"}");
  CHECK(tokenizer_from_json(WordTokenizer().to_json())->tokenize("dog.") ==
        std::vector<std::string>{"dog", "￭."});
  CHECK_THROWS_WITH(tokenizer_from_json(Json::parse("{\"kind\":\"word\",\"joiner\":\"@@\"}")),
                    "tokenizer: joiner \"@@\" is not attn's \"￭\" (U+FFED)");
}

TEST_CASE("bpe: merges the most frequent pair first, as in Sennrich et al.") {
  // low x5, lower x2, newest x6, widest x3 (the paper's example). Pair counts:
  //   1. (e, s) 9 = 6 newest + 3 widest, tied with (s, t</w>) 9: "e" < "s" in byte order
  //   2. (es, t</w>) 9
  //   3. (l, o) 7 = 5 low + 2 lower
  //   4. (e, w) 6, tied with (n, e) 6 and (w, est</w>) 6: "e" < "n" < "w"
  std::vector<std::string> corpus;
  for (int i = 0; i < 5; ++i) corpus.push_back("low");
  for (int i = 0; i < 2; ++i) corpus.push_back("lower");
  for (int i = 0; i < 6; ++i) corpus.push_back("newest");
  for (int i = 0; i < 3; ++i) corpus.push_back("widest");
  const BpeTokenizer bpe = BpeTokenizer::learn(corpus, 4);
  REQUIRE(bpe.merges().size() == 4);
  CHECK(bpe.merges()[0] == BpeTokenizer::Merge{"e", "s"});
  CHECK(bpe.merges()[1] == BpeTokenizer::Merge{"es", "t</w>"});
  CHECK(bpe.merges()[2] == BpeTokenizer::Merge{"l", "o"});
  CHECK(bpe.merges()[3] == BpeTokenizer::Merge{"e", "w"});
  CHECK(bpe.encode_word("lowest") == std::vector<std::string>{"lo", "w", "est</w>"});
}

TEST_CASE("bpe: text round-trips through subwords, unseen words included") {
  const BpeTokenizer bpe = BpeTokenizer::learn({"ein Hund läuft.", "ein Mann läuft schnell."}, 30);
  for (const std::string text : {"ein Hund läuft.", "Männer laufen schnell!"})
    CHECK(bpe.detokenize(bpe.tokenize(text)) == text);
  const BpeTokenizer loaded = BpeTokenizer::from_json(bpe.to_json());
  CHECK(loaded.merges() == bpe.merges());
  CHECK(tokenizer_from_json(bpe.to_json())->kind() == "bpe");
  CHECK_THROWS_WITH(tokenizer_from_json(Json::parse("{\"kind\":\"sentencepiece\"}")),
                    "tokenizer: unknown kind \"sentencepiece\" (char, word or bpe)");
}

TEST_CASE("utf8: overlong forms, encoded surrogates and code points past U+10FFFF are invalid") {
  CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong "/" in three bytes
  CHECK_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // ... in four
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // U+D800, a UTF-16 surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  CHECK(is_valid_utf8("\xED\x9F\xBF"));            // U+D7FF, just below the surrogates
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));        // U+10FFFF, the last code point
  CHECK(is_valid_utf8("\xE0\xA0\x80"));            // U+0800, the first 3-byte one
}

TEST_CASE("bpe: a word longer than max_word_length is learned and spelled in pieces, and "
          "round-trips") {
  // 250 characters with no space: pieces of 100, 100 and 50; only the last ends the word. Before
  // pieces, learning such a word cost time and memory growing with its length squared.
  std::string long_word;
  for (int i = 0; i < 250; ++i) long_word += static_cast<char>('a' + i % 3);
  const std::vector<std::string> texts = {long_word + " ab", long_word, "abc abc"};
  const BpeTokenizer bpe = BpeTokenizer::learn(texts, 200);
  const std::vector<std::string> tokens = bpe.tokenize(long_word + " abc");
  size_t covered = 0, ends = 0;
  for (const std::string& token : tokens) {
    const bool last = token.size() > 4 && token.compare(token.size() - 4, 4, "</w>") == 0;
    const size_t characters = token.size() - (last ? 4 : 0);
    CHECK(characters <= static_cast<size_t>(BpeTokenizer::max_word_length));
    if (covered < 250) covered += characters;
    ends += last;
  }
  CHECK(covered == 250);
  CHECK(ends == 2);  // the long word's last piece, and "abc"
  CHECK(bpe.detokenize(tokens) == long_word + " abc");
}
