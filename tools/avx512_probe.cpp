// Build probe: does this compiler, with AVX-512 enabled, store a constant list correctly?
//
// GCC 12.2 (Debian 12.2.0-14) with -march=native on an AVX-512 CPU (seen on AMD Zen 5)
// builds std::vector<int64_t>{1, 1, 0, 0} as {1, 1, 1, 1}: its SLP vectoriser miscompiles the
// constant. CMakeLists.txt runs this program at configure time; exit status 0 means the
// compiler is sound, 1 means attn must be built without AVX-512 auto-vectorisation.
#include <cstdint>
#include <cstdio>
#include <vector>

int main() {
  const std::vector<int64_t> values{1, 1, 0, 0};
  // Printing each element reads back what was stored, where the miscompile shows.
  int64_t sum = 0;
  for (int64_t value : values) {
    std::printf(" %ld", static_cast<long>(value));
    sum += value;
  }
  std::printf("  (avx512 probe: expected 1 1 0 0)\n");
  return sum == 2 ? 0 : 1;
}
