// attn ntm: the Neural Turing Machine on copy and repeat copy (train/ntm_trainer.h).
//
//   attn ntm train --out DIR [--arch ntm|lstm] [--task copy|repeat_copy] [options]
//   attn ntm test  --model DIR [--lengths 20,40,80,120] [--sequences N] [--seed N] [--errors N]
//   attn ntm show  --model DIR [--length L] [--seed N] [--sequence I] --out trace.svg
//
// test prints the bit errors per sequence at each length (trained on 1..20, the longer ones ask
// whether the learnt algorithm generalises); show draws one sequence as Graves et al. 2014,
// Figure 6: inputs, outputs and where the heads wrote and read at every step.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "autograd/ops.h"
#include "tensor/elementwise.h"
#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/io/atomic_file.h"
#include "train/ntm_trainer.h"
#include "train/report/memory_trace_svg.h"

namespace attn::cli {

namespace {

const char* kUsage =
    "usage: attn ntm train --out DIR [--arch ntm|lstm] [--task copy|repeat_copy] [options]\n"
    "       attn ntm test  --model DIR [--lengths 20,40,80,120] [--sequences N] [--seed N]\n"
    "                          [--errors N]\n"
    "       attn ntm show  --model DIR [--length L] [--seed N] [--sequence I] --out trace.svg\n"
    "\n"
    "The Neural Turing Machine (Graves et al. 2014): a controller that reads and writes a memory\n"
    "by attention, trained on generated bit sequences to copy them (or repeat them n times).\n"
    "--arch lstm trains the baseline, an LSTM without memory. test prints the bit errors per\n"
    "sequence at each length (--errors N: and the numbers of the first N sequences with errors);\n"
    "show writes the picture of one sequence of the test's: inputs, outputs, and the write and\n"
    "read weights over time.\n";

std::string help_text() {
  NtmOptions defaults;
  std::string help = kUsage;
  help += "\ntrain: the model\n" + settings_help(defaults.model.settings());
  help += "train: the task\n" + settings_help(defaults.task_settings());
  help += "train: optimisation (saved with the model)\n" + settings_help(defaults.saved_settings());
  help += "train: this run\n" + settings_help(defaults.run_settings());
  return help;
}

int train(const std::vector<std::string>& args) {
  NtmOptions options;
  Settings model = options.model.settings(), task = options.task_settings(),
           saved = options.saved_settings(), run = options.run_settings();
  std::set<std::string> with_value = {"out"};
  for (const Settings* settings : {&model, &task, &saved, &run})
    for (const std::string& name : option_names(*settings)) with_value.insert(name);
  const Arguments a("ntm train", args, with_value, {"quiet"});
  options.out_dir = a.required("out");
  apply_settings(a, task);
  options.explicit_settings = apply_training_settings(a, model, saved, run);
  for (const std::string& name : given_settings(a, task)) options.explicit_settings.insert(name);
  options.quiet = a.has("quiet");
  const NtmTrainResult result = train_ntm(options, std::cerr);
  std::cout << options.out_dir << ": validation " << result.best_bit_errors
            << " bit errors per sequence, " << result.steps << " steps (" << result.sequences
            << " sequences), " << static_cast<int64_t>(result.seconds) << " s\n";
  return 0;
}

// "20,40,80" -> {20, 40, 80}, each a length >= 1.
std::vector<int64_t> lengths_of(const std::string& text) {
  std::vector<int64_t> lengths;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ',')) {
    size_t used = 0;
    int64_t length = 0;
    try {
      length = std::stoll(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != part.size() || length < 1 || length > 100000)
      throw UsageError{"attn ntm test: --lengths expects lengths 1..100000 separated by commas, "
                       "got '" + text + "'"};
    lengths.push_back(length);
  }
  if (lengths.empty()) throw UsageError{"attn ntm test: --lengths is empty"};
  return lengths;
}

int test(const std::vector<std::string>& args) {
  const Arguments a("ntm test", args, {"model", "lengths", "sequences", "seed", "errors"}, {});
  const std::vector<int64_t> lengths = lengths_of(a.text("lengths", "20,40,80,120"));
  NtmModel loaded = NtmModel::load(a.required("model"));
  const int64_t count = whole_number(a, "sequences", 100, 1);
  const auto seed = static_cast<uint64_t>(whole_number(a, "seed", 7, 0));
  const int64_t shown = whole_number(a, "errors", 0, 0);
  std::printf("%8s %12s %14s %9s   (%lld sequences each)\n", "length", "bit errors",
              "bit error rate", "perfect", static_cast<long long>(count));
  for (int64_t length : lengths) {
    const BitErrorReport report =
        measure_bit_errors(*loaded.model, loaded.task, length, count, seed);
    std::printf("%8lld %12.3f %13.3f%% %8.1f%%\n", static_cast<long long>(length),
                report.errors_per_sequence, 100 * report.bit_error_rate, 100 * report.perfect);
    if (shown > 0 && !report.failed.empty()) {
      std::printf("         sequences with errors (attn ntm show --length %lld --seed %llu --sequence I):",
                  static_cast<long long>(length), static_cast<unsigned long long>(seed));
      for (size_t i = 0; i < report.failed.size() && static_cast<int64_t>(i) < shown; ++i)
        std::printf(" %lld", static_cast<long long>(report.failed[i]));
      std::printf("\n");
    }
  }
  return 0;
}

int show(const std::vector<std::string>& args) {
  const Arguments a("ntm show", args, {"model", "length", "seed", "sequence", "out"}, {});
  NtmModel loaded = NtmModel::load(a.required("model"));
  const std::string out = a.required("out");
  const int64_t length = whole_number(a, "length", loaded.task.max_length, 1);
  const auto seed = static_cast<uint64_t>(whole_number(a, "seed", 7, 0));
  const int64_t index = whole_number(a, "sequence", 0, 0);
  if (loaded.config.model != SequenceModelKind::ntm)
    throw UsageError{"attn ntm show: " + a.text("model") + " is an LSTM: it has no memory to draw"};
  const BitSequence sequence = test_sequence(loaded.task, length, seed, index);
  const BitBatch batch = batch_bit_sequences({sequence});
  const NoGradGuard no_grad;
  const Tensor logits = loaded.model->forward(Variable(batch.inputs)).value();  // [1, T, O]
  const HeadTrace trace = loaded.model->trace();
  const int64_t errors = bit_errors(logits, batch)[0];
  const std::string title = "NTM, length " + std::to_string(length) + ": " +
                            std::to_string(errors) + " bit errors";
  write_file_atomically(out, memory_trace_svg(batch.inputs.squeeze(0), sigmoid(logits).squeeze(0),
                                              trace.writes.squeeze(0), trace.reads.squeeze(0),
                                              loaded.config.memory_slots,
                                              title));
  std::cout << title << "\nwrote " << out << "\n";
  return 0;
}

}  // namespace

int ntm_command(const std::vector<std::string>& args) {
  return run_subcommand("ntm", args, help_text(), {{"train", train}, {"test", test}, {"show", show}});
}

}  // namespace attn::cli
