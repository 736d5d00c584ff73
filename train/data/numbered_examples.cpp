// Generated training data, numbered (see numbered_examples.h).
#include "train/data/numbered_examples.h"

#include <algorithm>
#include <string>

#include "tensor/error.h"

namespace attn {

uint64_t numbered_seed(uint64_t seed, uint64_t index) {
  return seed ^ (index * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull);
}

NumberedExamples::NumberedExamples(int64_t per_epoch, int64_t batch_size, bool fixed,
                                   const char* what)
    : per_epoch_(per_epoch), batch_size_(batch_size), fixed_(fixed) {
  check(per_epoch >= 1 && batch_size >= 1, what,
        "examples per epoch and batch size must be positive, got " + std::to_string(per_epoch) +
            " and " + std::to_string(batch_size));
}

std::vector<std::vector<size_t>> NumberedExamples::epoch(Generator& order) const {
  // A fresh block of numbers each epoch; the top bit kept clear so a block never wraps.
  const uint64_t first = fixed_ ? 0 : (order.next_u64() >> 1);
  std::vector<std::vector<size_t>> batches;
  for (int64_t start = 0; start < per_epoch_; start += batch_size_) {
    std::vector<size_t> batch;
    for (int64_t i = start; i < std::min(per_epoch_, start + batch_size_); ++i)
      batch.push_back(static_cast<size_t>(first + static_cast<uint64_t>(i)));
    batches.push_back(std::move(batch));
  }
  return batches;
}

}  // namespace attn
