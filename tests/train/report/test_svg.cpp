// SVG pictures: one square per attention weight, labels escaped, charts with every point.
#include <doctest/doctest.h>

#include "train/report/svg.h"

using namespace attn;

static int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_CASE("svg: a heatmap has one square per weight and escapes its labels") {
  const Tensor weights = Tensor::from_vector({2, 3}, {0.9f, 0.1f, 0, 0, 0.2f, 0.8f});
  const std::string svg = heatmap_svg(weights, {"2026", "<eos>"}, {"21", "nov", "2026"}, "a & b");
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(count(svg, "<rect x=") == 6);
  CHECK(count(svg, "&lt;eos&gt;") >= 1);
  CHECK(count(svg, "a &amp; b") == 1);
  CHECK(count(svg, ": 0.900</title>") == 1);
  CHECK_THROWS_WITH(heatmap_svg(weights, {"a"}, {"b"}, ""),
                    "heatmap_svg: weights [2,3] need 1 row and 1 column labels");
}

TEST_CASE("svg: a heatmap outlines the cells of the links it is given, and only cells it has") {
  const Tensor weights = Tensor::from_vector({2, 3}, {0.9f, 0.1f, 0, 0, 0.2f, 0.8f});
  const std::string plain = heatmap_svg(weights, {"2", "0"}, {"a", "b", "c"}, "");
  CHECK(count(plain, "stroke=\"#d62728\"") == 0);
  // Links 0-0 and 2-1: (row 0, column 0) and (row 1, column 2).
  const std::string outlined =
      heatmap_svg(weights, {"2", "0"}, {"a", "b", "c"}, "", {{0, 0}, {2, 1}});
  CHECK(count(outlined, "fill=\"none\" stroke=\"#d62728\"") == 2);
  CHECK(count(outlined, "<rect x=") == 6 + 2);
  CHECK_THROWS_WITH(heatmap_svg(weights, {"2", "0"}, {"a", "b", "c"}, "", {{3, 0}}),
                    "heatmap_svg: outlined link 3-0 is outside the weights [2,3]");
  CHECK_THROWS_WITH(heatmap_svg(weights, {"2", "0"}, {"a", "b", "c"}, "", {{0, 2}}),
                    "heatmap_svg: outlined link 0-2 is outside the weights [2,3]");
}

TEST_CASE("svg: a line chart draws every finite point of every series") {
  const std::string svg = line_chart_svg(
      {{"train", "#1f77b4", {1, 2, 3}, {4.0, 3.0, 2.5}}, {"valid", "#ff7f0e", {2}, {3.5}}},
      "loss", "step", "loss");
  CHECK(count(svg, "<polyline") == 2);
  CHECK(count(svg, ">train</text>") == 1);
}

TEST_CASE("svg: a line chart far from zero has a few ticks, not a tick per unchanged addition") {
  // Steps near 1e18 (a damaged checkpoint's step count): there, adding a tick step of 0.5 leaves
  // the value unchanged; fuzzing found the tick loop growing without end.
  const double far = 1e18;
  const std::string svg =
      line_chart_svg({{"train", "#1f77b4", {far, far + 1, far + 2}, {1, 2, 3}}}, "loss", "step", "loss");
  CHECK(count(svg, "<polyline") == 1);
  CHECK(svg.size() < 20000);
}

// The first x and the largest y of the picture: <svg ... width="W" height="H" ...>.
static double declared(const std::string& svg, const std::string& attribute) {
  const size_t at = svg.find(attribute + "=\"");
  return std::stod(svg.substr(at + attribute.size() + 2));
}

TEST_CASE("svg: a long title is never cut: it wraps between words and the picture holds it") {
  const Tensor weights = Tensor::from_vector({1, 2}, {0.5f, 0.5f});
  std::string title = "layer 2, mean of heads:";
  for (int i = 0; i < 30; ++i) title += " Ein Hund rennt durch den Schnee";
  const std::string svg = heatmap_svg(weights, {"A"}, {"Ein", "Hund"}, title);
  // Every word of the title is in some line; no line is wider than the picture (8 px a
  // character at font-size 14, the estimate the drawing uses).
  int lines = 0, words = 0;
  const double width = declared(svg, "width");
  for (size_t at = svg.find("font-size=\"14\">"); at != std::string::npos;
       at = svg.find("font-size=\"14\">", at + 1)) {
    const size_t begin = at + 15, end = svg.find("</text>", begin);
    const std::string line = svg.substr(begin, end - begin);
    CHECK(8.0 * static_cast<double>(line.size()) + 10 <= width);
    ++lines;
    for (size_t word = line.find("Schnee"); word != std::string::npos;
         word = line.find("Schnee", word + 1))
      ++words;
  }
  CHECK(lines > 1);
  CHECK(words == 30);
  // The grid starts below the last title line: its first square's y is past 20 + 18 (lines - 1).
  const size_t square = svg.find("<rect x=");
  const double grid_top = std::stod(svg.substr(svg.find("y=\"", square) + 3));
  CHECK(grid_top > 20 + 18.0 * (lines - 1));
}
