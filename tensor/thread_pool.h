// A small pool of std::threads for data-parallel loops.
//
// parallel_for(count, body) splits [0, count) into one contiguous chunk per thread and runs
// body(begin, end) on each, the calling thread taking the first chunk. The split depends only
// on count and the thread count, so results are the same run after run: the same seed and the
// same thread count give the same numbers.
//
// A parallel_for inside another runs serially on the calling thread (no nested fan-out, no
// deadlock). The thread count comes from ATTN_NUM_THREADS, else the number of cores.
#pragma once

#include <cstdint>
#include <functional>

namespace attn {

int num_threads();
void set_num_threads(int count);  // 1 = everything on the calling thread

// Runs body(begin, end) over [0, count) in chunks of at least min_chunk elements, in parallel.
void parallel_for(int64_t count, int64_t min_chunk,
                  const std::function<void(int64_t begin, int64_t end)>& body);

}  // namespace attn
