// SVG heatmaps and line charts (see svg.h).
#include "train/report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "train/io/utf8.h"

namespace attn {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') ? '?' : c;
    }
  }
  return out;
}

static std::string format(const char* pattern, double a, double b = 0, double c = 0, double d = 0) {
  char text[160];
  std::snprintf(text, sizeof(text), pattern, a, b, c, d);
  return text;
}

// A label as drawn: a whitespace token (a space in character models) would be invisible.
static std::string visible(const std::string& label) {
  return label.find_first_not_of(" \t") == std::string::npos ? "␣" : label;
}

// Label width estimate in pixels: about 7 per character at font-size 12.
static double text_width(const std::string& text) {
  return 7.0 * static_cast<double>(utf8_characters(text).size());
}

// Title width estimate in pixels: about 8 per character at font-size 14.
static double title_width(const std::string& text) {
  return 8.0 * static_cast<double>(utf8_characters(text).size());
}

// `text` in lines of at most `max_width` pixels at font-size 14, broken between words (a word
// wider than that gets a line of its own).
static std::vector<std::string> wrap_words(const std::string& text, double max_width) {
  std::vector<std::string> lines;
  std::string line, word;
  auto flush_word = [&] {
    if (word.empty()) return;
    if (!line.empty() && title_width(line + " " + word) > max_width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    word.clear();
  };
  for (char c : text) {
    if (c == ' ')
      flush_word();
    else
      word += c;
  }
  flush_word();
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

// ---- heatmap ----------------------------------------------------------------------------------

std::string heatmap_svg(const Tensor& weights, const std::vector<std::string>& row_labels,
                        const std::vector<std::string>& column_labels, const std::string& title,
                        const Alignment& outlined) {
  if (weights.ndim() != 2 || weights.size(0) != static_cast<int64_t>(row_labels.size()) ||
      weights.size(1) != static_cast<int64_t>(column_labels.size()))
    throw std::invalid_argument("heatmap_svg: weights " + to_string(weights.shape()) + " need " +
                                std::to_string(row_labels.size()) + " row and " +
                                std::to_string(column_labels.size()) + " column labels");
  for (const AlignmentLink& link : outlined)
    if (link.target < 0 || link.target >= weights.size(0) || link.source < 0 ||
        link.source >= weights.size(1))
      throw std::invalid_argument("heatmap_svg: outlined link " + to_pharaoh({link}) +
                                  " is outside the weights " + to_string(weights.shape()));
  const double cell = 28;
  double left = 20, label_height = 0;
  for (const auto& label : row_labels) left = std::max(left, text_width(label) + 16);
  for (const auto& label : column_labels)
    label_height = std::max(label_height, text_width(label) * 0.75);
  double width = left + cell * static_cast<double>(column_labels.size()) + 20;
  // Column labels are drawn rotated by 45 degrees: each reaches right of its column by ~0.71 of
  // its length, so the picture widens until the last one fits.
  for (size_t s = 0; s < column_labels.size(); ++s)
    width = std::max(width, left + cell * (static_cast<double>(s) + 0.6) +
                                0.71 * text_width(column_labels[s]) + 10);
  // The title is never cut: it wraps at word boundaries to the picture's width (at least 480
  // pixels), and the picture grows to hold it.
  const std::vector<std::string> title_lines = wrap_words(title, std::max(width, 480.0) - 20);
  for (const auto& line : title_lines) width = std::max(width, title_width(line) + 20);
  const double title_height = 18.0 * static_cast<double>(title_lines.size()) + 10;
  const double top = title_height + std::max(12.0, label_height + 12);
  const double height = top + cell * static_cast<double>(row_labels.size()) + 20;

  std::string svg = format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n", width, height);
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  for (size_t i = 0; i < title_lines.size(); ++i)
    svg +=
        format("<text x=\"10\" y=\"%.0f\" font-size=\"14\">", 20 + 18.0 * static_cast<double>(i)) +
        xml_escape(title_lines[i]) + "</text>\n";
  const Tensor values = weights.contiguous();
  for (size_t t = 0; t < row_labels.size(); ++t) {
    const double y = top + cell * static_cast<double>(t);
    svg += format("<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">", left - 6, y + cell * 0.65) +
           xml_escape(visible(row_labels[t])) + "</text>\n";
    for (size_t s = 0; s < column_labels.size(); ++s) {
      const double w = std::clamp<double>(values.at({int64_t(t), int64_t(s)}), 0.0, 1.0);
      // White at weight 0, deep blue at weight 1.
      const int red = static_cast<int>(255 - 227 * w), green = static_cast<int>(255 - 196 * w);
      const int blue = static_cast<int>(255 - 115 * w);
      char fill[64];
      std::snprintf(fill, sizeof(fill), "rgb(%d,%d,%d)", red, green, blue);
      svg += format("<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" ",
                    left + cell * static_cast<double>(s), y, cell, cell) +
             "fill=\"" + fill + "\" stroke=\"#ddd\"><title>" +
             xml_escape(row_labels[t] + " -> " + column_labels[s]) +
             format(": %.3f</title></rect>\n", w);
    }
  }
  for (const AlignmentLink& link : outlined)  // drawn last, so that no cell covers them
    svg += format("<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" ",
                  left + cell * static_cast<double>(link.source) + 1.5,
                  top + cell * static_cast<double>(link.target) + 1.5, cell - 3, cell - 3) +
           "stroke=\"#d62728\" stroke-width=\"2\"/>\n";
  for (size_t s = 0; s < column_labels.size(); ++s) {
    const double x = left + cell * (static_cast<double>(s) + 0.6);
    svg += format("<text transform=\"translate(%.0f,%.0f) rotate(-45)\">", x, top - 6) +
           xml_escape(visible(column_labels[s])) + "</text>\n";
  }
  return svg + "</svg>\n";
}

// ---- line chart -------------------------------------------------------------------------------

// About five round tick values covering [low, high].
static std::vector<double> ticks(double low, double high) {
  const double span = high > low ? high - low : 1.0;
  const double raw = span / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / magnitude >= 5 ? 5 * magnitude
                      : raw / magnitude >= 2 ? 2 * magnitude
                                             : magnitude;
  // Counted, not accumulated: far from 0 (steps near 1e18, from a damaged checkpoint) adding
  // the step to a value can leave it unchanged, and the loop would never end.
  std::vector<double> values;
  const double first = std::ceil(low / step) * step;
  for (int i = 0; i < 12; ++i) {
    const double v = first + i * step;
    if (v > high + 1e-9 * span) break;
    values.push_back(v);
  }
  return values;
}

std::string line_chart_svg(const std::vector<Series>& series, const std::string& title,
                           const std::string& x_label, const std::string& y_label) {
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  for (const Series& s : series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      x_min = std::min(x_min, s.x[i]);
      x_max = std::max(x_max, s.x[i]);
      y_min = std::min(y_min, s.y[i]);
      y_max = std::max(y_max, s.y[i]);
    }
  if (!std::isfinite(x_min)) x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  if (x_max == x_min) x_max = x_min + 1;
  if (y_max == y_min) y_max = y_min + 1;
  const double width = 640, height = 400, left = 70, right = 20, top = 40, bottom = 50;
  auto px = [&](double x) { return left + (x - x_min) / (x_max - x_min) * (width - left - right); };
  auto py = [&](double y) { return top + (y_max - y) / (y_max - y_min) * (height - top - bottom); };

  std::string svg = format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n", width, height);
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"10\" y=\"20\" font-size=\"14\">" + xml_escape(title) + "</text>\n";
  for (double v : ticks(y_min, y_max))
    svg += format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left,
                  py(v), width - right, py(v)) +
           format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", left - 6, py(v) + 4, v);
  for (double v : ticks(x_min, x_max))
    svg += format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n", px(v),
                  height - bottom + 16, v);
  svg += format("<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
                "stroke=\"#888\"/>\n", left, top, width - left - right, height - top - bottom);
  svg += format("<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">", (left + width - right) / 2,
                height - 12) + xml_escape(x_label) + "</text>\n";
  svg += format("<text transform=\"translate(16,%.0f) rotate(-90)\" text-anchor=\"middle\">",
                (top + height - bottom) / 2) + xml_escape(y_label) + "</text>\n";
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    std::string points;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
      if (std::isfinite(s.y[i])) points += format("%.1f,%.1f ", px(s.x[i]), py(s.y[i]));
    svg += "<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"" + xml_escape(s.color) +
           "\" points=\"" + points + "\"/>\n";
    const double legend_y = top + 16 + 16 * static_cast<double>(k);
    svg += format("<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke-width=\"2\" ",
                  width - right - 150, legend_y - 4, width - right - 130, legend_y - 4) +
           "stroke=\"" + xml_escape(s.color) + "\"/>" +
           format("<text x=\"%.0f\" y=\"%.0f\">", width - right - 124, legend_y) +
           xml_escape(s.name) + "</text>\n";
  }
  return svg + "</svg>\n";
}

}  // namespace attn
