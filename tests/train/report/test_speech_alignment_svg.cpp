// Characters against time over the spectrogram as SVG: layout, the attention image spread over
// each step's frames, labels, and refusals.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tensor/error.h"
#include "train/io/image.h"
#include "train/report/png.h"
#include "train/report/speech_alignment_svg.h"

using namespace attn;

namespace {

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// 4 frames of 2 bands, two characters over 2 listener steps of 2 frames each.
SpeechAlignment tiny() {
  SpeechAlignment a;
  a.frames = 4;
  a.bands = 2;
  a.spectrogram = {0, 1, 2, 3, 4, 5, 6, 8};  // frame t: bands 2t, 2t+1 (the last 8)
  a.hop_seconds = 0.25;
  a.characters = {"a", " "};
  a.weights = {{0.8, 0.2}, {0.25, 0.75}};
  a.frames_per_step = 2;
  return a;
}

}  // namespace

TEST_CASE("speech alignment svg: each character's weights spread over its steps' frames") {
  const std::string svg = speech_alignment_svg(tiny(), "x < y");
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(count(svg, "<image") == 2);  // attention and spectrogram
  // Row "a": 0.8 / 0.8 = 1 over frames 0-1, 0.2 / 0.8 = 0.25 over 2-3; row " ": 1/3, 1.
  Image expected(1, 2, 4);
  const float rows[2][4] = {{1, 1, 0.25f, 0.25f}, {1.0f / 3, 1.0f / 3, 1, 1}};
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t t = 0; t < 4; ++t) expected.at(0, r, t) = rows[r][t];
  CHECK(count(svg, png_data_uri(expected)) == 1);
  // The spectrogram from 0 (black) to 8 (white), band 1 on the top row.
  Image spectrogram(1, 2, 4);
  const float bands[2][4] = {{1, 3, 5, 8}, {0, 2, 4, 6}};
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t t = 0; t < 4; ++t) spectrogram.at(0, r, t) = bands[r][t] / 8;
  CHECK(count(svg, png_data_uri(spectrogram)) == 1);
}

TEST_CASE("speech alignment svg: sizes, labels and the time axis") {
  const std::string svg = speech_alignment_svg(tiny(), "x < y");
  // 4 frames at 2 pixels: 8 wide, so the picture is 36 + 8 + 20 = 64 wide (the title needs
  // 5 * 8 + 20 = 60); height 32 + 2 * 14 + 4 + 96 + 28 = 188.
  CHECK(count(svg, "width=\"64\" height=\"188\"") == 1);
  CHECK(count(svg, "width=\"8\" height=\"28\"") == 1);  // the attention rows
  CHECK(count(svg, "width=\"8\" height=\"96\"") == 1);  // the spectrogram
  CHECK(count(svg, ">a</text>") == 1);
  CHECK(count(svg, ">\u2423</text>") == 1);  // the space, visible
  CHECK(count(svg, ">x &lt; y</text>") == 1);
  // 1 second of audio: ticks at 0, 0.5 and 1 s
  CHECK(count(svg, " s</text>") == 3);
  CHECK(count(svg, ">0.5 s</text>") == 1);
}

TEST_CASE("speech alignment svg: mismatched sizes are refused naming them") {
  SpeechAlignment a = tiny();
  a.weights.pop_back();
  CHECK_THROWS_WITH_AS(speech_alignment_svg(a, ""),
                       "speech_alignment_svg: 2 characters but 1 rows of weights", Error);
  a = tiny();
  a.weights[1] = {0.1, 0.2, 0.7};  // 3 steps of 2 frames need 5 frames
  CHECK_THROWS_WITH_AS(speech_alignment_svg(a, ""),
                       "speech_alignment_svg: character 1 has weights over 3 steps of 2 frames; "
                       "the utterance has 4 frames",
                       Error);
  a = tiny();
  a.spectrogram.pop_back();
  CHECK_THROWS_AS(speech_alignment_svg(a, ""), Error);
  a = tiny();
  a.frames = 0;
  CHECK_THROWS_AS(speech_alignment_svg(a, ""), Error);
}
