// Runs a test body with the thread pool set to a given size: kernels that split their work over
// threads must give bitwise the same result at every count, and the tests check it.
#pragma once

#include "tensor/thread_pool.h"

namespace attn {

// Runs body() with `threads` threads, then restores the previous count; returns what body returns.
template <typename Body>
auto with_threads(int threads, Body body) {
  const int saved = num_threads();
  set_num_threads(threads);
  auto result = body();
  set_num_threads(saved);
  return result;
}

}  // namespace attn
