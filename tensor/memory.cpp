// Tensor memory accounting (see memory.h).
#include "tensor/memory.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tensor/error.h"

namespace attn {

namespace {

std::atomic<int64_t> live_bytes{0};
std::atomic<int64_t> peak_bytes{0};

// Physical memory, or ATTN_MEMORY_LIMIT_MIB; read once.
int64_t read_limit() {
  if (const char* text = std::getenv("ATTN_MEMORY_LIMIT_MIB")) {
    char* end = nullptr;
    const long long mib = std::strtoll(text, &end, 10);
    if (end != text && *end == '\0' && mib > 0 && mib < (1LL << 40)) return mib << 20;
  }
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0) return static_cast<int64_t>(pages) * page_size;
  return INT64_MAX;  // unknown: no limit of our own
}

}  // namespace

int64_t live_tensor_bytes() { return live_bytes.load(); }
int64_t peak_tensor_bytes() { return peak_bytes.load(); }

int64_t tensor_memory_limit() {
  static const int64_t limit = read_limit();
  return limit;
}

std::string byte_size_text(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 6) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof(text), unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

void reserve_tensor_bytes(int64_t bytes, const Shape& shape) {
  const int64_t limit = tensor_memory_limit();
  int64_t live = live_bytes.load();
  do {
    if (bytes > limit - live)
      throw Error("Tensor: out of memory: " + to_string(shape) + " needs " +
                  byte_size_text(static_cast<double>(bytes)) + "; " +
                  byte_size_text(static_cast<double>(live)) + " of tensors are live, the limit is " +
                  byte_size_text(static_cast<double>(limit)));
  } while (!live_bytes.compare_exchange_weak(live, live + bytes));
  int64_t peak = peak_bytes.load();
  while (live + bytes > peak && !peak_bytes.compare_exchange_weak(peak, live + bytes)) {
  }
}

void release_tensor_bytes(int64_t bytes) { live_bytes.fetch_sub(bytes); }

}  // namespace attn
