// The layering rule, checked on the source tree: tensor <- autograd <- nn <- models <- train.
//
// A layer may include its own headers and those of layers to its left, never those to its right
// (tensor/ knows nothing of gradients; autograd/ knows nothing of modules). examples/, bench/ and
// tools/ sit on top and may include any layer; no layer includes them, and they do not include
// each other (tests may include anything).
//
// Inside a layer, its subfolders are layered too, in tiers (kParts): a part may include its own
// files and those of lower tiers, never a part of its own tier or a higher one. So the folder tree
// shows the architecture: in models/, decoding/ sees only the interface (seq2seq/), never a model,
// and no model folder sees another but rnn/, the recurrent encoder-decoder, which is also a base
// to build on (Listen, Attend and Spell's speller is its decoder); in nn/, a family (transformer/, ...) builds on attention/ and
// layers/. A new subfolder falls into its layer's default tier.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kLayers = {"tensor", "autograd", "nn", "models", "train"};
const std::vector<std::string> kOnTop = {"examples", "bench", "tools", "tests"};

// One layer's parts (subfolders; "" = the files directly in the layer's folder), lowest tier first.
struct LayerParts {
  std::string layer;
  std::vector<std::vector<std::string>> tiers;
  size_t default_tier;  // where a subfolder not listed sits
};

const std::vector<LayerParts> kParts = {
    {"nn", {{""}, {"layers"}, {"attention"}, {"transformer"}}, 3},
    {"models", {{"seq2seq"}, {"decoding", "rnn"}, {"transformer"}, {""}}, 2},
    {"train", {{"io"}, {"text", "optim", "audio"}, {"data", "metrics"}, {"report"}, {""}}, 2},
};

bool is_source(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".h" || ext == ".hpp" || ext == ".cpp" || ext == ".cc";
}

// The path in `#include "folder/file.h"` or `#include <folder/file.h>`; "" for any other line,
// including comments and includes without a folder. (Plain string search: std::regex trips a
// GCC 12 -Wmaybe-uninitialized false positive in sanitizer builds, and CI uses -Werror.)
std::string included_path(const std::string& line) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos || line[i] != '#') return "";
  i = line.find_first_not_of(" \t", i + 1);
  if (i == std::string::npos || line.compare(i, 7, "include") != 0) return "";
  i = line.find_first_not_of(" \t", i + 7);
  if (i == std::string::npos || (line[i] != '"' && line[i] != '<')) return "";
  const size_t slash = line.find('/', i + 1);
  const size_t close = line.find_first_of("\">", i + 1);
  if (slash == std::string::npos || close == std::string::npos || close < slash) return "";
  return line.substr(i + 1, close - i - 1);
}

// The first folder of a path: "nn/attention/mask.h" -> "nn".
std::string first_folder(const std::string& path) { return path.substr(0, path.find('/')); }

// The part of `layer` that a path inside it belongs to: "nn/attention/scores/dot.h" ->
// "attention"; "nn/module.h" -> "" (the layer's own folder).
std::string part_of(const std::string& path) {
  const size_t first = path.find('/');
  const size_t second = path.find('/', first + 1);
  return second == std::string::npos ? "" : path.substr(first + 1, second - first - 1);
}

size_t tier_of(const LayerParts& parts, const std::string& part) {
  for (size_t tier = 0; tier < parts.tiers.size(); ++tier)
    for (const std::string& name : parts.tiers[tier])
      if (name == part) return tier;
  return parts.default_tier;
}

// Every include inside `layer` (a folder under `root`) that reaches a part it may not: one of
// its own tier other than itself, or of a higher tier. As "path:line: text", sorted.
std::vector<std::string> part_violations(const fs::path& root, const LayerParts& parts) {
  std::vector<std::string> violations;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root / parts.layer)) {
    if (!entry.is_regular_file() || !is_source(entry.path())) continue;
    const std::string own = part_of(fs::relative(entry.path(), root).generic_string());
    std::ifstream file(entry.path());
    std::string line;
    for (int number = 1; std::getline(file, line); ++number) {
      const std::string path = included_path(line);
      if (first_folder(path) != parts.layer) continue;
      const std::string other = part_of(path);
      const bool allowed = other == own || tier_of(parts, other) < tier_of(parts, own);
      if (!allowed)
        violations.push_back(entry.path().string() + ":" + std::to_string(number) + ": " + line);
    }
  }
  std::sort(violations.begin(), violations.end());
  return violations;
}

// Every include under `dir` whose folder is in `forbidden`, as "path:line: text", sorted.
std::vector<std::string> layering_violations(const fs::path& dir,
                                             const std::vector<std::string>& forbidden) {
  std::vector<std::string> violations;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || !is_source(entry.path())) continue;
    std::ifstream file(entry.path());
    std::string line;
    for (int number = 1; std::getline(file, line); ++number) {
      const std::string folder = first_folder(included_path(line));
      if (std::find(forbidden.begin(), forbidden.end(), folder) != forbidden.end())
        violations.push_back(entry.path().string() + ":" + std::to_string(number) + ": " + line);
    }
  }
  std::sort(violations.begin(), violations.end());  // directory order is unspecified
  return violations;
}

// The folders that layer `index` of kLayers must not include: every later layer, and the top.
std::vector<std::string> forbidden_for(size_t index) {
  std::vector<std::string> forbidden(kLayers.begin() + index + 1, kLayers.end());
  forbidden.insert(forbidden.end(), kOnTop.begin(), kOnTop.end());
  return forbidden;
}

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("layering: each layer includes only itself and the layers below it") {
  const fs::path root = ATTN_SOURCE_DIR;
  for (size_t i = 0; i < kLayers.size(); ++i) {
    const fs::path dir = root / kLayers[i];
    CAPTURE(dir.string());
    REQUIRE(fs::is_directory(dir));
    std::string report;
    for (const std::string& violation : layering_violations(dir, forbidden_for(i)))
      report += "\n  " + violation;
    CHECK_MESSAGE(report.empty(), "forbidden includes:" << report);
  }
}

TEST_CASE("layering: inside a layer, each part includes only itself and lower tiers") {
  const fs::path root = ATTN_SOURCE_DIR;
  for (const LayerParts& parts : kParts) {
    CAPTURE(parts.layer);
    std::string report;
    for (const std::string& violation : part_violations(root, parts)) report += "\n  " + violation;
    CHECK_MESSAGE(report.empty(), "forbidden includes:" << report);
  }
}

TEST_CASE("layering: the programs on top (examples, bench, tools) do not include each other") {
  const fs::path root = ATTN_SOURCE_DIR;
  for (const std::string top : {"examples", "bench", "tools"}) {
    CAPTURE(top);
    std::vector<std::string> others = {"tests"};
    for (const std::string other : {"examples", "bench", "tools"})
      if (other != top) others.push_back(other);
    std::string report;
    for (const std::string& violation : layering_violations(root / top, others))
      report += "\n  " + violation;
    CHECK_MESSAGE(report.empty(), "forbidden includes:" << report);
  }
}

TEST_CASE("layering: the check of parts catches a part that reaches a sibling or a higher tier") {
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  const fs::path root = fs::temp_directory_path() / ("attn_parts_" + std::to_string(stamp));
  write_file(root / "models" / "decoding" / "greedy.cpp",
             "#include \"models/seq2seq/seq2seq.h\"\n"            // a lower tier: fine
             "#include \"models/transformer/transformer.h\"\n");  // a sibling: not fine
  write_file(root / "models" / "seq2seq" / "seq2seq.h", "#include \"models/registry.h\"\n");
  write_file(root / "models" / "las" / "las.cpp",  // an unlisted folder: the default tier
             "#include \"models/rnn/luong.h\"\n#include \"models/captioner/show_attend_tell.h\"\n");
  const std::vector<std::string> violations = part_violations(root, kParts[1]);
  fs::remove_all(root);
  REQUIRE(violations.size() == 3);
  CHECK(violations[0] == (root / "models/decoding/greedy.cpp").string() +
                             ":2: #include \"models/transformer/transformer.h\"");
  CHECK(violations[1] == (root / "models/las/las.cpp").string() +
                             ":2: #include \"models/captioner/show_attend_tell.h\"");
  CHECK(violations[2] ==
        (root / "models/seq2seq/seq2seq.h").string() + ":1: #include \"models/registry.h\"");
}

TEST_CASE("layering: the check catches bad includes in both spellings, and only those") {
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  const fs::path dir = fs::temp_directory_path() / ("attn_layering_" + std::to_string(stamp));
  write_file(dir / "bad.h", "#pragma once\n#include \"autograd/variable.h\"\n");
  write_file(dir / "deep" / "bad.cpp", "#include <vector>\n  #  include <nn/layers/linear.h>\n");
  write_file(dir / "good.cpp",
             "#include \"tensor/tensor.h\"\n"
             "#include <vector>\n"
             "#include \"autograd_notes.h\"\n"  // no folder: not a layer include
             "#include \"local.h\"  // not autograd/ops.h\n"
             "// see autograd/ops.h\n");         // a comment, not an include
  write_file(dir / "notes.txt", "#include \"autograd/variable.h\"\n");  // not a source file

  const std::vector<std::string> violations = layering_violations(dir, forbidden_for(0));
  fs::remove_all(dir);

  REQUIRE(violations.size() == 2);
  CHECK(violations[0] == (dir / "bad.h").string() + ":2: #include \"autograd/variable.h\"");
  CHECK(violations[1] == (dir / "deep" / "bad.cpp").string() + ":2:   #  include <nn/layers/linear.h>");
}

TEST_CASE("layering: a layer may include the layers below it") {
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  const fs::path dir = fs::temp_directory_path() / ("attn_layering_ok_" + std::to_string(stamp));
  write_file(dir / "model.cpp", "#include \"tensor/tensor.h\"\n#include \"nn/linear.h\"\n");
  const std::vector<std::string> violations = layering_violations(dir, forbidden_for(3));
  fs::remove_all(dir);
  CHECK(violations.empty());
}
