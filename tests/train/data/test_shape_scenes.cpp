// The shape-scene generator (train/data/shape_scenes.h): captions follow the template and name
// their objects, the relation really holds between the boxes, shapes are drawn in their boxes
// and colours by their pixel tests, held-out combinations are kept out or put in, and a seed
// gives the same scenes.
#include <doctest/doctest.h>

#include <array>
#include <map>
#include <set>

#include "tensor/error.h"
#include "train/data/shape_scenes.h"

using namespace attn;

namespace {

using Words = std::vector<std::string>;

// The caption's parts: "a SIZE COLOUR SHAPE RELATION... a SIZE COLOUR SHAPE".
struct Parsed {
  std::string size[2], colour[2], shape[2], relation;
};

Parsed parse(const Words& caption) {
  REQUIRE((caption.size() == 9 || caption.size() == 10));
  const size_t second = caption.size() - 4;  // where the second "a" is
  Parsed parsed;
  for (size_t i = 4; i < second; ++i) parsed.relation += (i > 4 ? " " : "") + caption[i];
  for (int object = 0; object < 2; ++object) {
    const size_t at = object == 0 ? 0 : second;
    CHECK(caption[at] == "a");
    parsed.size[object] = caption[at + 1];
    parsed.colour[object] = caption[at + 2];
    parsed.shape[object] = caption[at + 3];
  }
  return parsed;
}

// The RGB of each colour word, written out here independently of the generator.
const std::map<std::string, std::array<float, 3>> kRgb = {
    {"red", {1, 0, 0}},     {"green", {0, 1, 0}}, {"blue", {0, 0, 1}}, {"yellow", {1, 1, 0}},
    {"magenta", {1, 0, 1}}, {"cyan", {0, 1, 1}},  {"white", {1, 1, 1}}};

bool black(const Image& image, int64_t y, int64_t x) {
  return image.at(0, y, x) == 0 && image.at(1, y, x) == 0 && image.at(2, y, x) == 0;
}

int64_t inked_pixels(const Image& image, const Box& box) {
  int64_t count = 0;
  for (int64_t y = box.top; y < box.top + box.height; ++y)
    for (int64_t x = box.left; x < box.left + box.width; ++x) count += !black(image, y, x);
  return count;
}

// The relation the boxes show: one box wholly on one side of the other, sharing columns (or
// rows) with it; "" when none or more than one holds.
std::string relation_of(const Box& a, const Box& b) {
  const bool share_columns = a.left < b.left + b.width && b.left < a.left + a.width;
  const bool share_rows = a.top < b.top + b.height && b.top < a.top + a.height;
  std::vector<std::string> holding;
  if (share_columns && a.top + a.height + 2 <= b.top) holding.push_back("above");
  if (share_columns && b.top + b.height + 2 <= a.top) holding.push_back("below");
  if (share_rows && a.left + a.width + 2 <= b.left) holding.push_back("left of");
  if (share_rows && b.left + b.width + 2 <= a.left) holding.push_back("right of");
  return holding.size() == 1 ? holding[0] : "";
}

ShapeSceneOptions with_mode(HeldOutMode mode) {
  ShapeSceneOptions options;
  options.mode = mode;
  return options;
}

}  // namespace

TEST_CASE("shape_scenes: the same seed gives the same scenes, another seed others") {
  const auto first = shape_scenes(40, 7, {}), again = shape_scenes(40, 7, {});
  const auto other = shape_scenes(40, 8, {});
  REQUIRE(first.size() == 40);
  int64_t differ = 0;
  for (size_t i = 0; i < first.size(); ++i) {
    CHECK(first[i].image == again[i].image);
    CHECK(first[i].caption == again[i].caption);
    CHECK(first[i].objects == again[i].objects);
    CHECK(first[i].names == again[i].names);
    differ += first[i].image != other[i].image;
  }
  CHECK(differ >= 35);
  CHECK(shape_scenes(0, 7, {}).empty());
}

TEST_CASE("shape_scenes: shape_scene draws the same stream as shape_scenes") {
  Generator generator(9);
  const auto scenes = shape_scenes(3, 9, {});
  for (const Scene& scene : scenes) CHECK(shape_scene(generator, {}).image == scene.image);
}

TEST_CASE("shape_scenes: captions follow the template, and only size, colour and shape name") {
  const Words vocabulary = shape_scene_vocabulary();
  CHECK(vocabulary == Words{"a", "small", "large", "red", "green", "blue", "yellow", "magenta",
                            "cyan", "white", "circle", "square", "triangle", "above", "left",
                            "of"});
  std::set<std::string> seen;
  for (const Scene& scene : shape_scenes(400, 1, with_mode(HeldOutMode::any))) {
    const Parsed parsed = parse(scene.caption);
    CHECK(std::set<std::string>{"above", "left of"}.count(parsed.relation));  // reading order
    for (int object = 0; object < 2; ++object) {
      CHECK((parsed.size[object] == "small" || parsed.size[object] == "large"));
      CHECK(kRgb.count(parsed.colour[object]) == 1);
      CHECK(std::set<std::string>{"circle", "square", "triangle"}.count(parsed.shape[object]));
    }
    const std::vector<int64_t> names =
        scene.caption.size() == 9 ? std::vector<int64_t>{-1, 0, 0, 0, -1, -1, 1, 1, 1}
                                  : std::vector<int64_t>{-1, 0, 0, 0, -1, -1, -1, 1, 1, 1};
    CHECK(scene.names == names);
    REQUIRE(scene.objects.size() == 2);
    seen.insert(scene.caption.begin(), scene.caption.end());
  }
  CHECK(seen == std::set<std::string>(vocabulary.begin(), vocabulary.end()));  // every word occurs
}

TEST_CASE("shape_scenes: the caption's relation holds between the boxes, and no other does") {
  std::map<std::string, int> relations;
  for (const Scene& scene : shape_scenes(400, 2, {})) {
    const std::string relation = parse(scene.caption).relation;
    CHECK(relation_of(scene.objects[0], scene.objects[1]) == relation);
    ++relations[relation];
  }
  CHECK(relations.size() == 2);
  for (const auto& [relation, count] : relations) CHECK(count > 150);  // about 200 each
}

TEST_CASE("shape_scenes: boxes lie inside the canvas, apart, with the side their size says") {
  // side canvas/4 (small) and canvas*7/16 (large): 8 and 14 at 32, 4 and 7 at 16, 16 and 28 at 64
  for (const auto& [canvas, small, large] :
       std::vector<std::array<int64_t, 3>>{{32, 8, 14}, {16, 4, 7}, {64, 16, 28}}) {
    ShapeSceneOptions options;
    options.canvas = canvas;
    for (const Scene& scene : shape_scenes(200, 3, options)) {
      CHECK(scene.image.channels == 3);
      CHECK(scene.image.height == canvas);
      CHECK(scene.image.width == canvas);
      const Parsed parsed = parse(scene.caption);
      for (int object = 0; object < 2; ++object) {
        const Box& box = scene.objects[object];
        const int64_t side = parsed.size[object] == "small" ? small : large;
        CHECK(box.height == side);
        CHECK(box.width == side);
        CHECK((box.top >= 0 && box.left >= 0 && box.top + side <= canvas &&
               box.left + side <= canvas));
      }
      CHECK_FALSE(scene.objects[0].overlaps(scene.objects[1]));
    }
  }
}

TEST_CASE("shape_scenes: ink lies in its object's box, in its colour, touching all four sides") {
  for (const Scene& scene : shape_scenes(200, 4, with_mode(HeldOutMode::any))) {
    const Parsed parsed = parse(scene.caption);
    const Image& image = scene.image;
    for (float value : image.pixels) CHECK((value == 0.0f || value == 1.0f));
    for (int64_t y = 0; y < image.height; ++y)
      for (int64_t x = 0; x < image.width; ++x) {
        int64_t owner = -1;
        for (int64_t object = 0; object < 2; ++object)
          if (scene.objects[object].contains(y, x)) owner = object;
        if (owner < 0) {
          CHECK(black(image, y, x));
          continue;
        }
        const std::array<float, 3>& rgb = kRgb.at(parsed.colour[owner]);
        if (!black(image, y, x))
          for (int64_t c = 0; c < 3; ++c) CHECK(image.at(c, y, x) == rgb[c]);
      }
    for (const Box& box : scene.objects) {  // the box is tight: its edge rows and columns ink
      const int64_t bottom = box.top + box.height - 1, right = box.left + box.width - 1;
      CHECK(inked_pixels(image, {box.top, box.left, 1, box.width}) > 0);
      CHECK(inked_pixels(image, {bottom, box.left, 1, box.width}) > 0);
      CHECK(inked_pixels(image, {box.top, box.left, box.height, 1}) > 0);
      CHECK(inked_pixels(image, {box.top, right, box.height, 1}) > 0);
    }
  }
}

TEST_CASE("shape_scenes: shapes hold the pixels their tests give, counted by hand") {
  // Side 8, circle: pixel centres at +-0.5, +-1.5, +-2.5, +-3.5 from the middle, inside radius
  // 4 when dx^2 + dy^2 <= 16: rows of 4, 6, 8, 8, 8, 8, 6, 4 = 52. Side 14: rows of 6, 8, 10,
  // 12, 14, 14, 14 and back = 156. Triangles |2x + 1 - s| <= y + 1: rows 2, 2, 4, 4, 6, 6, 8, 8
  // = 40 at side 8, 2 * (2 + 4 + ... + 14) = 112 at side 14. Squares fill their box.
  const std::map<std::string, int64_t> expected = {
      {"small circle", 52},    {"large circle", 156}, {"small triangle", 40},
      {"large triangle", 112}, {"small square", 64},  {"large square", 196}};
  std::set<std::string> checked;
  for (const Scene& scene : shape_scenes(200, 5, with_mode(HeldOutMode::any))) {
    const Parsed parsed = parse(scene.caption);
    for (int object = 0; object < 2; ++object) {
      const std::string kind = parsed.size[object] + " " + parsed.shape[object];
      CHECK(inked_pixels(scene.image, scene.objects[object]) == expected.at(kind));
      checked.insert(kind);
      if (parsed.shape[object] == "triangle") {  // the apex: the two middle pixels of the top row
        const Box& box = scene.objects[object];
        const int64_t middle = box.left + box.width / 2;
        CHECK(inked_pixels(scene.image, {box.top, box.left, 1, box.width}) == 2);
        CHECK_FALSE(black(scene.image, box.top, middle - 1));
        CHECK_FALSE(black(scene.image, box.top, middle));
      }
    }
  }
  CHECK(checked.size() == expected.size());
}

TEST_CASE("shape_scenes: held-out combinations never appear when seen only, always when held out") {
  ShapeSceneOptions options;
  options.held_out = {"red triangle", "cyan circle"};
  auto held = [&](const Scene& scene) {
    const Parsed parsed = parse(scene.caption);
    int count = 0;
    for (int object = 0; object < 2; ++object) {
      const std::string combination = parsed.colour[object] + " " + parsed.shape[object];
      count += combination == "red triangle" || combination == "cyan circle";
    }
    return count;
  };
  std::map<HeldOutMode, std::set<int>> counts;  // how many held-out objects scenes had
  for (HeldOutMode mode : {HeldOutMode::seen_only, HeldOutMode::held_out, HeldOutMode::any}) {
    options.mode = mode;
    for (const Scene& scene : shape_scenes(600, 6, options)) counts[mode].insert(held(scene));
  }
  CHECK(counts[HeldOutMode::seen_only] == std::set<int>{0});
  CHECK(counts[HeldOutMode::held_out] == std::set<int>{1, 2});
  CHECK(counts[HeldOutMode::any] == std::set<int>{0, 1, 2});
  // The default list holds out red triangles, green circles and blue squares.
  for (const Scene& scene : shape_scenes(300, 6, {})) {
    const Parsed parsed = parse(scene.caption);
    for (int object = 0; object < 2; ++object) {
      const std::string combination = parsed.colour[object] + " " + parsed.shape[object];
      CHECK(combination != "red triangle");
      CHECK(combination != "green circle");
      CHECK(combination != "blue square");
    }
  }
}

TEST_CASE("shape_scenes: bad options are errors that say what is wrong") {
  ShapeSceneOptions options;
  options.canvas = 15;
  CHECK_THROWS_WITH_AS(shape_scenes(1, 0, options),
                       "shape_scenes: canvas must be 16..1024 pixels wide, got 15", Error);
  options = {};
  options.held_out = {"purple circle"};
  CHECK_THROWS_WITH_AS(shape_scenes(0, 0, options),
                       "shape_scenes: held-out combination \"purple circle\" is not \"<colour> "
                       "<shape>\" (colours red green blue yellow magenta cyan white, shapes "
                       "circle square triangle)",
                       Error);
  options.held_out = {"red"};
  CHECK_THROWS_AS(shape_scenes(1, 0, options), Error);
  options.held_out = {"red  circle"};  // two spaces: not a shape
  CHECK_THROWS_AS(shape_scenes(1, 0, options), Error);
  options.held_out = {};
  options.mode = HeldOutMode::held_out;
  CHECK_THROWS_WITH_AS(
      shape_scenes(1, 0, options),
      "shape_scenes: held-out mode needs at least one held-out combination, the list is empty",
      Error);
  options.mode = HeldOutMode::seen_only;
  for (const char* colour : {"red", "green", "blue", "yellow", "magenta", "cyan", "white"})
    for (const char* shape : {"circle", "square", "triangle"})
      options.held_out.push_back(std::string(colour) + " " + shape);
  CHECK_THROWS_WITH_AS(
      shape_scenes(1, 0, options),
      "shape_scenes: seen-only mode needs a combination that is not held out, all 21 are", Error);
  CHECK_THROWS_WITH_AS(shape_scenes(-1, 0, {}),
                       "shape_scenes: the count of scenes must not be negative, got -1", Error);
}
