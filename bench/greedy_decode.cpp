// greedy_decode_bench: how many tokens per second does attn generate by greedy decoding?
//
// The same workload as the PyTorch reference /work/shared/bench/torch_greedy_decode.py:
//
//   model    the training benchmark's model (bench/transformer_train.cpp): random weights,
//            untied output projection, evaluated without dropout and without a graph
//   source   [batch, 32] random token ids uniform in [3, V), no padding
//   decode   y_0 = BOS, then gen_len = 32 steps of y_t = argmax_v p(v | y_<t, source), never
//            stopping early, so every run produces batch * gen_len tokens
//
// It calls the public attn::greedy_decode (models/decoding/greedy.h), so it measures whatever
// that does: with the decoder's key/value cache, each step runs the decoder on the newest
// position only (PyTorch's nn.Transformer, without a cache, re-runs the whole prefix). To never
// stop early, EOS is given as -1, an id argmax cannot return.
//
// Timed: --reps whole decodes (encoder once, then gen_len steps) after --warmup untimed ones;
//   tokens/s = batch * gen_len / median decode time
//
// Run:  build/bench/greedy_decode_bench --config small --threads 2 --batch 1|32
//         [--gen-len 32] [--src-len 32] [--warmup 2] [--reps 7] [--tag T]
// Prints one line "RESULT {json}" (the script's field names), then a one-line summary.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/random_batch.h"
#include "models/decoding/greedy.h"
#include "models/transformer/transformer.h"
#include "tensor/matmul.h"
#include "tensor/random.h"
#include "tensor/thread_pool.h"

using namespace attn;

namespace {

constexpr int64_t kNeverEos = -1;  // no token id is -1: decoding always runs gen_len steps

// The vocabulary of each of the README's configs; D, H, F and layers come from attn's presets,
// which match the README's table.
int64_t vocabulary_of(const std::string& name) {
  if (name == "tiny") return 1000;
  if (name == "small" || name == "base") return 8000;
  throw std::invalid_argument("--config must be tiny, small or base, got '" + name + "'");
}

int run(int argc, char** argv) {
  bench::Flags flags(argc, argv);
  const std::string name = flags.get_string("config", "small");
  const int64_t batch = flags.get_int("batch", 1);
  const int threads = static_cast<int>(flags.get_int("threads", 1));
  const int64_t source_length = flags.get_int("src-len", 32);
  const int64_t gen_length = flags.get_int("gen-len", 32);
  const int warmup = static_cast<int>(flags.get_int("warmup", 2));
  const int reps = static_cast<int>(flags.get_int("reps", 7));
  const std::string tag = flags.get_string("tag", "");
  flags.finish();
  if (batch < 1 || threads < 1 || source_length < 1 || gen_length < 1 || reps < 1 || warmup < 0)
    throw std::invalid_argument("sizes, --threads and --reps must be positive");
  set_num_threads(threads);

  const int64_t vocab = vocabulary_of(name);
  TransformerConfig config;
  config.apply_preset(name);
  config.source_vocab = config.target_vocab = vocab;
  config.tie_output = false;        // the script's generator is its own nn.Linear
  config.share_embeddings = false;  // and src_emb, tgt_emb are two tables
  config.max_length = std::max<int64_t>(config.max_length, std::max(source_length, gen_length + 1));
  Transformer model(config);

  // The script draws its source from a generator seeded with 1.
  Generator g(1);
  const Source source = token_source(bench::random_source(batch, source_length, vocab, g));
  GreedyOptions greedy;
  greedy.max_length = gen_length;
  greedy.bos = bench::kBos;
  greedy.eos = kNeverEos;

  Tensor out;
  for (int i = 0; i < warmup; ++i) out = greedy_decode(model, source, greedy).tokens;
  std::vector<double> times;
  for (int i = 0; i < reps; ++i) {
    const auto start = bench::Clock::now();
    out = greedy_decode(model, source, greedy).tokens;  // [B, gen_len]
    times.push_back(bench::seconds_since(start));
  }
  if (out.size(0) != batch || out.size(1) != gen_length)
    throw std::runtime_error("greedy_decode returned " + std::to_string(out.size(1)) +
                             " tokens per row, expected " + std::to_string(gen_length));

  const double median = bench::median(times);
  const double tokens = static_cast<double>(batch * gen_length);
  bench::JsonLine result;
  result.add("impl", "attn").add("tag", tag).add("config", name).add("batch", batch)
      .add("threads", threads).add("src_len", source_length).add("gen_len", gen_length)
      .add("norm_first", false).add("matmul_backend", matmul_backend())
      .add("decode_s_median", median).add("decode_s_min", bench::min_of(times))
      .add("decode_s_max", bench::max_of(times))
      .add("tok_s_median", tokens / median).add("tok_s_best", tokens / bench::min_of(times))
      .add("tok_s_worst", tokens / bench::max_of(times))
      .add("ms_per_generated_position", median / static_cast<double>(gen_length) * 1e3)
      .add("peak_rss_mib", bench::peak_rss_mib());
  std::printf("RESULT %s\n", result.str().c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "# attn greedy %s batch=%ld threads=%d: %.0f tok/s (decode %.1f ms [%.1f..%.1f])\n",
               name.c_str(), static_cast<long>(batch), threads, tokens / median, median * 1e3,
               bench::min_of(times) * 1e3, bench::max_of(times) * 1e3);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::main_of("greedy_decode_bench", argc, argv, run); }
