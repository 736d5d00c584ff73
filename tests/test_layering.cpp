// The layering rule, checked on the source tree: tensor <- autograd <- nn <- models <- train.
//
// A layer may include its own headers and those of layers to its left, never those to its right
// (tensor/ knows nothing of gradients; autograd/ knows nothing of modules). examples/ and bench/
// sit on top and may include anything; no library layer may include them.
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
const std::vector<std::string> kOnTop = {"examples", "bench", "tests"};

bool is_source(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".h" || ext == ".hpp" || ext == ".cpp" || ext == ".cc";
}

// The folder in `#include "folder/file.h"` or `#include <folder/file.h>`; "" for any other line,
// including comments and includes without a folder. (Plain string search: std::regex trips a
// GCC 12 -Wmaybe-uninitialized false positive in sanitizer builds, and CI uses -Werror.)
std::string included_folder(const std::string& line) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos || line[i] != '#') return "";
  i = line.find_first_not_of(" \t", i + 1);
  if (i == std::string::npos || line.compare(i, 7, "include") != 0) return "";
  i = line.find_first_not_of(" \t", i + 7);
  if (i == std::string::npos || (line[i] != '"' && line[i] != '<')) return "";
  const size_t slash = line.find('/', i + 1);
  const size_t close = line.find_first_of("\">", i + 1);
  if (slash == std::string::npos || close == std::string::npos || close < slash) return "";
  return line.substr(i + 1, slash - i - 1);
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
      const std::string folder = included_folder(line);
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
