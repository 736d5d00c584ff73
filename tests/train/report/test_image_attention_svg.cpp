// Attention on an image as SVG: one panel per word, the layer it draws, boxes, escaped words.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tensor/error.h"
#include "train/report/image_attention_svg.h"
#include "train/report/png.h"

using namespace attn;

namespace {

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// A grey image with a bright diagonal.
Image diagonal(int64_t height, int64_t width) {
  Image image(1, height, width);
  for (int64_t y = 0; y < height; ++y) image.at(0, y, y * width / height) = 1;
  return image;
}

const std::vector<double> kCorner = {0.7, 0.1, 0.1, 0.1};  // a 2x2 grid looking top left

}  // namespace

TEST_CASE("image attention svg: the image, then per word its attention layer and the word") {
  const std::string svg =
      image_attention_svg(diagonal(4, 4), {"7", "<&>"}, {kCorner, kCorner}, 2, 2, "a & b");
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(svg.substr(svg.size() - 7) == "</svg>\n");
  // The image is stored once and used in all 3 panels; each word adds its attention layer.
  CHECK(count(svg, "<image") == 1 + 2);
  CHECK(count(svg, "<use href=\"#picture-") == 3);
  CHECK(count(svg, "href=\"data:image/png;base64,") == 1 + 2);
  CHECK(count(svg, "fill-opacity=") == 2);  // the darkened image under each layer
  CHECK(count(svg, ">7</text>") == 1);
  CHECK(count(svg, ">&lt;&amp;&gt;</text>") == 1);
  CHECK(count(svg, "<&>") == 0);
  CHECK(count(svg, ">a &amp; b</text>") == 1);
  CHECK(count(svg, "image-rendering:pixelated") == 1 + 2);
}

TEST_CASE("image attention svg: panels are 128 pixels wide, six to a row") {
  // A 2x4 image is drawn 128 x 64. Three panels in a row of pitch 128 + 12:
  // width 12 + 3 * 140 = 432; height: title 32 + 64 + label 20 + gap 12 = 128.
  const std::string wide =
      image_attention_svg(diagonal(2, 4), {"a", "b"}, {kCorner, kCorner}, 2, 2, "");
  CHECK(count(wide, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"432\" height=\"128\"") ==
        1);
  CHECK(count(wide, "width=\"128\" height=\"64\"") == 1 + 2 * 2);  // image, per word: dim + layer
  CHECK(count(wide, "translate(12,32)") == 1);
  CHECK(count(wide, "translate(292,32)") == 1);
  // Seven words: 8 panels in rows of 6 and 2; 4x4 images drawn 128 x 128:
  // width 12 + 6 * 140 = 852, height 32 + 2 * (128 + 20 + 12) = 352.
  const std::vector<std::string> words(7, "w");
  const std::vector<std::vector<double>> weights(7, kCorner);
  const std::string tall = image_attention_svg(diagonal(4, 4), words, weights, 2, 2, "");
  CHECK(count(tall, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"852\" height=\"352\"") ==
        1);
  CHECK(count(tall, "<g transform=") == 8);
  CHECK(count(tall, "translate(712,32)") == 1);   // the sixth panel, last of the first row
  CHECK(count(tall, "translate(12,192)") == 1);   // the seventh opens the second row
  CHECK(count(tall, "translate(152,192)") == 1);
}

TEST_CASE("image attention svg: a word wider than a panel widens the columns") {
  // A label is about 7 pixels a character: 20 characters take 140 pixels, more than a panel's
  // 128, so the columns are 140 + 12 apart and the panels centred in them.
  const std::string svg = image_attention_svg(diagonal(4, 4), {"abcdefghijklmnopqrst"},
                                              {kCorner}, 2, 2, "");
  CHECK(count(svg, "width=\"316\"") == 1);         // 12 + 2 * 152
  CHECK(count(svg, "translate(18,32)") == 1);      // 12 + (140 - 128) / 2
  CHECK(count(svg, "translate(170,32)") == 1);
}

TEST_CASE("image attention svg: the layer is white, opaque in proportion to the attention") {
  // A 2x2 grid on a 2x2 image: one pixel per cell. Normalised by the largest weight 0.4, the
  // alphas are 0.7 * (0, 0.25, 0.5, 1).
  const std::string svg =
      image_attention_svg(diagonal(2, 2), {"x"}, {{0, 0.1, 0.2, 0.4}}, 2, 2, "");
  Image layer(2, 2, 2);
  for (int64_t i = 0; i < 4; ++i) layer.pixels[static_cast<size_t>(i)] = 1;  // grey plane: white
  layer.at(1, 0, 1) = static_cast<float>(0.7 * 0.25);
  layer.at(1, 1, 0) = static_cast<float>(0.7 * 0.5);
  layer.at(1, 1, 1) = static_cast<float>(0.7);
  CHECK(count(svg, "href=\"" + png_data_uri(layer) + "\"") == 1);
  CHECK(count(svg, "href=\"" + png_data_uri(diagonal(2, 2)) + "\"") == 1);
  // Attention that is all zeros draws nothing on the image, rather than dividing by 0.
  layer.at(1, 0, 1) = layer.at(1, 1, 0) = layer.at(1, 1, 1) = 0;
  const std::string dark = image_attention_svg(diagonal(2, 2), {"x"}, {{0, 0, 0, 0}}, 2, 2, "");
  CHECK(count(dark, "href=\"" + png_data_uri(layer) + "\"") == 1);
}

TEST_CASE("image attention svg: each word's box is outlined, clipped to the image") {
  // A 4x4 image drawn at 32 screen pixels per pixel. The second box, rows -1..2 and columns
  // 3..6, is clipped to rows 0..2, column 3; the third has no height and outlines nothing.
  const std::string svg = image_attention_svg(
      diagonal(4, 4), {"a", "b", "c"}, {kCorner, kCorner, kCorner}, 2, 2, "",
      {{0, 0, 2, 2}, {-1, 3, 4, 4}, {1, 1, 0, 3}});
  CHECK(count(svg, "stroke=\"#d62728\"") == 2);
  CHECK(count(svg, "<rect x=\"0\" y=\"0\" width=\"64\" height=\"64\" fill=\"none\"") == 1);
  CHECK(count(svg, "<rect x=\"96\" y=\"0\" width=\"32\" height=\"96\" fill=\"none\"") == 1);
  CHECK(count(image_attention_svg(diagonal(4, 4), {"a"}, {kCorner}, 2, 2, ""), "#d62728") == 0);
}

TEST_CASE("image attention svg: the stored image's id follows its bytes") {
  const std::string one = image_attention_svg(diagonal(4, 4), {}, {}, 2, 2, "");
  const std::string other = image_attention_svg(diagonal(4, 8), {}, {}, 2, 2, "");
  const std::string id = one.substr(one.find("id=\"picture-"), 21);
  CHECK(count(one, id) == 1);
  CHECK(count(one, "<use href=\"#" + id.substr(4, 16) + "\"/>") == 1);
  CHECK(count(other, id) == 0);
}

TEST_CASE("image attention svg: mismatched words, weights and boxes are refused, naming them") {
  const Image image = diagonal(4, 4);
  CHECK_THROWS_WITH_AS(image_attention_svg(image, {"a", "b"}, {kCorner}, 2, 2, ""),
                       "image_attention_svg: 2 words but 1 attention maps", Error);
  CHECK_THROWS_WITH_AS(image_attention_svg(image, {"a", "b"}, {kCorner, {0.5, 0.5}}, 2, 2, ""),
                       "image_attention_svg: word 1 has 2 weights, the grid 2x2 has 4 cells",
                       Error);
  CHECK_THROWS_WITH_AS(image_attention_svg(image, {"a"}, {kCorner}, 2, 2, "", {{}, {}}),
                       "image_attention_svg: 2 boxes for 1 words: give none, or one per word",
                       Error);
  CHECK_THROWS_WITH_AS(image_attention_svg(image, {"\xFF"}, {kCorner}, 2, 2, ""),
                       "image_attention_svg: word 0 is not valid UTF-8", Error);
  CHECK_THROWS_WITH_AS(image_attention_svg(image, {}, {}, 2, 2, "\xC3"),
                       "image_attention_svg: the title is not valid UTF-8", Error);
  CHECK_THROWS_WITH_AS(image_attention_svg(image, {"a"}, {std::vector<double>(25, 0.04)}, 5, 5, ""),
                       "upsample_attention: grid 5x5 does not fit in the image 4x4: every cell "
                       "needs a pixel",
                       Error);
  CHECK_THROWS_WITH_AS(image_attention_svg(Image(1, 0, 4), {}, {}, 2, 2, ""),
                       "encode_png: image of 0x4 pixels: a PNG has 1 to 2^31 - 1 rows and columns",
                       Error);
}
