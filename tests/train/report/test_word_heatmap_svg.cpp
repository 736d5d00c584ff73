// Words shaded by attention (train/report/word_heatmap_svg.h): one row per hop, each word's
// opacity its weight over its row's largest, text escaped, mismatched sizes refused.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "train/report/word_heatmap_svg.h"

using namespace attn;

namespace {

int64_t count(const std::string& text, const std::string& what) {
  int64_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("word heatmap svg: a row per hop, the largest weight of each row fully opaque") {
  const std::string svg = word_heatmap_svg({"what", "is", "<b>"}, {{0.5, 0.25, 0.25}, {0, 0, 1}},
                                           {"hop 1", "hop 2"}, "predicted class 3");
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(count(svg, "<rect x=") == 6);                 // 2 rows x 3 words
  CHECK(count(svg, "fill-opacity=\"1.000\"") == 2);   // 0.5 in row 1, 1 in row 2
  CHECK(count(svg, "fill-opacity=\"0.500\"") == 2);   // 0.25 / 0.5, twice in row 1
  CHECK(count(svg, "fill-opacity=\"0.000\"") == 2);   // row 2's zeros
  CHECK(svg.find("&lt;b&gt;") != std::string::npos);  // the word, escaped
  CHECK(svg.find("<b>") == std::string::npos);
  CHECK(svg.find("what: 0.5000") != std::string::npos);  // the exact weight as a tooltip
  CHECK(svg.find("predicted class 3") != std::string::npos);
}

TEST_CASE("word heatmap svg: rows and labels that do not fit the words are refused") {
  CHECK_THROWS_AS(word_heatmap_svg({"a", "b"}, {{1}}, {"hop 1"}, ""), std::invalid_argument);
  CHECK_THROWS_AS(word_heatmap_svg({"a"}, {{1}}, {}, ""), std::invalid_argument);
}
