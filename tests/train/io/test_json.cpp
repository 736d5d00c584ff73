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
