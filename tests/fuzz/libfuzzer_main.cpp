// The libFuzzer entry point for one target, chosen at build time by ATTN_FUZZ_TARGET (its name
// in targets.cpp): `make fuzz` builds one binary per target with clang -fsanitize=fuzzer.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/targets.h"

namespace {

const attn::fuzz::FuzzTarget& chosen_target() {
  for (const attn::fuzz::FuzzTarget& target : attn::fuzz::fuzz_targets())
    if (target.name == ATTN_FUZZ_TARGET) return target;
  std::fprintf(stderr, "no fuzz target named %s\n", ATTN_FUZZ_TARGET);
  std::abort();
}

}  // namespace

// Before the first input: a model a hostile config.json asks for is refused past 512 MiB of
// tensors (attn's own limit, tensor/memory.h), well inside libFuzzer's default -rss_limit_mb of
// 2048, so that a large but valid config is an error, not an out-of-memory finding. One thread:
// the inputs are tiny, and a second core is better spent on a second fuzzer.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("ATTN_MEMORY_LIMIT_MIB", "512", 0);
  setenv("ATTN_NUM_THREADS", "1", 0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const attn::fuzz::FuzzTarget& target = chosen_target();
  attn::fuzz::run_one(target, std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
