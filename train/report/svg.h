// Pictures as SVG text: an attention heatmap and a loss curve, viewable in any browser.
//
// heatmap_svg draws a [T, S] matrix of weights in [0, 1] as a grid of squares, darker for larger
// weights: one row per generated target token (labels on the left), one column per source token
// (labels on top). A good translation model's cross-attention shows the alignment: each target
// token's row is dark over the source tokens it translates. Cells can be outlined in red, to
// show a gold alignment on top of the weights (`attn align --heatmap`).
#pragma once

#include <string>
#include <vector>

#include "tensor/tensor.h"
#include "train/io/pharaoh.h"

namespace attn {

// Text for SVG (XML): the five characters XML reserves escaped, and the control characters XML
// 1.0 forbids even escaped replaced by '?'.
std::string xml_escape(const std::string& text);

// weights [T, S]; row_labels has T entries, column_labels S. Each link of `outlined` outlines
// the cell (row link.target, column link.source); links outside the grid are an error.
std::string heatmap_svg(const Tensor& weights, const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& column_labels, const std::string& title,
                        const Alignment& outlined = {});

struct Series {
  std::string name;
  std::string color;            // any SVG colour, e.g. "#1f77b4"
  std::vector<double> x, y;
};

// A line chart of one or more series on shared axes, with ticks and a legend.
std::string line_chart_svg(const std::vector<Series>& series, const std::string& title,
                           const std::string& x_label, const std::string& y_label);

}  // namespace attn
