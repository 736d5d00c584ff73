// The NTM's inputs, outputs and head weights over time as SVG (see memory_trace_svg.h).
#include "train/report/memory_trace_svg.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "tensor/error.h"
#include "train/report/svg.h"

namespace attn {

namespace {

constexpr double kCell = 10;        // pixels per step and per row
constexpr double kLeft = 70;        // room for the panel names
constexpr double kPanelGap = 26;    // between panels, with the next panel's name

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", value);
  return text;
}

// Memory panels are at most this tall: a memory of 128 rows gets rows 2.5 pixels high.
constexpr double kMemoryHeight = 320;

// One panel: values [T, C] drawn as `rows` rows (the first) of T cells, each `height` high,
// from y0 down; returns the SVG.
std::string panel(const Tensor& values, int64_t rows, double height, double y0,
                  const std::string& name) {
  const Tensor v = values.contiguous();
  const int64_t T = v.size(0), C = v.size(1);
  std::string svg = "<text x=\"8\" y=\"" + number(y0 + 12) + "\" font-size=\"12\">" +
                    xml_escape(name) + "</text>\n";
  for (int64_t c = 0; c < std::min(rows, C); ++c)
    for (int64_t t = 0; t < T; ++t) {
      const double value = std::clamp(static_cast<double>(v.data()[t * C + c]), 0.0, 1.0);
      const int grey = static_cast<int>(255 * (1 - value) + 0.5);
      if (grey == 255) continue;  // white on the white page: most of a memory panel
      char colour[16];
      std::snprintf(colour, sizeof(colour), "#%02x%02x%02x", grey, grey, grey);
      svg += "<rect x=\"" + number(kLeft + kCell * static_cast<double>(t)) + "\" y=\"" +
             number(y0 + height * static_cast<double>(c)) + "\" width=\"" + number(kCell) +
             "\" height=\"" + number(height) + "\" fill=\"" + colour + "\"/>\n";
    }
  svg += "<rect x=\"" + number(kLeft) + "\" y=\"" + number(y0) + "\" width=\"" +
         number(kCell * static_cast<double>(T)) + "\" height=\"" +
         number(height * static_cast<double>(std::min(rows, C))) +
         "\" fill=\"none\" stroke=\"#999\"/>\n";
  return svg;
}

}  // namespace

std::string memory_trace_svg(const Tensor& inputs, const Tensor& outputs, const Tensor& writes,
                             const Tensor& reads, int64_t rows, const std::string& title) {
  const int64_t T = inputs.size(0);
  for (const Tensor* part : {&outputs, &writes, &reads})
    check(part->ndim() == 2 && part->size(0) == T && inputs.ndim() == 2, "memory_trace_svg",
          "inputs " + to_string(inputs.shape()) + ", outputs " + to_string(outputs.shape()) +
              ", writes " + to_string(writes.shape()) + " and reads " + to_string(reads.shape()) +
              " must all be [T, *]");
  check(rows >= 1, "memory_trace_svg", "needs at least one memory row to draw");
  const int64_t memory_rows = std::min(rows, writes.size(1));
  const std::vector<std::pair<const Tensor*, std::string>> panels = {
      {&inputs, "inputs"}, {&outputs, "outputs"}, {&writes, "writes"}, {&reads, "reads"}};
  std::string body;
  double y = 34;
  for (const auto& [values, name] : panels) {
    const bool memory = name == "writes" || name == "reads";
    const int64_t shown = memory ? memory_rows : values->size(1);
    const double height =
        memory ? std::min(kCell, kMemoryHeight / static_cast<double>(shown)) : kCell;
    body += panel(*values, shown, height, y, name);
    y += height * static_cast<double>(shown) + kPanelGap;
  }
  body += "<text x=\"" + number(kLeft) + "\" y=\"" + number(y - 8) +
          "\" font-size=\"11\" fill=\"#555\">time &#8594;</text>\n";
  const double width = kLeft + kCell * static_cast<double>(T) + 20;
  const double height = y + 6;
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(std::max(width, 320.0)) +
         "\" height=\"" + number(height) + "\">\n<rect width=\"100%\" height=\"100%\" " +
         "fill=\"white\"/>\n<text x=\"8\" y=\"20\" font-size=\"14\">" + xml_escape(title) +
         "</text>\n" + body + "</svg>\n";
}

}  // namespace attn
