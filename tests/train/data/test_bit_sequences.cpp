// The NTM's generated tasks (train/data/bit_sequences.h): the layout of copy and repeat copy,
// sequences made again from their number, batches padded without scoring the padding, and
// bit errors counted on the answer only.
#include <doctest/doctest.h>

#include <vector>

#include "tensor/elementwise.h"
#include "tensor/reduce.h"
#include "train/data/bit_sequences.h"

using namespace attn;

TEST_CASE("bit sequences: copy shows L vectors, a delimiter, then asks for them back") {
  BitTaskSpec spec;
  spec.bits = 3;
  Generator generator(1);
  const BitSequence s = make_bit_sequence(spec, 4, 1, generator);
  CHECK(s.inputs.shape() == Shape{9, 4});  // 4 + 1 + 4 steps; 3 bits and the delimiter
  CHECK(s.targets.shape() == Shape{9, 3});
  for (int64_t t = 0; t < 9; ++t) {
    CHECK(s.inputs.at({t, 3}) == (t == 4 ? 1 : 0));  // the delimiter, once
    for (int64_t j = 0; j < 3; ++j) {
      CHECK(s.mask.at({t, j}) == (t >= 5 ? 1 : 0));  // only the answer is scored
      if (t >= 5) {
        CHECK(s.targets.at({t, j}) == s.inputs.at({t - 5, j}));
        CHECK(s.inputs.at({t, j}) == 0);  // nothing more to read while answering
      }
    }
  }
}

TEST_CASE("bit sequences: repeat copy gives the count, the repeats and an end marker") {
  BitTaskSpec spec;
  spec.task = BitTask::repeat_copy;
  spec.bits = 2;
  spec.max_repeats = 4;
  Generator generator(2);
  const BitSequence s = make_bit_sequence(spec, 3, 2, generator);
  CHECK(s.inputs.shape() == Shape{3 + 1 + 6 + 1, 4});
  CHECK(s.targets.shape() == Shape{11, 3});
  CHECK(s.inputs.at({3, 2}) == 1);           // delimiter
  CHECK(s.inputs.at({3, 3}) == real(0.5));   // 2 repeats of at most 4
  for (int64_t a = 0; a < 6; ++a)
    for (int64_t j = 0; j < 2; ++j) CHECK(s.targets.at({4 + a, j}) == s.inputs.at({a % 3, j}));
  CHECK(s.targets.at({10, 2}) == 1);  // the end marker, alone on the last step
  CHECK(s.targets.at({10, 0}) == 0);
  CHECK(sum(s.mask).item() == 7 * 3);
}

TEST_CASE("bit sequences: sequence i is made again from its number, lengths within range") {
  BitTaskSpec spec;
  spec.min_length = 2;
  spec.max_length = 5;
  for (uint64_t i = 0; i < 20; ++i) {
    const BitSequence a = numbered_bit_sequence(spec, 3, i), b = numbered_bit_sequence(spec, 3, i);
    CHECK(a.inputs.to_vector() == b.inputs.to_vector());
    CHECK(a.length >= 2);
    CHECK(a.length <= 5);
  }
  CHECK(numbered_bit_sequence(spec, 3, 0).inputs.to_vector() !=
        numbered_bit_sequence(spec, 4, 0).inputs.to_vector());
}

TEST_CASE("bit sequences: a batch pads with unscored steps; bit errors count the answer only") {
  BitTaskSpec spec;
  spec.bits = 2;
  Generator generator(5);
  const std::vector<BitSequence> sequences = {make_bit_sequence(spec, 1, 1, generator),
                                              make_bit_sequence(spec, 3, 1, generator)};
  const BitBatch batch = batch_bit_sequences(sequences);
  CHECK(batch.inputs.shape() == Shape{2, 7, 3});
  CHECK(sum(batch.mask.narrow(0, 0, 1)).item() == 2);  // 1 answer step of 2 bits
  // Logits that answer every bit right, then the same with one answer bit and one unscored
  // bit flipped: one error.
  Tensor logits = batch.targets * 20 - 10;
  CHECK(bit_errors(logits, batch) == std::vector<int64_t>{0, 0});
  logits.at({1, 4, 0}) = -logits.at({1, 4, 0});  // an answer bit of sequence 1
  logits.at({1, 0, 1}) = -logits.at({1, 0, 1});  // a step before the delimiter: not scored
  CHECK(bit_errors(logits, batch) == std::vector<int64_t>{0, 1});
  spec.min_length = 0;
  CHECK_THROWS_WITH(spec.check(), doctest::Contains("min_length"));
  // What a command line asks for is bounded before anything is allocated.
  spec.min_length = 1;
  CHECK_THROWS_WITH(make_bit_sequence(spec, 1000000000, 1, generator),
                    doctest::Contains("do not fit the task"));
  spec.task = BitTask::repeat_copy;
  spec.max_length = 100000;
  spec.max_repeats = 1000;
  CHECK_THROWS_WITH(spec.check(), doctest::Contains("more than 1000000"));
}
