// attention_layer_bench: how long do the forward and backward of one attention layer's core take,
// and how much memory do they need, on the plain path and on the tiled (FlashAttention) kernel?
//
// The same workload as its PyTorch twin bench/torch_attention_layer.py:
//
//   inputs   q, k, v [B, H, T, E] uniform in [-1, 1) that need gradients (as the projections'
//            outputs would); self-attention, so S = T
//   core     O = softmax(q k^T / sqrt(E), future keys -inf with --causal 1) v     [B, H, T, E]
//            --impl plain: the ops attn's attention plumbing runs for the scaled-dot score
//                          (nn/attention/attention.cpp): matmul, * 1/sqrt(E), masked_fill -inf
//                          with causal_mask(T), softmax, matmul, through autograd; it stores
//                          [B, H, T, T] scores and weights (and the scaled and masked copies)
//            --impl flash: flash_attention (tensor/flash_attention.h), one autograd op that
//                          stores O and the row logsumexp [B, H, T] only
//   step     forward, then backward from a fixed random gradient dO [B, H, T, E]
//
// For each T of --lengths: --warmup untimed steps, then --reps timed ones. Reported per length:
// the medians, in milliseconds, of the forward alone and of forward + backward, and of the
// process's CPU time (all threads) for forward + backward, which moves less than the wall clock
// with other people's load on a shared machine; the peak RSS so far; extra = that peak minus
// the RSS before the first length (so a length's figure also covers the shorter ones before it:
// give one length per run to isolate it), and attn's own count of the most tensor memory live at
// once (tensor/memory.h). Run each --impl in its own process, so that each peak is its own.
//
// Run:  build/bench/attention_layer_bench --impl plain|flash --threads 2 [--causal 0]
//         [--batch 1] [--heads 8] [--width 64] [--lengths 128,256,512,1024,2048,4096]
//         [--warmup 2] [--reps 7] [--tag T]
// Prints one line "RESULT {json}" per length, then a one-line summary of it.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "bench/bench_util.h"
#include "nn/attention/mask.h"
#include "tensor/elementwise.h"
#include "tensor/matmul.h"
#include "tensor/memory.h"
#include "tensor/random.h"
#include "tensor/thread_pool.h"

using namespace attn;

namespace {

std::vector<int64_t> parse_lengths(const std::string& text) {
  std::vector<int64_t> lengths;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    const int64_t length = std::stoll(item);
    if (length < 1) throw std::invalid_argument("--lengths must be positive, got " + item);
    lengths.push_back(length);
  }
  if (lengths.empty()) throw std::invalid_argument("--lengths is empty");
  return lengths;
}

// The plain path: what attention.cpp runs for the scaled-dot score, every [B, H, T, T] stored.
// blocked: undefined, or 1 where a key is hidden ([1, 1, T, T]).
Variable plain_attention(const Variable& q, const Variable& k, const Variable& v,
                         const Tensor& blocked, real scale) {
  Variable scores = matmul(q, transpose(k, -2, -1)) * scale;  // [B, H, T, T]
  if (blocked.defined())
    scores = masked_fill(scores, blocked, -std::numeric_limits<real>::infinity());
  return matmul(softmax(scores, -1), v);  // [B, H, T, E]
}

struct Timings {
  double forward_ms, total_ms, total_cpu_ms;
};

// Times --reps steps of forward (graph recorded, as in training) and backward after --warmup.
Timings time_steps(const std::string& impl, bool causal, int64_t B, int64_t H, int64_t T,
                   int64_t E, int warmup, int reps) {
  Generator generator(1);
  const Variable q(uniform({B, H, T, E}, -1, 1, generator), true);
  const Variable k(uniform({B, H, T, E}, -1, 1, generator), true);
  const Variable v(uniform({B, H, T, E}, -1, 1, generator), true);
  const Tensor grad_out = uniform({B, H, T, E}, -1, 1, generator);  // dO [B, H, T, E]
  const real scale = static_cast<real>(1.0 / std::sqrt(static_cast<double>(E)));
  // The plain path's [1, 1, T, T] mask of hidden keys; the flash kernel needs none.
  const Tensor blocked =
      causal && impl == "plain" ? eq(causal_mask(T), Tensor::scalar(0)) : Tensor();
  FlashAttentionOptions options;
  options.scale = scale;
  options.causal = causal;
  const auto forward = [&] {
    return impl == "flash" ? flash_attention(q, k, v, options)
                           : plain_attention(q, k, v, blocked, scale);
  };
  std::vector<double> forward_times, total_times, cpu_times;
  for (int i = 0; i < warmup + reps; ++i) {
    for (const Variable& input : {q, k, v}) Variable(input).zero_grad();
    const auto start = bench::Clock::now();
    const double cpu_start = bench::process_cpu_seconds();
    const Variable out = forward();
    const double forward_seconds = bench::seconds_since(start);
    out.backward(grad_out);
    const double total_seconds = bench::seconds_since(start);
    if (i < warmup) continue;
    forward_times.push_back(forward_seconds);
    total_times.push_back(total_seconds);
    cpu_times.push_back(bench::process_cpu_seconds() - cpu_start);
  }
  return {bench::median(forward_times) * 1e3, bench::median(total_times) * 1e3,
          bench::median(cpu_times) * 1e3};
}

int run(int argc, char** argv) {
  bench::Flags flags(argc, argv);
  const std::string impl = flags.get_string("impl", "flash");
  const int threads = static_cast<int>(flags.get_int("threads", 2));
  const bool causal = flags.get_int("causal", 0) != 0;
  const int64_t B = flags.get_int("batch", 1), H = flags.get_int("heads", 8);
  const int64_t E = flags.get_int("width", 64);
  const std::vector<int64_t> lengths =
      parse_lengths(flags.get_string("lengths", "128,256,512,1024,2048,4096"));
  const int warmup = static_cast<int>(flags.get_int("warmup", 2));
  const int reps = static_cast<int>(flags.get_int("reps", 7));
  const std::string tag = flags.get_string("tag", "");
  flags.finish();
  if (impl != "plain" && impl != "flash")
    throw std::invalid_argument("--impl must be plain or flash, got '" + impl + "'");
  if (B < 1 || H < 1 || E < 1 || threads < 1 || reps < 1 || warmup < 0)
    throw std::invalid_argument("sizes, --threads and --reps must be positive");
  set_num_threads(threads);

  const double baseline_mib = bench::peak_rss_mib();  // nothing of the workload allocated yet
  for (const int64_t T : lengths) {
    const Timings t = time_steps(impl, causal, B, H, T, E, warmup, reps);
    const double peak_mib = bench::peak_rss_mib();
    bench::JsonLine result;
    result.add("impl", "attn-" + impl).add("tag", tag).add("batch", B).add("heads", H)
        .add("length", T).add("width", E).add("causal", causal).add("threads", threads)
        .add("matmul_backend", matmul_backend()).add("ms_forward_median", t.forward_ms)
        .add("ms_median", t.total_ms).add("cpu_ms_median", t.total_cpu_ms)
        .add("peak_rss_mib", peak_mib)
        .add("peak_tensor_mib", static_cast<double>(peak_tensor_bytes()) / (1 << 20))
        .add("extra_mib", peak_mib - baseline_mib);
    std::printf("RESULT %s\n", result.str().c_str());
    std::fflush(stdout);
    std::fprintf(stderr,
                 "# attn %s B=%ld H=%ld T=S=%ld E=%ld causal=%d threads=%d: forward %.2f ms, "
                 "forward+backward %.2f ms (cpu %.2f ms), peak RSS %.0f MiB (+%.0f)\n",
                 impl.c_str(), static_cast<long>(B), static_cast<long>(H), static_cast<long>(T),
                 static_cast<long>(E), causal ? 1 : 0, threads, t.forward_ms, t.total_ms,
                 t.total_cpu_ms, peak_mib, peak_mib - baseline_mib);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::main_of("attention_layer_bench", argc, argv, run); }
