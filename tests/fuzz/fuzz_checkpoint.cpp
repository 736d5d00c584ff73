// Fuzz target: the checkpoint of a run being resumed. The bytes become DIR/checkpoint.safetensors
// of a micro Transformer's run, which then resumes for at most two steps on a tiny data set.
#include <filesystem>
#include <sstream>

#include "models/transformer/transformer.h"
#include "tests/fuzz/targets.h"
#include "train/data/batching.h"
#include "train/io/atomic_file.h"
#include "train/optim/schedule.h"
#include "train/training_loop.h"

namespace attn::fuzz {

namespace {

// Trains (or resumes) the micro run in `dir` up to `steps` steps.
void run(const std::string& dir, int64_t steps) {
  TransformerConfig config = TransformerConfig::micro(9, 9);
  config.encoder_layers = config.decoder_layers = 1;
  Transformer model(config);
  const ExampleBatches data({{{4, 5, 6}, {7, 8}}, {{5, 4}, {6}}, {{8}, {4, 5, 6, 7}}}, 8);
  LoopOptions options;
  options.out_dir = dir;
  options.steps = steps;
  options.eval_interval = 1;
  const Evaluate evaluate = [&](int64_t step) {
    return EvalRecord{step, mean_loss(model, data), 0};
  };
  std::ostringstream log;
  run_training(model, ConstantSchedule(1e-3), data, evaluate, options, log);
}

std::string fresh_run_directory() {
  const std::string dir = scratch_directory() + "/run";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

void fuzz_checkpoint(const std::string& input) {
  const std::string dir = fresh_run_directory();
  write_file_atomically(dir + "/checkpoint.safetensors", input);
  run(dir, 2);
}

std::string seed_checkpoint() {
  const std::string dir = fresh_run_directory();
  run(dir, 1);
  return read_file(dir + "/checkpoint.safetensors");
}

}  // namespace attn::fuzz
