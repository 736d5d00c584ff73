// Copy and repeat copy sequences (see bit_sequences.h).
#include "train/data/bit_sequences.h"

#include <algorithm>
#include <string>

#include "tensor/error.h"
#include "train/data/numbered_examples.h"

namespace attn {

namespace {

// The longest sequence made, in steps: what one holds in memory stays bounded whatever a
// command line or a config.json asks for (a million steps of 10 channels: 40 MB per tensor).
constexpr int64_t kMaxSteps = 1000000;

// Steps of a sequence of `length` vectors repeated `repeats` times (see bit_sequences.h).
int64_t steps_of(BitTask task, int64_t length, int64_t repeats) {
  return task == BitTask::copy ? 2 * length + 1 : length + 1 + repeats * length + 1;
}

// A whole number drawn uniformly from low .. high.
int64_t uniform_between(int64_t low, int64_t high, Generator& generator) {
  const auto span = static_cast<uint64_t>(high - low + 1);
  return low + static_cast<int64_t>(generator.next_u64() % span);
}

}  // namespace

int64_t BitTaskSpec::input_width() const { return task == BitTask::copy ? bits + 1 : bits + 2; }
int64_t BitTaskSpec::output_width() const { return task == BitTask::copy ? bits : bits + 1; }

void BitTaskSpec::check() const {
  attn::check(bits >= 1 && bits <= 1024, "bit task", "bits must be 1 .. 1024, got " +
                                                         std::to_string(bits));
  attn::check(min_length >= 1 && min_length <= max_length && max_length <= 100000, "bit task",
              "lengths must satisfy 1 <= min_length <= max_length <= 100000, got " +
                  std::to_string(min_length) + " .. " + std::to_string(max_length));
  attn::check(min_repeats >= 1 && min_repeats <= max_repeats && max_repeats <= 1000, "bit task",
              "repeats must satisfy 1 <= min_repeats <= max_repeats <= 1000, got " +
                  std::to_string(min_repeats) + " .. " + std::to_string(max_repeats));
  attn::check(steps_of(task, max_length, max_repeats) <= kMaxSteps, "bit task",
              "the longest sequence would take " +
                  std::to_string(steps_of(task, max_length, max_repeats)) + " steps, more than " +
                  std::to_string(kMaxSteps));
}

BitSequence make_bit_sequence(const BitTaskSpec& spec, int64_t length, int64_t repeats,
                              Generator& generator) {
  spec.check();
  const bool copy = spec.task == BitTask::copy;
  check(length >= 1 && length <= 100000 && repeats >= 1 &&
            (copy ? repeats == 1 : repeats <= spec.max_repeats) &&
            steps_of(spec.task, length, repeats) <= kMaxSteps,
        "bit task", "length " + std::to_string(length) + " and repeats " +
                        std::to_string(repeats) + " do not fit the task (at most " +
                        std::to_string(kMaxSteps) + " steps)");
  const int64_t bits = spec.bits, answer_steps = copy ? length : repeats * length + 1;
  const int64_t T = length + 1 + answer_steps;
  BitSequence sequence{Tensor::zeros({T, spec.input_width()}),
                       Tensor::zeros({T, spec.output_width()}),
                       Tensor::zeros({T, spec.output_width()}), length, repeats};
  for (int64_t t = 0; t < length; ++t)
    for (int64_t j = 0; j < bits; ++j)
      sequence.inputs.at({t, j}) = generator.uniform() < 0.5 ? 1 : 0;
  sequence.inputs.at({length, bits}) = 1;  // the delimiter
  if (!copy)
    sequence.inputs.at({length, bits + 1}) =
        static_cast<real>(repeats) / static_cast<real>(spec.max_repeats);
  for (int64_t a = 0; a < answer_steps; ++a) {
    const int64_t t = length + 1 + a;
    for (int64_t j = 0; j < spec.output_width(); ++j) sequence.mask.at({t, j}) = 1;
    if (!copy && a == answer_steps - 1) {
      sequence.targets.at({t, bits}) = 1;  // the end marker
      continue;
    }
    for (int64_t j = 0; j < bits; ++j)
      sequence.targets.at({t, j}) = sequence.inputs.at({a % length, j});
  }
  return sequence;
}

BitSequence numbered_bit_sequence(const BitTaskSpec& spec, uint64_t seed, uint64_t index) {
  Generator generator(numbered_seed(seed, index));
  const int64_t length = uniform_between(spec.min_length, spec.max_length, generator);
  const int64_t repeats = spec.task == BitTask::copy
                              ? 1
                              : uniform_between(spec.min_repeats, spec.max_repeats, generator);
  return make_bit_sequence(spec, length, repeats, generator);
}

BitBatch batch_bit_sequences(const std::vector<BitSequence>& sequences) {
  check(!sequences.empty(), "bit task", "a batch needs at least one sequence");
  const int64_t B = static_cast<int64_t>(sequences.size());
  const int64_t I = sequences[0].inputs.size(1), O = sequences[0].targets.size(1);
  int64_t T = 0;
  for (const BitSequence& sequence : sequences) T = std::max(T, sequence.inputs.size(0));
  BitBatch batch{Tensor::zeros({B, T, I}), Tensor::zeros({B, T, O}), Tensor::zeros({B, T, O})};
  for (int64_t b = 0; b < B; ++b) {
    const BitSequence& sequence = sequences[static_cast<size_t>(b)];
    const int64_t steps = sequence.inputs.size(0);
    check(sequence.inputs.size(1) == I && sequence.targets.size(1) == O, "bit task",
          "sequences of one batch must come from one task");
    batch.inputs.narrow(0, b, 1).narrow(1, 0, steps).copy_from(sequence.inputs.unsqueeze(0));
    batch.targets.narrow(0, b, 1).narrow(1, 0, steps).copy_from(sequence.targets.unsqueeze(0));
    batch.mask.narrow(0, b, 1).narrow(1, 0, steps).copy_from(sequence.mask.unsqueeze(0));
  }
  return batch;
}

std::vector<int64_t> bit_errors(const Tensor& logits, const BitBatch& batch) {
  check(logits.shape() == batch.targets.shape(), "bit_errors",
        "logits " + to_string(logits.shape()) + " do not fit the targets " +
            to_string(batch.targets.shape()));
  const Tensor z = logits.contiguous(), y = batch.targets.contiguous(), m = batch.mask.contiguous();
  const int64_t B = z.size(0), per_sequence = z.numel() / B;
  std::vector<int64_t> errors(static_cast<size_t>(B), 0);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = b * per_sequence; i < (b + 1) * per_sequence; ++i)
      if (m.data()[i] != 0 && (z.data()[i] > 0) != (y.data()[i] > real(0.5)))
        ++errors[static_cast<size_t>(b)];
  return errors;
}

}  // namespace attn
