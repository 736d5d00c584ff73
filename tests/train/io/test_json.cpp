// JSON values: round trips, typed access, and clear errors on malformed text.
#include <doctest/doctest.h>

#include "train/io/json.h"

using namespace attn;

TEST_CASE("json: a nested value prints and parses back to the same text") {
  Json config;
  config["d_model"] = Json(256);
  config["dropout"] = Json(0.1);
  config["name"] = Json("tiny \"model\"\n");
  config["tied"] = Json(true);
  config["layers"] = Json(Json::Array{Json(1), Json(2), Json()});
  const std::string text = config.dump();
  CHECK(text ==
        "{\"d_model\":256,\"dropout\":0.10000000000000001,\"layers\":[1,2,null],"
        "\"name\":\"tiny \\\"model\\\"\\n\",\"tied\":true}");
  CHECK(Json::parse(text).dump() == text);
  CHECK(Json::parse(text).at("dropout").as_number() == 0.1);
}

TEST_CASE("json: UTF-8 text and \\u escapes become UTF-8") {
  CHECK(Json::parse("\"Grüße 한국어\"").as_string() == "Grüße 한국어");
  CHECK(Json::parse("\"\\u00fc\\ud83d\\ude00\"").as_string() == "ü😀");
  CHECK(Json(std::string("한")).dump() == "\"한\"");
}

TEST_CASE("json: typed access on the wrong kind is an error") {
  const Json value = Json::parse("{\"a\": [1, 2.5]}");
  CHECK_THROWS_WITH(value.at("a").as_string(), "json: expected a string");
  CHECK_THROWS_WITH(value.at("b"), "json: missing key \"b\"");
  CHECK_THROWS_WITH(value.at("a").as_array()[1].as_int(), "json: expected a whole number, got 2.5");
  CHECK(value.at("a").as_array()[0].as_int() == 1);
}

TEST_CASE("json: malformed text names what is wrong and where") {
  CHECK_THROWS_WITH(Json::parse("{\"a\" 1}"), "json: expected ':' at offset 5");
  CHECK_THROWS_WITH(Json::parse("[1, 2"), "json: unexpected end of text at offset 5");
  CHECK_THROWS_WITH(Json::parse("\"abc"), "json: unterminated string at offset 4");
  CHECK_THROWS_WITH(Json::parse("[1] x"), "json: unexpected text after the value at offset 4");
  CHECK_THROWS(Json::parse("-"));
  CHECK_THROWS(Json::parse(std::string(2000, '[')));  // too deep, not a stack overflow
}

TEST_CASE("json: numbers follow RFC 8259's grammar; subnormals are numbers, overflow is not") {
  CHECK(Json::parse("1e-310").as_number() == 1e-310);  // subnormal
  CHECK(Json::parse("4.9e-324").as_number() > 0);      // the smallest double
  CHECK(Json::parse("1e-400").as_number() == 0);       // below every double: 0
  CHECK(Json::parse("-0").as_number() == 0);
  CHECK(Json::parse("0.5e+2").as_number() == 50);
  CHECK(Json::parse("[0,10,-2.5E-1]").dump() == "[0,10,-0.25]");
  CHECK_THROWS_WITH(Json::parse("01"), "json: a number may not start with 0 at offset 1");
  CHECK_THROWS_WITH(Json::parse("-01"), "json: a number may not start with 0 at offset 2");
  CHECK_THROWS_WITH(Json::parse("+1"), "json: expected a value at offset 0");
  CHECK_THROWS_WITH(Json::parse(".5"), "json: expected a value at offset 0");
  CHECK_THROWS_WITH(Json::parse("1."), "json: expected a digit after the decimal point at offset 2");
  CHECK_THROWS_WITH(Json::parse("1e"), "json: expected a digit in the exponent at offset 2");
  CHECK_THROWS_WITH(Json::parse("1e400"), "json: number out of range at offset 5");
  CHECK_THROWS(Json::parse("0x10"));
  CHECK_THROWS(Json::parse("NaN"));
}

TEST_CASE("json: strings are UTF-8 without raw control characters, surrogates come in pairs") {
  CHECK_THROWS_WITH(Json::parse("\"\\ud83d\""), doctest::Contains("lone high surrogate"));
  CHECK_THROWS_WITH(Json::parse("\"\\ud83dx\""), doctest::Contains("lone high surrogate"));
  CHECK_THROWS_WITH(Json::parse("\"\\ude00\""), doctest::Contains("lone low surrogate"));
  CHECK_THROWS_WITH(Json::parse("\"\\ud83d\\u0041\""), doctest::Contains("not followed by a low"));
  CHECK_THROWS_WITH(Json::parse("\"a\tb\""), "json: control character in a string at offset 3");
  CHECK_THROWS_WITH(Json::parse("\"\xC3\""), "json: invalid UTF-8 in a string at offset 0");
  CHECK_THROWS_WITH(Json::parse("\"\xED\xA0\x80\""), doctest::Contains("invalid UTF-8"));
  CHECK(Json::parse("\"a\\tb\"").as_string() == "a\tb");  // escaped, it is fine
}
