// fuzz_replay: runs fuzz targets (targets.h) on files, the way CI keeps every past finding fixed.
//
//   fuzz_replay TARGET PATH...     each PATH a file, or a directory whose files are all read
//   fuzz_replay --all DIR          every target on DIR/<target>/ (tests/fuzz/corpus)
//   fuzz_replay --write-seeds DIR  writes each target's valid input to DIR/<target>/seed
//   fuzz_replay --check-seeds      checks that each target accepts its valid input (a target
//                                  whose reader went wrong would refuse everything, and the
//                                  fuzzer would test nothing but error paths)
// Prints how many inputs each target ran. A finding aborts (under the sanitizers, with their
// report); exit status 2 for bad arguments.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <exception>
#include <string>
#include <vector>

#include "tests/fuzz/targets.h"
#include "train/io/atomic_file.h"

namespace fs = std::filesystem;
using namespace attn;
using namespace attn::fuzz;

namespace {

// The files under `path` (itself, if it is a file), sorted so runs are repeatable.
std::vector<std::string> files_under(const std::string& path) {
  std::vector<std::string> files;
  if (fs::is_directory(path)) {
    for (const auto& entry : fs::recursive_directory_iterator(path))
      if (entry.is_regular_file()) files.push_back(entry.path().string());
  } else {
    files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  return files;
}

const FuzzTarget* find_target(const std::string& name) {
  for (const FuzzTarget& target : fuzz_targets())
    if (target.name == name) return &target;
  return nullptr;
}

int replay(const FuzzTarget& target, const std::vector<std::string>& paths) {
  size_t count = 0;
  for (const std::string& path : paths)
    for (const std::string& file : files_under(path)) {
      run_one(target, read_file(file));
      ++count;
    }
  std::printf("fuzz %s: %zu inputs replayed, no finding\n", target.name.c_str(), count);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "--write-seeds") {
    for (const FuzzTarget& target : fuzz_targets()) {
      fs::create_directories(args[1] + "/" + target.name);
      write_file_atomically(args[1] + "/" + target.name + "/seed", target.seed());
    }
    fs::remove_all(scratch_directory());
    return 0;
  }
  if (args.size() == 1 && args[0] == "--check-seeds") {
    int refused = 0;
    for (const FuzzTarget& target : fuzz_targets()) {
      try {
        target.run(target.seed());
        std::printf("fuzz %s: its seed is accepted\n", target.name.c_str());
      } catch (const std::exception& error) {
        std::printf("fuzz %s: its seed is refused: %s\n", target.name.c_str(), error.what());
        ++refused;
      }
    }
    fs::remove_all(scratch_directory());
    return refused == 0 ? 0 : 1;
  }
  if (args.size() == 2 && args[0] == "--all") {
    for (const FuzzTarget& target : fuzz_targets())
      replay(target, {args[1] + "/" + target.name});
    fs::remove_all(scratch_directory());
    return 0;
  }
  const FuzzTarget* target = args.size() >= 2 ? find_target(args[0]) : nullptr;
  if (!target) {
    std::fprintf(stderr, "usage: fuzz_replay TARGET PATH... | --all DIR | --write-seeds DIR | --check-seeds\n"
                 "targets:");
    for (const FuzzTarget& known : fuzz_targets()) std::fprintf(stderr, " %s", known.name.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  const int status = replay(*target, std::vector<std::string>(args.begin() + 1, args.end()));
  fs::remove_all(scratch_directory());
  return status;
}
