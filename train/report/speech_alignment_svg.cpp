// Characters against time over the spectrogram, as SVG (see speech_alignment_svg.h).
#include "train/report/speech_alignment_svg.h"

#include <algorithm>
#include <cstdio>

#include "tensor/error.h"
#include "train/io/image.h"
#include "train/io/utf8.h"
#include "train/report/png.h"
#include "train/report/svg.h"

namespace attn {

namespace {

const char* const kOp = "speech_alignment_svg";
constexpr double kFrameWidth = 2;       // screen pixels per frame
constexpr double kRowHeight = 14;       // per character
constexpr double kSpectrogramHeight = 96;
constexpr double kLabelWidth = 36;      // the characters' column, left of the picture
constexpr double kTitleHeight = 32;
constexpr double kAxisHeight = 28;      // time ticks under the spectrogram
constexpr int64_t kMaxFrames = 100000;  // 1,000 s at 10 ms: a picture, not a recording's worth
const char* const kScaledUp = "preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\"";

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

void check_alignment(const SpeechAlignment& a, const std::string& title) {
  check(a.frames >= 1 && a.frames <= kMaxFrames && a.bands >= 1 && a.bands <= 1024, kOp,
        "needs 1.." + std::to_string(kMaxFrames) + " frames of 1..1024 bands, got " +
            std::to_string(a.frames) + " x " + std::to_string(a.bands));
  check(a.spectrogram.size() == static_cast<size_t>(a.frames * a.bands), kOp,
        "the spectrogram holds " + std::to_string(a.spectrogram.size()) + " values, not " +
            std::to_string(a.frames) + " frames x " + std::to_string(a.bands) + " bands");
  check(a.hop_seconds > 0 && a.frames_per_step >= 1, kOp,
        "hop_seconds and frames_per_step must be positive");
  check(a.weights.size() == a.characters.size(), kOp,
        std::to_string(a.characters.size()) + " characters but " +
            std::to_string(a.weights.size()) + " rows of weights");
  check(is_valid_utf8(title), kOp, "the title is not valid UTF-8");
  for (size_t i = 0; i < a.characters.size(); ++i) {
    check(is_valid_utf8(a.characters[i]), kOp, "character " + std::to_string(i) + " is not valid UTF-8");
    const auto steps = static_cast<int64_t>(a.weights[i].size());
    check(steps >= 1 && (steps - 1) * a.frames_per_step < a.frames, kOp,
          "character " + std::to_string(i) + " has weights over " + std::to_string(steps) +
              " steps of " + std::to_string(a.frames_per_step) + " frames; the utterance has " +
              std::to_string(a.frames) + " frames");
  }
}

// Characters x frames, grey: each row's weights over its steps, spread over their frames and
// divided by the row's largest weight.
Image attention_image(const SpeechAlignment& a) {
  Image image(1, static_cast<int64_t>(a.characters.size()), a.frames);
  for (int64_t row = 0; row < image.height; ++row) {
    const std::vector<double>& weights = a.weights[static_cast<size_t>(row)];
    const double peak = *std::max_element(weights.begin(), weights.end());
    for (int64_t t = 0; t < a.frames; ++t) {
      const auto step = static_cast<size_t>(t / a.frames_per_step);
      const double w = step < weights.size() ? weights[step] : 0;
      image.at(0, row, t) = peak > 0 ? static_cast<float>(std::clamp(w / peak, 0.0, 1.0)) : 0.0f;
    }
  }
  return image;
}

// Bands x frames, grey, the lowest band at the bottom, scaled from the smallest to the largest.
Image spectrogram_image(const SpeechAlignment& a) {
  const auto [low, high] = std::minmax_element(a.spectrogram.begin(), a.spectrogram.end());
  const double range = static_cast<double>(*high) - static_cast<double>(*low);
  Image image(1, a.bands, a.frames);
  for (int64_t t = 0; t < a.frames; ++t)
    for (int64_t b = 0; b < a.bands; ++b) {
      const double v = a.spectrogram[static_cast<size_t>(t * a.bands + b)];
      image.at(0, a.bands - 1 - b, t) =
          range > 0 ? static_cast<float>((v - static_cast<double>(*low)) / range) : 0.0f;
    }
  return image;
}

// A tick every half second (every second past 10 s), labelled in seconds.
std::string time_axis(const SpeechAlignment& a, double x0, double y0, double width) {
  const double seconds = static_cast<double>(a.frames) * a.hop_seconds;
  const double every = seconds > 10 ? 1 : 0.5;
  std::string svg;
  for (double s = 0; s <= seconds; s += every) {
    const double x = x0 + width * s / seconds;
    svg += "<line x1=\"" + number(x) + "\" y1=\"" + number(y0) + "\" x2=\"" + number(x) +
           "\" y2=\"" + number(y0 + 5) + "\" stroke=\"black\"/>\n";
    svg += "<text x=\"" + number(x) + "\" y=\"" + number(y0 + 18) +
           "\" text-anchor=\"middle\">" + number(s) + " s</text>\n";
  }
  return svg;
}

}  // namespace

std::string speech_alignment_svg(const SpeechAlignment& alignment, const std::string& title) {
  check_alignment(alignment, title);
  const double picture_width = kFrameWidth * static_cast<double>(alignment.frames);
  const double rows_height = kRowHeight * static_cast<double>(alignment.characters.size());
  const double x0 = kLabelWidth, y0 = kTitleHeight;
  const double width = std::max(x0 + picture_width + 20, 8.0 * static_cast<double>(title.size()) + 20);
  const double height = y0 + rows_height + 4 + kSpectrogramHeight + kAxisHeight;

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(width) +
                    "\" height=\"" + number(height) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"10\" y=\"20\" font-size=\"14\">" + xml_escape(title) + "</text>\n";
  if (!alignment.characters.empty()) {
    svg += "<image x=\"" + number(x0) + "\" y=\"" + number(y0) + "\" width=\"" +
           number(picture_width) + "\" height=\"" + number(rows_height) + "\" " + kScaledUp +
           " href=\"" + png_data_uri(attention_image(alignment)) + "\"/>\n";
    for (size_t i = 0; i < alignment.characters.size(); ++i) {
      const std::string& c = alignment.characters[i];
      svg += "<text x=\"" + number(x0 - 8) + "\" y=\"" +
             number(y0 + kRowHeight * (static_cast<double>(i) + 0.75)) +
             "\" text-anchor=\"end\" font-family=\"monospace\">" +
             xml_escape(c == " " ? "\u2423" : c) + "</text>\n";  // a space shown as ␣
    }
  }
  const double spectrogram_y = y0 + rows_height + 4;
  svg += "<image x=\"" + number(x0) + "\" y=\"" + number(spectrogram_y) + "\" width=\"" +
         number(picture_width) + "\" height=\"" + number(kSpectrogramHeight) + "\" " + kScaledUp +
         " href=\"" + png_data_uri(spectrogram_image(alignment)) + "\"/>\n";
  svg += time_axis(alignment, x0, spectrogram_y + kSpectrogramHeight, picture_width);
  return svg + "</svg>\n";
}

}  // namespace attn
