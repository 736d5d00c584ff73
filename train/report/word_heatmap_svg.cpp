// Words shaded by attention (see word_heatmap_svg.h).
#include "train/report/word_heatmap_svg.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "train/io/utf8.h"
#include "train/report/svg.h"

namespace attn {

namespace {

constexpr double kRowHeight = 26, kCharWidth = 7.5, kPadding = 4, kGap = 3;

// A word's box width at font-size 13: its characters, not its bytes.
double word_width(const std::string& word) {
  return kCharWidth * static_cast<double>(utf8_characters(word).size()) + 2 * kPadding;
}

std::string number(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), pattern, value);
  return text;
}

}  // namespace

std::string word_heatmap_svg(const std::vector<std::string>& words,
                             const std::vector<std::vector<double>>& rows,
                             const std::vector<std::string>& row_labels, const std::string& title) {
  if (row_labels.size() != rows.size())
    throw std::invalid_argument("word_heatmap_svg: " + std::to_string(rows.size()) + " rows but " +
                                std::to_string(row_labels.size()) + " row labels");
  for (const std::vector<double>& row : rows)
    if (row.size() != words.size())
      throw std::invalid_argument("word_heatmap_svg: a row of " + std::to_string(row.size()) +
                                  " weights for " + std::to_string(words.size()) + " words");
  double left = 20;
  for (const std::string& label : row_labels) left = std::max(left, word_width(label) + 10);
  double sentence = 0;
  for (const std::string& word : words) sentence += word_width(word) + kGap;
  const double top = 40;
  const double width = std::max(left + sentence + 20, kCharWidth * title.size() + 20);
  const double height = top + kRowHeight * static_cast<double>(rows.size()) + 10;

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number("%.0f", width) +
                    "\" height=\"" + number("%.0f", height) +
                    "\" font-family=\"sans-serif\" font-size=\"13\">\n"
                    "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
                    "<text x=\"10\" y=\"22\" font-size=\"14\">" + xml_escape(title) + "</text>\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    const double y = top + kRowHeight * static_cast<double>(r);
    svg += "<text x=\"" + number("%.0f", left - 8) + "\" y=\"" + number("%.1f", y + 17) +
           "\" text-anchor=\"end\" fill=\"#555\">" + xml_escape(row_labels[r]) + "</text>\n";
    const double largest = *std::max_element(rows[r].begin(), rows[r].end());
    double x = left;
    for (size_t w = 0; w < words.size(); ++w) {
      const double weight = rows[r][w];
      const double shade = largest > 0 ? std::clamp(weight / largest, 0.0, 1.0) : 0;
      const double box = word_width(words[w]);
      svg += "<g><title>" + xml_escape(words[w]) + ": " + number("%.4f", weight) + "</title>" +
             "<rect x=\"" + number("%.1f", x) + "\" y=\"" + number("%.1f", y + 2) +
             "\" width=\"" + number("%.1f", box) + "\" height=\"" +
             number("%.0f", kRowHeight - 4) + "\" fill=\"#d62728\" fill-opacity=\"" +
             number("%.3f", shade) + "\"/>" + "<text x=\"" + number("%.1f", x + kPadding) +
             "\" y=\"" + number("%.1f", y + 17) + "\">" + xml_escape(words[w]) + "</text></g>\n";
      x += box + kGap;
    }
  }
  return svg + "</svg>\n";
}

}  // namespace attn
