// Toy tasks: drawing examples and batches (see toy_tasks.h).
#include "train/data/toy_tasks.h"

#include <algorithm>
#include <numeric>

#include "tensor/error.h"

namespace attn {

const char* to_string(ToyTaskKind kind) { return kind == ToyTaskKind::copy ? "copy" : "reverse"; }

// ---- data -------------------------------------------------------------------------------------

Example toy_example(const ToyTask& task, Generator& generator) {
  check(task.symbols >= 1 && task.min_length >= 1 && task.min_length <= task.max_length,
        "toy_example", "needs symbols >= 1 and 1 <= min_length <= max_length");
  const auto draw = [&](int64_t count) {  // uniform in 0 .. count - 1
    return static_cast<int64_t>(generator.uniform() * static_cast<double>(count));
  };
  Example example;
  const int64_t length = task.min_length + draw(task.max_length - task.min_length + 1);
  for (int64_t i = 0; i < length; ++i)
    example.source.push_back(ToyTask::first_symbol + draw(task.symbols));
  example.target = example.source;
  if (task.kind == ToyTaskKind::reverse) std::reverse(example.target.begin(), example.target.end());
  return example;
}

Batch toy_batch(const ToyTask& task, int64_t rows, Generator& generator) {
  std::vector<Example> examples;
  for (int64_t row = 0; row < rows; ++row) examples.push_back(toy_example(task, generator));
  std::vector<size_t> indices(examples.size());
  std::iota(indices.begin(), indices.end(), 0);
  return collate(examples, indices);  // source [B, S], target_in and target_out [B, T]
}

}  // namespace attn
