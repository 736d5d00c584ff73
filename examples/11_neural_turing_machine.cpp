// Example 11: attention as addressing. A Neural Turing Machine learns to copy sequences of bit
// vectors, writing them into its memory and reading them back in order.
//
// What it teaches: Graves, Wayne & Danihelka 2014 (models/ntm/ntm.h). The memory is N rows, and
// a head reads or writes by attention over them: content weights softmax(beta cos(k, M(i))),
// then the location steps (interpolate with the last weights, shift, sharpen;
// models/ntm/addressing.h). To copy, the machine learns an algorithm rather than a mapping:
// write vector t to row t by shifting the write head one row per step, then send the read head
// back to the first row and walk down again. The printed weights show exactly that: two
// diagonals, one while reading the input, one while answering.
//
// The recipe (train/ntm_trainer.h): copy of 1 to 8 vectors of 8 bits, binary cross-entropy of
// the answer bits, Adam at 1e-3 halved every 3,000 steps on batches of 16, gradients clipped
// to norm 10; a smaller
// machine than the paper's (memory 32 x 8, controller LSTM of 64) so that it learns in minutes.
// `attn ntm train` runs the paper's sizes.
//
// Run: build/examples/11_neural_turing_machine [--steps N] [--seed N]
// It prints the loss and bit errors as it trains, the write and read weights of one sequence,
// and last "neural turing machine, copy: 0.12 bit errors per sequence at length 8 (1.12 at 16)"
// after about 3.5 minutes on one core.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "models/ntm/ntm.h"
#include "train/data/bit_sequences.h"
#include "train/data/numbered_examples.h"
#include "train/ntm_trainer.h"
#include "train/optim/adam.h"
#include "train/optim/schedule.h"
#include "train/report/text_heatmap.h"
#include "train/step.h"

using namespace attn;

namespace {

struct ExampleOptions {
  int64_t steps = 8000;
  uint64_t seed = 1;
};

ExampleOptions parse(int argc, char** argv) {
  ExampleOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i], value = argv[i + 1];
    if (name == "--steps") options.steps = std::stoll(value);
    else if (name == "--seed") options.seed = std::stoull(value);
    else throw std::runtime_error("unknown option " + name + " (--steps, --seed)");
  }
  if (argc % 2 == 0) throw std::runtime_error("every option needs a value");
  return options;
}

// Sequences (step - 1) * B .. step * B - 1: every step fresh ones.
BitBatch batch_for(const BitTaskSpec& task, uint64_t seed, int64_t step, int64_t batch_size) {
  std::vector<BitSequence> sequences;
  for (int64_t i = 0; i < batch_size; ++i)
    sequences.push_back(numbered_bit_sequence(task, seed, static_cast<uint64_t>((step - 1) * batch_size + i)));
  return batch_bit_sequences(sequences);
}

// One sequence's head weights as text: a row per time step, a column per memory row.
void print_weights(NeuralTuringMachine& model, const BitTaskSpec& task, int64_t length) {
  Generator generator(99);
  const BitBatch batch = batch_bit_sequences({make_bit_sequence(task, length, 1, generator)});
  const NoGradGuard no_grad;
  model.forward(Variable(batch.inputs));
  const HeadTrace trace = model.trace();
  const int64_t rows = length + 2, T = batch.inputs.size(1);
  std::vector<std::string> steps, memory_rows;
  for (int64_t t = 0; t < T; ++t)
    steps.push_back(t < length ? "in " + std::to_string(t + 1)
                               : t == length ? "delimiter" : "out " + std::to_string(t - length));
  for (int64_t i = 0; i < rows; ++i) memory_rows.push_back(std::to_string(i));
  for (const auto& [name, weights] : {std::pair{"write", trace.writes}, std::pair{"read", trace.reads}}) {
    std::printf("\n%s weights (rows: time; columns: memory rows 0..%lld)\n", name,
                static_cast<long long>(rows - 1));
    std::cout << text_heatmap(weights.squeeze(0).narrow(1, 0, rows).contiguous(), steps, memory_rows);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleOptions options = parse(argc, argv);
  BitTaskSpec task;
  task.max_length = 8;
  NtmConfig config;
  config.input_width = task.input_width();
  config.output_width = task.output_width();
  config.controller_size = 64;
  config.memory_slots = 32;
  config.memory_width = 8;
  config.seed = options.seed;
  NeuralTuringMachine model(config);
  Adam optimizer(model.named_parameters());
  const StepDecaySchedule schedule = halved_every(1e-3, 3000, 1);
  const StepOptions clipping{0, 10, false, false};
  std::printf("copy of 1..8 vectors of 8 bits; %lld parameters\n",
              static_cast<long long>(model.parameter_count()));

  const int64_t batch_size = 16;
  double recent = 0;
  for (int64_t step = 1; step <= options.steps; ++step) {
    const BitBatch batch = batch_for(task, options.seed, step, batch_size);
    const Variable logits = model.forward(Variable(batch.inputs));  // [B, T, 8]
    const Variable loss = binary_cross_entropy_with_logits(logits, batch.targets, batch.mask);
    recent += descend(loss, optimizer, schedule.learning_rate(step), clipping).loss;
    if (step % 250 == 0) {
      const BitErrorReport report = measure_bit_errors(model, task, 8, 64, options.seed + 1);
      std::printf("step %5lld  loss %.4f  bit errors per sequence at length 8: %.2f\n",
                  static_cast<long long>(step), recent / 250, report.errors_per_sequence);
      recent = 0;
    }
  }
  print_weights(model, task, 8);
  const BitErrorReport at_8 = measure_bit_errors(model, task, 8, 200, options.seed + 2);
  const BitErrorReport at_16 = measure_bit_errors(model, task, 16, 200, options.seed + 2);
  std::printf("\nneural turing machine, copy: %.2f bit errors per sequence at length 8 (%.2f at 16)\n",
              at_8.errors_per_sequence, at_16.errors_per_sequence);
  return 0;
}
