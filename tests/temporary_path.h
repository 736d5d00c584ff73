// Where the tests write their files: the system's temporary directory, under names that carry
// the process id, so that test runs side by side (ctest -j, the float32 and float64 builds, two
// checkouts on one machine) never share a file or a training directory. Each path handed out is
// removed, with everything under it, when the test process ends.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace attn {

class TemporaryPaths {
 public:
  ~TemporaryPaths() {
    std::error_code ignored;  // a test that already removed its file is fine
    for (const std::filesystem::path& path : paths_) std::filesystem::remove_all(path, ignored);
  }
  void add(const std::filesystem::path& path) { paths_.push_back(path); }

 private:
  std::vector<std::filesystem::path> paths_;
};

// "<tmp>/attn_<pid>_<name>": the path only; nothing is created.
inline std::string temporary_path(const std::string& name) {
  static TemporaryPaths made;
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("attn_" + std::to_string(::getpid()) + "_" + name);
  made.add(path);
  return path.string();
}

}  // namespace attn
