// memory_models_bench: how fast does attn train its two memory models, the Neural Turing
// Machine and the end-to-end memory network, next to PyTorch?
//
// The workload of the PyTorch twin bench/torch_memory_models.py, so the two can be run
// alternately and compared as a ratio (bench/README.md, bench/compare.py's "memory" group):
//
//   --model ntm      Graves et al. 2014 as models/ntm/ntm.h builds it, at the docs' recipe
//                    (docs/ntm.md): an LSTM controller of C 100, memory N x M = 128 x 20, one
//                    read and one write head, shifts -1..1; 62,660 parameters.
//                    data   copy task (train/data/bit_sequences.h) of a fixed length L 20 of
//                           8-bit vectors: inputs [B, 2L+1, 9], targets and mask [B, 2L+1, 8],
//                           only the L answer steps scored; batch 16, the trainer's
//                    loss   binary cross-entropy with logits over the scored bits, gradients'
//                           global norm clipped to 10 (train/ntm_trainer.cpp)
//   --model memn2n   Sukhbaatar et al. 2015 as models/memn2n/memn2n.h builds it, with its
//                    defaults (position encoding, temporal encoding, random noise 0.1, adjacent
//                    tying, empty slots in the softmax, dot score, softmax on: no linear start)
//                    at the joint bAbI model's sizes (docs/memory.md, --task all): D 50, K 3
//                    hops, memory 50 sentences, vocabulary 180; 46,000 parameters.
//                    data   stories [B, 50, 10] of random word ids in [4, V): each story fills
//                           25..50 slots (the rest padding, 0), each sentence 5..10 words
//                           (left-aligned, padded with 0); questions [B, 10] of 5..10 words;
//                           answers in [4, V); batch 32, the trainer's
//                    loss   cross-entropy of the answer word, the gradient of its sum over the
//                           batch, each weight's gradient clipped to norm 40 on its own
//                           (train/babi_trainer.cpp: StepOptions{0, 40, true, true})
//
// Both: 4 batches drawn once and cycled; Adam at 1e-3 (betas 0.9, 0.999, eps 1e-8) in place of
// the bAbI trainer's SGD, so the two models' steps are alike. Every step is timed whole: zero_grad,
// forward, loss, backward, clipping, Adam, reading the loss (attn: descend() / train_step(), the
// trainers' own step). Median over --steps after --warmup untimed ones, of the wall clock and of
// the process CPU time; examples/s = batch / median step.
//
// Run:  build/bench/memory_models_bench --model ntm|memn2n --threads 2 [--warmup 3]
//         [--steps 20] [--seed 0] [--batch 0 (the recipe's)] [--tag T]
// Prints one line "RESULT {json}" (the twin's field names), then a one-line summary.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "bench/bench_util.h"
#include "models/memn2n/memn2n_config.h"
#include "models/ntm/ntm_config.h"
#include "models/ntm/sequence_model.h"
#include "models/seq2seq/special_tokens.h"
#include "tensor/matmul.h"
#include "tensor/random.h"
#include "tensor/thread_pool.h"
#include "train/data/bit_sequences.h"
#include "train/optim/adam.h"
#include "train/optim/schedule.h"
#include "train/step.h"

using namespace attn;

namespace {

constexpr real kLearningRate = 1e-3;  // Adam, both models
constexpr int kBatchesCycled = 4;

// ---- timing ------------------------------------------------------------------------------------

struct Timing {
  std::vector<double> seconds, cpu_seconds;
  double loss_first = 0, loss_last = 0;
};

// Runs step(i) for i = 0 .. warmup + steps - 1, timing the last `steps`; step returns the loss.
Timing time_steps(int warmup, int steps, const std::function<double(int)>& step) {
  Timing timing;
  for (int i = 0; i < warmup + steps; ++i) {
    const auto start = bench::Clock::now();
    const double cpu_start = bench::process_cpu_seconds();
    const double loss = step(i);
    const double seconds = bench::seconds_since(start);
    const double cpu_seconds = bench::process_cpu_seconds() - cpu_start;
    if (i < warmup) continue;
    if (timing.seconds.empty()) timing.loss_first = loss;
    timing.loss_last = loss;
    timing.seconds.push_back(seconds);
    timing.cpu_seconds.push_back(cpu_seconds);
  }
  return timing;
}

// A step whose loss or gradient was not finite changed nothing: the timing would be wrong.
double applied(const StepResult& result) {
  if (!result.applied) throw std::runtime_error("a training step was skipped: " + result.problem);
  return result.loss;
}

// What one model's run reports besides its sizes, which it adds to the RESULT line itself.
struct ModelRun {
  long params = 0;
  Timing timing;
};

// ---- the Neural Turing Machine on the copy task -------------------------------------------------

constexpr int64_t kCopyLength = 20, kBits = 8;

// The docs' recipe (docs/ntm.md): NtmConfig's defaults are the paper's sizes.
NtmConfig ntm_config(const BitTaskSpec& task, uint64_t seed) {
  NtmConfig config;
  config.input_width = task.input_width();    // 9: 8 bits and the delimiter
  config.output_width = task.output_width();  // 8
  config.seed = seed;
  return config;
}

// B copies of exactly kCopyLength vectors: inputs [B, 41, 9], targets and mask [B, 41, 8].
BitBatch copy_batch(const BitTaskSpec& task, int64_t B, Generator& g) {
  std::vector<BitSequence> sequences;
  for (int64_t b = 0; b < B; ++b) sequences.push_back(make_bit_sequence(task, kCopyLength, 1, g));
  return batch_bit_sequences(sequences);
}

ModelRun run_ntm(int64_t B, int warmup, int steps, uint64_t seed, bench::JsonLine& result) {
  BitTaskSpec task;
  task.bits = kBits;
  task.min_length = task.max_length = kCopyLength;
  const NtmConfig config = ntm_config(task, seed);
  const std::unique_ptr<SequenceModel> model = config.build();
  model->train();
  AdamOptions adam;
  adam.learning_rate = kLearningRate;
  Adam optimizer(model->named_parameters(), adam);
  const StepOptions clipping{0, 10, false, false};  // the NTM trainer's: global norm 10
  Generator data(seed + 1);
  std::vector<BitBatch> batches;
  for (int i = 0; i < kBatchesCycled; ++i) batches.push_back(copy_batch(task, B, data));

  ModelRun run;
  run.timing = time_steps(warmup, steps, [&](int i) {
    const BitBatch& batch = batches[static_cast<size_t>(i % kBatchesCycled)];
    const Variable logits = model->forward(Variable(batch.inputs));  // [B, T, O]
    const Variable loss = binary_cross_entropy_with_logits(logits, batch.targets, batch.mask);
    return applied(descend(loss, optimizer, kLearningRate, clipping));
  });
  run.params = static_cast<long>(model->parameter_count());
  result.add("controller", "lstm").add("controller_size", static_cast<long>(config.controller_size))
      .add("memory_slots", static_cast<long>(config.memory_slots))
      .add("memory_width", static_cast<long>(config.memory_width))
      .add("read_heads", static_cast<long>(config.read_heads))
      .add("max_shift", static_cast<long>(config.max_shift)).add("bits", static_cast<long>(kBits))
      .add("copy_length", static_cast<long>(kCopyLength))
      .add("seq_steps", static_cast<long>(2 * kCopyLength + 1));
  return run;
}

// ---- the end-to-end memory network on bAbI-sized random stories --------------------------------

// The joint bAbI model's sizes (docs/memory.md, --task all: D 50, K 3, memory 50; its
// vocabulary, of the 20 tasks together, about 180), sentences of at most 10 words.
constexpr int64_t kVocabulary = 180, kEmbedding = 50, kHops = 3;
constexpr int64_t kMemorySlots = 50, kSentenceWords = 10;

// A whole number uniform in low .. high.
int64_t between(int64_t low, int64_t high, Generator& g) {
  return low + static_cast<int64_t>(g.next_u64() % static_cast<uint64_t>(high - low + 1));
}

// Row `row` of ids [.., J]: length words uniform in [4, V), left-aligned, the rest padding 0.
void fill_words(Tensor& ids, int64_t row, int64_t length, Generator& g) {
  const int64_t J = ids.size(-1);
  for (int64_t j = 0; j < length; ++j)
    ids.data()[row * J + j] = static_cast<real>(between(special_tokens::count, kVocabulary - 1, g));
}

// story [B, 50, 10] filling 25..50 slots, mask [B, 50], question [B, 10], answer [B, 1].
Batch story_batch(int64_t B, Generator& g) {
  const int64_t S = kMemorySlots, J = kSentenceWords;
  Tensor story = Tensor::zeros({B, S, J}), mask = Tensor::zeros({B, S});
  Tensor question = Tensor::zeros({B, J}), answer = Tensor::zeros({B, 1});
  for (int64_t b = 0; b < B; ++b) {
    const int64_t sentences = between(S / 2, S, g);
    for (int64_t s = 0; s < sentences; ++s) {
      mask.data()[b * S + s] = 1;
      fill_words(story, b * S + s, between(J / 2, J, g), g);
    }
    fill_words(question, b, between(J / 2, J, g), g);
    answer.data()[b] = static_cast<real>(between(special_tokens::count, kVocabulary - 1, g));
  }
  Batch batch;
  batch.source = {story, mask, question};
  batch.target_in = Tensor::full({B, 1}, static_cast<real>(special_tokens::bos));  // [B, 1]
  batch.target_out = answer;                                                     // [B, 1]
  batch.target_tokens = B;
  return batch;
}

ModelRun run_memn2n(int64_t B, int warmup, int steps, uint64_t seed, bench::JsonLine& result) {
  MemN2NConfig config;  // the paper's model: pe, temporal, RN 0.1, adjacent tying, empty slots
  config.embedding = kEmbedding;  // the joint model's sizes (preset "joint")
  config.hops = kHops;
  config.memory_size = kMemorySlots;
  config.source_vocab = config.target_vocab = kVocabulary;
  config.seed = seed;
  const std::unique_ptr<Seq2Seq> model = config.build();
  model->train();  // random noise (RN) acts in training only
  AdamOptions adam;
  adam.learning_rate = kLearningRate;
  Adam optimizer(model->named_parameters(), adam);
  const ConstantSchedule schedule(kLearningRate);
  const StepOptions step_options{0, 40, true, true};  // the bAbI trainer's
  Generator data(seed + 1);
  std::vector<Batch> batches;
  for (int i = 0; i < kBatchesCycled; ++i) batches.push_back(story_batch(B, data));

  ModelRun run;
  run.timing = time_steps(warmup, steps, [&](int i) {
    const Batch& batch = batches[static_cast<size_t>(i % kBatchesCycled)];
    return applied(train_step(*model, batch, optimizer, schedule, i + 1, step_options));
  });
  run.params = static_cast<long>(model->parameter_count());
  result.add("vocab", static_cast<long>(kVocabulary))
      .add("embedding", static_cast<long>(config.embedding))
      .add("hops", static_cast<long>(config.hops))
      .add("memory_size", static_cast<long>(config.memory_size))
      .add("sentence_words", static_cast<long>(kSentenceWords))
      .add("random_noise", static_cast<double>(config.random_noise));
  return run;
}

// ---- main ---------------------------------------------------------------------------------------

int run(int argc, char** argv) {
  bench::Flags flags(argc, argv);
  const std::string model = flags.get_string("model", "ntm");
  const int threads = static_cast<int>(flags.get_int("threads", 1));
  const int warmup = static_cast<int>(flags.get_int("warmup", 3));
  const int steps = static_cast<int>(flags.get_int("steps", 20));
  const uint64_t seed = static_cast<uint64_t>(flags.get_int("seed", 0));
  const int64_t batch_flag = flags.get_int("batch", 0);
  const std::string tag = flags.get_string("tag", "");
  flags.finish();
  if (model != "ntm" && model != "memn2n")
    throw std::invalid_argument("--model must be ntm or memn2n, got '" + model + "'");
  if (steps < 1 || warmup < 0 || threads < 1 || batch_flag < 0)
    throw std::invalid_argument("need --steps >= 1, --warmup >= 0, --threads >= 1, --batch >= 0");
  set_num_threads(threads);
  const int64_t B = batch_flag > 0 ? batch_flag : (model == "ntm" ? 16 : 32);  // the recipes'

  bench::JsonLine result;
  result.add("impl", "attn").add("tag", tag).add("model", model).add("threads", threads)
      .add("matmul_backend", matmul_backend()).add("batch", static_cast<long>(B));
  const ModelRun run = model == "ntm" ? run_ntm(B, warmup, steps, seed, result)
                                      : run_memn2n(B, warmup, steps, seed, result);
  const double median = bench::median(run.timing.seconds);
  result.add("params", run.params).add("step_ms_median", median * 1e3)
      .add("step_ms_min", bench::min_of(run.timing.seconds) * 1e3)
      .add("step_ms_max", bench::max_of(run.timing.seconds) * 1e3)
      .add("cpu_ms_median", bench::median(run.timing.cpu_seconds) * 1e3)
      .add("examples_s_median", static_cast<double>(B) / median)
      .add("peak_rss_mib", bench::peak_rss_mib()).add("loss_first", run.timing.loss_first)
      .add("loss_last", run.timing.loss_last);
  std::printf("RESULT %s\n", result.str().c_str());
  std::fflush(stdout);
  std::fprintf(stderr,
               "# attn %s threads=%d batch=%ld: %.1f examples/s (%.2f ms, CPU %.2f ms), "
               "%ld parameters, peak RSS %.0f MiB\n",
               model.c_str(), threads, static_cast<long>(B), static_cast<double>(B) / median,
               median * 1e3, bench::median(run.timing.cpu_seconds) * 1e3, run.params,
               bench::peak_rss_mib());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::main_of("memory_models_bench", argc, argv, run); }
