// transformer_train_bench: how many target tokens per second does attn train on, next to PyTorch?
//
// The same workload as the PyTorch reference /work/shared/bench/torch_transformer_train.py, so
// the two can be run alternately and compared as a ratio (bench/README.md):
//
//   model      embeddings * sqrt(D) + sinusoidal positions + dropout 0.1 -> post-LN
//              encoder-decoder (ReLU feed-forward) -> linear to the vocabulary. Source and target
//              tables and the output projection are three separate weights, as in the script
//              (attn's defaults tie the output to the target table; here tie_output = false).
//   data       4 random batches drawn once and cycled, as the script draws them
//              (bench/random_batch.h); no padding unless --pad-frac
//   loss       cross-entropy with label smoothing 0.1, ignoring PAD = 0, mean over target tokens
//   optimiser  Adam, lr 1e-4, betas (0.9, 0.98), eps 1e-9
// Each step is attn's shared training step (train/step.h), with a constant rate and no clipping.
//
// Timed: one whole step, forward + loss + zero_grad + backward + Adam + reading the loss, for
// each of --steps steps after --warmup untimed ones. Reported as the script does:
//
//   target tokens/s = (non-PAD labels per step) / median step time
//   GFLOP/s         = analytic matmul FLOP per step / median step time   (the README's table:
//                     8.3 G tiny, 47.3 G small, 149.7 G base; same formula as the script)
//   peak RSS        = getrusage ru_maxrss, the whole process
//   peak tensors    = the most tensor storage live at once (tensor/memory.h): what RSS would be
//                     with a perfect allocator, the model and optimiser state included
//
// Run:  build/bench/transformer_train_bench --config small --threads 2 [--steps 20]
//         [--warmup 5] [--pad-frac 0] [--seed 0] [--peak-gflops X] [--tag T]
//       (--peak-gflops: the machine's peak; by default measured, bench/fma_peak.h)
// Prints one line "RESULT {json}" (the script's field names where they mean the same thing),
// then a one-line summary.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "bench/bench_util.h"
#include "bench/fma_peak.h"
#include "bench/random_batch.h"
#include "models/transformer/transformer.h"
#include "tensor/matmul.h"
#include "tensor/memory.h"
#include "tensor/random.h"
#include "tensor/thread_pool.h"
#include "train/data/batching.h"
#include "train/optim/adam.h"
#include "train/step.h"

using namespace attn;

namespace {

// One row of the README's table (the script's CONFIGS).
struct BenchConfig {
  std::string name;
  int64_t vocab, d_model, heads, d_ff, layers;  // layers in the encoder and in the decoder
  int64_t batch, source_length, target_length;
};

BenchConfig find_config(const std::string& name) {
  const std::vector<BenchConfig> configs = {
      {"tiny", 1000, 128, 4, 512, 2, 64, 20, 20},
      {"small", 8000, 256, 4, 1024, 3, 32, 32, 32},
      {"base", 8000, 512, 8, 2048, 6, 16, 32, 32},
  };
  for (const BenchConfig& c : configs)
    if (c.name == name) return c;
  throw std::invalid_argument("--config must be tiny, small or base, got '" + name + "'");
}

// Analytic matmul FLOP of one training step, the script's flops_per_step: forward weights
// (encoder 4D^2 + 2DF per source token; decoder 6D^2 + 2DF per target token and cross-attention
// K, V 2D^2 per memory token; output DV per target token) and attention products (QK^T and AV,
// 2 * 2 * Lq * Lk * D per layer), 2 FLOP per multiply-add; training = 3 x forward.
struct Flops {
  double forward, attention_forward, train;
};

Flops flops_per_step(const BenchConfig& c) {
  const double d = c.d_model, f = c.d_ff, v = c.vocab, layers = c.layers;
  const double b = c.batch, s = c.source_length, t = c.target_length;
  const double encoder = layers * b * s * 2 * (4 * d * d + 2 * d * f);
  const double decoder = layers * b * (t * 2 * (6 * d * d + 2 * d * f) + s * 2 * (2 * d * d));
  const double output = b * t * 2 * d * v;
  const double attention = b * (layers * 4 * s * s * d + layers * (4 * t * t * d + 4 * t * s * d));
  const double forward = encoder + decoder + output + attention;
  return {forward, attention, 3 * forward};
}

int run(int argc, char** argv) {
  bench::Flags flags(argc, argv);
  const BenchConfig c = find_config(flags.get_string("config", "tiny"));
  const int threads = static_cast<int>(flags.get_int("threads", 1));
  const int warmup = static_cast<int>(flags.get_int("warmup", 5));
  const int steps = static_cast<int>(flags.get_int("steps", 20));
  const double pad_fraction = flags.get_double("pad-frac", 0.0);
  const uint64_t seed = static_cast<uint64_t>(flags.get_int("seed", 0));
  const std::string tag = flags.get_string("tag", "");
  // 0: measured after the timed steps (fma_peak.h), so that it does not heat the timed ones.
  const double peak_flag = flags.get_double("peak-gflops", 0);
  flags.finish();
  if (steps < 1 || warmup < 0 || threads < 1)
    throw std::invalid_argument("need --steps >= 1, --warmup >= 0, --threads >= 1");

  set_num_threads(threads);
  const double rss_before_model = bench::peak_rss_mib();

  TransformerConfig config;
  config.apply_preset(c.name);
  config.source_vocab = config.target_vocab = c.vocab;
  config.dropout = 0.1;
  config.norm = NormPlacement::post;
  config.tie_output = false;        // the script's generator is its own nn.Linear
  config.share_embeddings = false;  // and src_emb, tgt_emb are two tables
  config.seed = seed;
  Transformer model(config);
  model.train();

  Adam optimizer(model.named_parameters(), AdamOptions::transformer_paper());
  const ConstantSchedule schedule(1e-4);  // the script's lr
  StepOptions step_options;
  step_options.label_smoothing = 0.1;
  step_options.clip_norm = 0;  // the script does not clip

  Generator data(seed);
  std::vector<Batch> batches;
  for (int i = 0; i < 4; ++i)
    batches.push_back(bench::random_batch(c.batch, c.source_length, c.target_length, c.vocab,
                                          data, pad_fraction));

  std::vector<double> times, losses, tokens;
  for (int i = 0; i < warmup + steps; ++i) {
    const Batch& batch = batches[i % batches.size()];
    const auto start = bench::Clock::now();
    const double loss_value = train_step(model, batch, optimizer, schedule, i + 1, step_options).loss;
    const double seconds = bench::seconds_since(start);
    if (i >= warmup) {
      times.push_back(seconds);
      losses.push_back(loss_value);
      tokens.push_back(static_cast<double>(batch.target_tokens));
    }
  }

  const Flops flops = flops_per_step(c);
  const double step_median = bench::median(times);
  double tokens_per_step = 0;
  for (double t : tokens) tokens_per_step += t / static_cast<double>(tokens.size());
  const double gflops = flops.train / step_median / 1e9;
  const double peak_rss = bench::peak_rss_mib();
  const double peak_gflops = peak_flag > 0 ? peak_flag : bench::measured_peak_gflops(threads);
  const double mfu = peak_gflops > 0 ? gflops / peak_gflops : 0;  // model FLOP utilisation

  bench::JsonLine result;
  result.add("impl", "attn").add("tag", tag).add("config", c.name).add("norm_first", false)
      .add("threads", threads).add("matmul_backend", matmul_backend())
      .add("vocab", c.vocab).add("d_model", c.d_model).add("heads", c.heads).add("ff", c.d_ff)
      .add("enc_layers", c.layers).add("dec_layers", c.layers).add("dropout", 0.1)
      .add("batch", c.batch).add("src_len", c.source_length).add("tgt_len", c.target_length)
      .add("pad_frac", pad_fraction).add("warmup", warmup).add("steps", steps)
      .add("params", static_cast<long>(model.parameter_count()))
      .add("tgt_tokens_per_step", tokens_per_step)
      .add("step_s_median", step_median).add("step_s_min", bench::min_of(times))
      .add("step_s_max", bench::max_of(times))
      .add("tok_s_median", tokens_per_step / step_median)
      .add("tok_s_best", tokens_per_step / bench::min_of(times))
      .add("tok_s_worst", tokens_per_step / bench::max_of(times))
      .add("flops_per_step", flops.train)
      .add("flops_attention_share", flops.attention_forward / flops.forward)
      .add("gflops_achieved", gflops).add("peak_gflops", peak_gflops)
      .add("mfu", mfu)
      .add("peak_rss_mib", peak_rss).add("rss_before_model_mib", rss_before_model)
      .add("peak_tensor_mib", static_cast<double>(peak_tensor_bytes()) / (1 << 20))
      .add("loss_first", losses.front()).add("loss_last", losses.back());
  std::printf("RESULT %s\n", result.str().c_str());
  std::fflush(stdout);
  std::fprintf(stderr,
               "# attn %s threads=%d: %.0f tgt tok/s (step %.1f ms [%.1f..%.1f]), %.1f GFLOP/s, "
               "MFU %.1f%%, peak RSS %.0f MiB (tensors %.0f), loss %.3f -> %.3f\n",
               c.name.c_str(), threads, tokens_per_step / step_median, step_median * 1e3,
               bench::min_of(times) * 1e3, bench::max_of(times) * 1e3, gflops,
               100 * mfu, peak_rss,
               static_cast<double>(peak_tensor_bytes()) / (1 << 20), losses.front(), losses.back());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::main_of("transformer_train_bench", argc, argv, run);
}
