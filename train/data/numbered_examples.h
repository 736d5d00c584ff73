// Generated training data: examples numbered 0, 1, 2, ..., each made on demand from its number.
//
// A generator of scenes or utterances stores nothing: example i is drawn by a generator seeded
// from (seed, i), so any example can be made again from its number alone. A training run then
// sees fresh examples every epoch (each epoch draws a new block of numbers), and validation
// always the same ones (numbers 0 .. n-1 of a source with another seed):
//
//   epoch e (training):  first_e, first_e + 1, ..., first_e + per_epoch - 1   in batches
//   every epoch (fixed): 0, 1, ..., per_epoch - 1
//
// first_e comes from the training loop's order generator, so a resumed run replays its epoch.
#pragma once

#include <cstdint>
#include <vector>

#include "train/data/training_data.h"

namespace attn {

// The generator seed of example `index` of a source seeded `seed`: the golden-ratio increment of
// splitmix64 spreads the numbers, so neighbouring examples start their generators far apart.
uint64_t numbered_seed(uint64_t seed, uint64_t index);

// The epochs of numbered examples; a subclass makes the batch of given numbers.
class NumberedExamples : public TrainingData {
 public:
  // `what` names the subclass in errors ("SceneBatches").
  NumberedExamples(int64_t per_epoch, int64_t batch_size, bool fixed, const char* what);
  std::vector<std::vector<size_t>> epoch(Generator& order) const override;
  bool fixed() const { return fixed_; }
  int64_t batch_size() const { return batch_size_; }

 private:
  int64_t per_epoch_, batch_size_;
  bool fixed_;
};

}  // namespace attn
