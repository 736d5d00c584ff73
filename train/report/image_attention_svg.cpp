// The attention of each generated word on the image, as SVG panels (see image_attention_svg.h).
#include "train/report/image_attention_svg.h"

#include <algorithm>
#include <cstdio>

#include "tensor/error.h"
#include "train/io/utf8.h"
#include "train/metrics/attention_on_image.h"
#include "train/report/png.h"
#include "train/report/svg.h"

namespace attn {

namespace {

constexpr double kPanelWidth = 128;   // screen pixels of a panel's image, whatever its size
constexpr double kGap = 12;           // between panels, and around them
constexpr double kLabelHeight = 20;   // the word under a panel
constexpr double kTitleHeight = 32;
constexpr size_t kPanelsPerRow = 6;
constexpr double kDimming = 0.45;     // opacity of the black layer that darkens the image
// Opacity of the white layer on the most attended pixel: below 1, so that the image still shows
// through where the model looks.
constexpr double kBrightest = 0.7;
// The scaled-up image keeps its pixels as sharp squares: the grid cells stay visible.
const char* const kScaledUp = "preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\"";

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

// Width estimates in pixels, as svg.cpp makes them: about 7 per character at font-size 12, 8 at
// font-size 14.
double text_width(const std::string& text, double per_character) {
  return per_character * static_cast<double>(utf8_characters(text).size());
}

void check_arguments(const std::vector<std::string>& words,
                     const std::vector<std::vector<double>>& weights, int64_t grid_height,
                     int64_t grid_width, const std::string& title, const std::vector<Box>& boxes) {
  const std::string op = "image_attention_svg";
  check(is_valid_utf8(title), op, "the title is not valid UTF-8");
  check(weights.size() == words.size(), op,
        std::to_string(words.size()) + " words but " + std::to_string(weights.size()) +
            " attention maps");
  check(boxes.empty() || boxes.size() == words.size(), op,
        std::to_string(boxes.size()) + " boxes for " + std::to_string(words.size()) +
            " words: give none, or one per word");
  for (size_t t = 0; t < words.size(); ++t) {
    check(is_valid_utf8(words[t]), op, "word " + std::to_string(t) + " is not valid UTF-8");
    // Sizes below 1 are left to upsample_attention, which names them.
    check(grid_height < 1 || grid_width < 1 ||
              weights[t].size() == static_cast<size_t>(grid_height * grid_width),
          op, "word " + std::to_string(t) + " has " + std::to_string(weights[t].size()) +
                  " weights, the grid " + std::to_string(grid_height) + "x" +
                  std::to_string(grid_width) + " has " +
                  std::to_string(grid_height * grid_width) + " cells");
  }
}

// The white layer of one word: white (grey 1) everywhere, with alpha = kBrightest * map / max.
Image attention_layer(const std::vector<double>& map, int64_t height, int64_t width) {
  const double peak = *std::max_element(map.begin(), map.end());
  Image layer(2, height, width);  // grey + alpha
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x) {
      layer.at(0, y, x) = 1;
      const double value = map[static_cast<size_t>(y * width + x)];
      layer.at(1, y, x) = peak > 0 ? static_cast<float>(kBrightest * value / peak) : 0.0f;
    }
  return layer;
}

// The red outline of `box`, clipped to the image; `scale` is screen pixels per image pixel.
// Computed in doubles: a box may hold any numbers, and top + height could overflow.
std::string box_outline(const Box& box, const Image& image, double scale) {
  const auto rows = static_cast<double>(image.height), columns = static_cast<double>(image.width);
  const double top = std::clamp(static_cast<double>(box.top), 0.0, rows);
  const double bottom = std::clamp(static_cast<double>(box.top) + static_cast<double>(box.height),
                                   0.0, rows);
  const double left = std::clamp(static_cast<double>(box.left), 0.0, columns);
  const double right = std::clamp(static_cast<double>(box.left) + static_cast<double>(box.width),
                                  0.0, columns);
  if (bottom <= top || right <= left) return "";
  return "<rect x=\"" + number(left * scale) + "\" y=\"" + number(top * scale) + "\" width=\"" +
         number((right - left) * scale) + "\" height=\"" + number((bottom - top) * scale) +
         "\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n";
}

}  // namespace

std::string image_attention_svg(const Image& image, const std::vector<std::string>& words,
                                const std::vector<std::vector<double>>& weights,
                                int64_t grid_height, int64_t grid_width,
                                const std::string& title, const std::vector<Box>& boxes) {
  check_arguments(words, weights, grid_height, grid_width, title, boxes);
  const std::string picture = png_data_uri(image);  // refuses an image it cannot draw
  // The image is stored once and drawn in every panel by reference. Its id is named after its
  // bytes, so that two pictures inlined in one HTML page never take each other's image.
  char id[32];
  std::snprintf(id, sizeof(id), "picture-%08x", static_cast<unsigned>(crc32(picture)));

  const double scale = kPanelWidth / static_cast<double>(image.width);
  const double panel_height = static_cast<double>(image.height) * scale;
  double column_width = kPanelWidth;  // a long word widens every column, rather than overlap
  for (const std::string& word : words) column_width = std::max(column_width, text_width(word, 7));
  const double pitch_x = column_width + kGap, pitch_y = panel_height + kLabelHeight + kGap;
  const size_t panels = 1 + words.size();
  const size_t columns = std::min(panels, kPanelsPerRow);
  const size_t rows = (panels + kPanelsPerRow - 1) / kPanelsPerRow;
  const double width = std::max(kGap + static_cast<double>(columns) * pitch_x,
                                text_width(title, 8) + 20);
  const double height = kTitleHeight + static_cast<double>(rows) * pitch_y;

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(width) +
                    "\" height=\"" + number(height) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"10\" y=\"20\" font-size=\"14\">" + xml_escape(title) + "</text>\n";
  const std::string size =
      "width=\"" + number(kPanelWidth) + "\" height=\"" + number(panel_height) + "\"";
  svg += "<defs><image id=\"" + std::string(id) + "\" " + size + " " + kScaledUp + " href=\"" +
         picture + "\"/></defs>\n";
  for (size_t panel = 0; panel < panels; ++panel) {
    const double x = kGap + static_cast<double>(panel % kPanelsPerRow) * pitch_x;
    const double y = kTitleHeight + static_cast<double>(panel / kPanelsPerRow) * pitch_y;
    svg += "<g transform=\"translate(" + number(x + (column_width - kPanelWidth) / 2) + "," +
           number(y) + ")\">\n<use href=\"#" + id + "\"/>\n";
    if (panel > 0) {  // panel 0 is the image alone; panel t + 1 shows word t
      const size_t t = panel - 1;
      const std::vector<double> map =
          upsample_attention(weights[t], grid_height, grid_width, image.height, image.width);
      svg += "<rect " + size + " fill=\"black\" fill-opacity=\"" + number(kDimming) + "\"/>\n";
      svg += "<image " + size + " " + kScaledUp + " href=\"" +
             png_data_uri(attention_layer(map, image.height, image.width)) + "\"/>\n";
      if (!boxes.empty()) svg += box_outline(boxes[t], image, scale);
      svg += "<text x=\"" + number(kPanelWidth / 2) + "\" y=\"" + number(panel_height + 15) +
             "\" text-anchor=\"middle\">" + xml_escape(words[t]) + "</text>\n";
    }
    svg += "</g>\n";
  }
  return svg + "</svg>\n";
}

}  // namespace attn
