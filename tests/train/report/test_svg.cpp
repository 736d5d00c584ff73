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

TEST_CASE("svg: a line chart draws every finite point of every series") {
  const std::string svg = line_chart_svg(
      {{"train", "#1f77b4", {1, 2, 3}, {4.0, 3.0, 2.5}}, {"valid", "#ff7f0e", {2}, {3.5}}},
      "loss", "step", "loss");
  CHECK(count(svg, "<polyline") == 2);
  CHECK(count(svg, ">train</text>") == 1);
}
