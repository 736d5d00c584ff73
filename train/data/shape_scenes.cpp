// Captioned scenes of two coloured shapes (see shape_scenes.h).
#include "train/data/shape_scenes.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <tuple>
#include <utility>

#include "tensor/error.h"

namespace attn {

namespace {

constexpr int64_t kMinCanvas = 16, kMaxCanvas = 1024;
const char* const kOp = "shape_scenes";

struct Colour {
  const char* name;
  float red, green, blue;
};
const std::array<Colour, 7> kColours = {{{"red", 1, 0, 0},
                                         {"green", 0, 1, 0},
                                         {"blue", 0, 0, 1},
                                         {"yellow", 1, 1, 0},
                                         {"magenta", 1, 0, 1},
                                         {"cyan", 0, 1, 1},
                                         {"white", 1, 1, 1}}};
enum Shape { circle, square, triangle };
const std::array<const char*, 3> kShapes = {"circle", "square", "triangle"};
const std::array<const char*, 2> kSizes = {"small", "large"};
constexpr int64_t kCombinations = static_cast<int64_t>(kColours.size() * kShapes.size());

struct Relation {
  std::vector<std::string> words;
  bool vertical;     // compares rows (above, below) rather than columns
  bool first_leads;  // the caption's first object is the one higher up, or further left
};
// Reading order: the caption names the upper (or left) object first, so an image has one caption.
const std::array<Relation, 2> kRelations = {{{{"above"}, true, true}, {{"left", "of"}, false, true}}};

// A colour-shape combination is numbered colour * 3 + shape.
struct ShapeObject {
  int64_t combination = 0;
  int64_t size = 0;  // index into kSizes
  Box box;
};

// Uniform in [low, high]; the modulo's bias is below 2^-50 for these small ranges.
int64_t uniform_int(Generator& generator, int64_t low, int64_t high) {
  return low + static_cast<int64_t>(generator.next_u64() % static_cast<uint64_t>(high - low + 1));
}

int64_t side_of(int64_t size, int64_t canvas) { return size == 0 ? canvas / 4 : canvas * 7 / 16; }
int64_t relation_gap(int64_t canvas) { return std::max<int64_t>(2, canvas / 16); }

int64_t find_word(const std::string& word, const auto& names) {
  for (size_t i = 0; i < names.size(); ++i)
    if (word == names[i]) return static_cast<int64_t>(i);
  return -1;
}

// "red triangle" -> its combination number, or an error naming the vocabulary.
int64_t parse_combination(const std::string& text) {
  const size_t space = text.find(' ');
  const std::string colour = text.substr(0, space);
  const std::string shape = space == std::string::npos ? "" : text.substr(space + 1);
  std::array<const char*, kColours.size()> colours{};
  for (size_t i = 0; i < kColours.size(); ++i) colours[i] = kColours[i].name;
  const int64_t c = find_word(colour, colours), s = find_word(shape, kShapes);
  check(c >= 0 && s >= 0, kOp,
        "held-out combination \"" + text +
            "\" is not \"<colour> <shape>\" (colours red green blue yellow magenta cyan white, "
            "shapes circle square triangle)");
  return c * static_cast<int64_t>(kShapes.size()) + s;
}

// Which combinations are held out, after checking the options.
std::vector<bool> held_out_combinations(const ShapeSceneOptions& options) {
  check(options.canvas >= kMinCanvas && options.canvas <= kMaxCanvas, kOp,
        "canvas must be 16..1024 pixels wide, got " + std::to_string(options.canvas));
  std::vector<bool> held(kCombinations, false);
  for (const std::string& text : options.held_out) held[parse_combination(text)] = true;
  const int64_t held_count = std::count(held.begin(), held.end(), true);
  check(options.mode != HeldOutMode::held_out || held_count > 0, kOp,
        "held-out mode needs at least one held-out combination, the list is empty");
  check(options.mode != HeldOutMode::seen_only || held_count < kCombinations, kOp,
        "seen-only mode needs a combination that is not held out, all 21 are");
  return held;
}

// A combination whose held-out flag is `held`, uniformly.
int64_t pick_combination(Generator& generator, const std::vector<bool>& held_out, bool held) {
  std::vector<int64_t> choices;
  for (int64_t c = 0; c < kCombinations; ++c)
    if (held_out[c] == held) choices.push_back(c);
  return choices[uniform_int(generator, 0, static_cast<int64_t>(choices.size()) - 1)];
}

int64_t pick_any_combination(Generator& generator) {
  return uniform_int(generator, 0, kCombinations - 1);
}

// ---- placement ------------------------------------------------------------------------------

struct Span {
  int64_t start, length;
};

// Along the relation's axis: `lead` ends at least `gap` pixels before `trail` begins.
std::pair<Span, Span> separated_spans(int64_t lead, int64_t trail, int64_t canvas, int64_t gap,
                                      Generator& generator) {
  const int64_t lead_start = uniform_int(generator, 0, canvas - (lead + gap + trail));
  const int64_t trail_start = uniform_int(generator, lead_start + lead + gap, canvas - trail);
  return {{lead_start, lead}, {trail_start, trail}};
}

// Across the axis: the spans share at least one pixel, so the other relations do not hold.
std::pair<Span, Span> overlapping_spans(int64_t a, int64_t b, int64_t canvas,
                                        Generator& generator) {
  const int64_t a_start = uniform_int(generator, 0, canvas - a);
  const int64_t b_start = uniform_int(generator, std::max<int64_t>(0, a_start - b + 1),
                                      std::min(canvas - b, a_start + a - 1));
  return {{a_start, a}, {b_start, b}};
}

// Boxes for the caption's two objects, of sides `first` and `second`, in `relation`.
std::pair<Box, Box> place(const Relation& relation, int64_t first, int64_t second, int64_t canvas,
                          Generator& generator) {
  const int64_t gap = relation_gap(canvas);
  Span along_first{}, along_second{};
  if (relation.first_leads)
    std::tie(along_first, along_second) = separated_spans(first, second, canvas, gap, generator);
  else
    std::tie(along_second, along_first) = separated_spans(second, first, canvas, gap, generator);
  const auto [across_first, across_second] = overlapping_spans(first, second, canvas, generator);
  auto box = [&](Span along, Span across) {
    return relation.vertical ? Box{along.start, across.start, along.length, across.length}
                             : Box{across.start, along.start, across.length, along.length};
  };
  return {box(along_first, across_first), box(along_second, across_second)};
}

// ---- drawing --------------------------------------------------------------------------------

// Whether pixel (y, x) of a box of side s is inside the shape (the tests in shape_scenes.h).
bool inked(Shape shape, int64_t s, int64_t y, int64_t x) {
  const int64_t dx = 2 * x + 1 - s, dy = 2 * y + 1 - s;
  switch (shape) {
    case circle: return dx * dx + dy * dy <= s * s;
    case square: return true;
    case triangle: return std::abs(dx) <= y + 1;
  }
  return false;
}

void draw(Image& image, const ShapeObject& object) {
  const Colour& colour = kColours[object.combination / kShapes.size()];
  const auto shape = static_cast<Shape>(object.combination % kShapes.size());
  const Box& box = object.box;
  for (int64_t y = 0; y < box.height; ++y)
    for (int64_t x = 0; x < box.width; ++x)
      if (inked(shape, box.width, y, x)) {
        image.at(0, box.top + y, box.left + x) = colour.red;
        image.at(1, box.top + y, box.left + x) = colour.green;
        image.at(2, box.top + y, box.left + x) = colour.blue;
      }
}

// "a large red circle": the words, each naming `object`, except "a".
void describe(const ShapeObject& shape_object, int64_t object, Scene& scene) {
  const std::array<std::string, 4> words = {
      "a", kSizes[shape_object.size], kColours[shape_object.combination / kShapes.size()].name,
      kShapes[shape_object.combination % kShapes.size()]};
  for (size_t i = 0; i < words.size(); ++i) {
    scene.caption.push_back(words[i]);
    scene.names.push_back(i == 0 ? -1 : object);
  }
}

}  // namespace

std::vector<std::string> shape_scene_vocabulary() {
  std::vector<std::string> words = {"a"};
  for (const char* size : kSizes) words.push_back(size);
  for (const Colour& colour : kColours) words.push_back(colour.name);
  for (const char* shape : kShapes) words.push_back(shape);
  for (const char* word : {"above", "left", "of"}) words.push_back(word);
  return words;
}

Scene shape_scene(Generator& generator, const ShapeSceneOptions& options) {
  const std::vector<bool> held_out = held_out_combinations(options);
  const Relation& relation = kRelations[uniform_int(generator, 0, kRelations.size() - 1)];
  const int64_t held_object = uniform_int(generator, 0, 1);  // used by held-out mode only
  std::array<ShapeObject, 2> objects;
  for (int64_t i = 0; i < 2; ++i) {
    switch (options.mode) {
      case HeldOutMode::seen_only:
        objects[i].combination = pick_combination(generator, held_out, false);
        break;
      case HeldOutMode::held_out:
        objects[i].combination = i == held_object ? pick_combination(generator, held_out, true)
                                                  : pick_any_combination(generator);
        break;
      case HeldOutMode::any: objects[i].combination = pick_any_combination(generator); break;
    }
    objects[i].size = uniform_int(generator, 0, kSizes.size() - 1);
  }
  const int64_t canvas = options.canvas;
  std::tie(objects[0].box, objects[1].box) =
      place(relation, side_of(objects[0].size, canvas), side_of(objects[1].size, canvas), canvas,
            generator);

  Scene scene;
  scene.image = Image(3, canvas, canvas);
  describe(objects[0], 0, scene);
  for (const std::string& word : relation.words) {
    scene.caption.push_back(word);
    scene.names.push_back(-1);
  }
  describe(objects[1], 1, scene);
  for (const ShapeObject& object : objects) {
    draw(scene.image, object);
    scene.objects.push_back(object.box);
  }
  return scene;
}

std::vector<Scene> shape_scenes(int64_t count, uint64_t seed, const ShapeSceneOptions& options) {
  check(count >= 0, kOp, "the count of scenes must not be negative, got " + std::to_string(count));
  held_out_combinations(options);  // a bad option is an error even for no scenes
  Generator generator(seed);
  std::vector<Scene> scenes;
  for (int64_t i = 0; i < count; ++i) scenes.push_back(shape_scene(generator, options));
  return scenes;
}

}  // namespace attn
