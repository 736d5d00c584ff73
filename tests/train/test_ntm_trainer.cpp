// Training the Neural Turing Machine (train/ntm_trainer.h): a model directory that loads and
// resumes exactly, a changed setting refused, the test's bit errors, and a machine that learns to
// copy short sequences.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "tests/temporary_path.h"
#include "tests/train/metrics_file.h"
#include "train/io/atomic_file.h"
#include "train/ntm_trainer.h"

using namespace attn;
using attn::test::metrics_without_timings;

namespace {

NtmOptions micro_options(const std::string& out) {
  NtmOptions options;
  options.out_dir = out;
  options.model.controller_size = 8;
  options.model.memory_slots = 8;
  options.model.memory_width = 4;
  options.task.bits = 3;
  options.task.max_length = 3;
  options.batch_size = 4;
  options.valid_sequences = 8;
  options.eval_interval = 5;
  options.steps = 10;
  options.quiet = true;
  return options;
}

}  // namespace

TEST_CASE("ntm trainer: a model directory that loads, resumes exactly, refuses a change") {
  const std::string whole = temporary_path("ntm_whole"), halves = temporary_path("ntm_halves");
  for (const std::string& dir : {whole, halves}) std::filesystem::remove_all(dir);
  std::ostringstream log;
  train_ntm(micro_options(whole), log);
  NtmOptions first = micro_options(halves);
  first.steps = 5;
  train_ntm(first, log);
  train_ntm(micro_options(halves), log);  // resumes at step 5
  CHECK(metrics_without_timings(whole) == metrics_without_timings(halves));
  CHECK(read_file(whole + "/model.safetensors") == read_file(halves + "/model.safetensors"));

  NtmModel loaded = NtmModel::load(whole);
  CHECK(loaded.task.bits == 3);
  CHECK(loaded.config.input_width == 4);
  const BitErrorReport report = measure_bit_errors(*loaded.model, loaded.task, 6, 5, 1);
  CHECK(report.sequences == 5);
  CHECK(report.errors_per_sequence >= 0);
  CHECK(report.errors_per_sequence <= 6 * 3);

  NtmOptions changed = micro_options(whole);
  changed.steps = 12;
  changed.task.bits = 4;
  changed.explicit_settings = {"bits"};
  CHECK_THROWS_WITH(train_ntm(changed, log), doctest::Contains("bits"));
}

TEST_CASE("ntm trainer: the LSTM baseline trains in the same directory layout") {
  const std::string out = temporary_path("ntm_lstm");
  std::filesystem::remove_all(out);
  NtmOptions options = micro_options(out);
  options.model.model = SequenceModelKind::lstm;
  std::ostringstream log;
  const NtmTrainResult result = train_ntm(options, log);
  CHECK(result.steps == 10);
  CHECK(NtmModel::load(out).config.model == SequenceModelKind::lstm);
}

// Chance is half the answer's 9 bits wrong at length 3; 400 steps take it below a third of that.
TEST_CASE("ntm trainer: learns to copy sequences of 1 to 3 vectors of 3 bits") {
  const std::string out = temporary_path("ntm_learns");
  std::filesystem::remove_all(out);
  NtmOptions options = micro_options(out);
  options.model.controller_size = 32;
  options.model.memory_slots = 8;
  options.model.memory_width = 8;
  options.batch_size = 16;
  options.learning_rate = 1e-2;
  options.steps = 400;
  options.eval_interval = 100;
  options.valid_sequences = 32;
  options.threads = 1;
  std::ostringstream log;
  const NtmTrainResult result = train_ntm(options, log);
  CAPTURE(log.str());
  CHECK(result.best_bit_errors < 1.5);
}
