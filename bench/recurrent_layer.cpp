// recurrent_layer_bench: how long does one forward + backward of a recurrent layer take?
//
// The same workload as its PyTorch twin bench/torch_recurrent_layer.py (nn.GRU / nn.LSTM,
// batch_first, through pack_padded_sequence when padded):
//
//   layer    attn::Recurrent, --cell gru|lstm, --layers L, bidirectional unless --directions 1;
//            default: the encoder of the Bahdanau model, a bidirectional 1-layer GRU,
//            I = 256, R = 512
//   data     inputs [B, T, I] uniform in [-1, 1) that need a gradient (as an embedding's
//            output would); --padded 1 gives row b the length T - (b mod (T/2)), right-padded
//   step     zero_grad, forward, backward from a fixed random gradient of the outputs
//
// Timed: --reps whole steps after --warmup untimed ones; the median, in milliseconds, of the wall
// clock and of the process's CPU time (all threads; on a shared machine the CPU time moves less
// with other people's load than the wall clock does).
//
// Run:  build/bench/recurrent_layer_bench --threads 2 [--cell gru] [--batch 64]
//         [--steps 24] [--input 256] [--hidden 512] [--layers 1] [--directions 2]
//         [--padded 0] [--warmup 3] [--reps 15] [--tag T]
// Prints one line "RESULT {json}", then a one-line summary.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "bench/bench_util.h"
#include "nn/recurrent/recurrent.h"
#include "tensor/matmul.h"
#include "tensor/random.h"
#include "tensor/thread_pool.h"

using namespace attn;

namespace {

CellKind cell_of(const std::string& name) {
  if (name == "gru") return CellKind::gru;
  if (name == "lstm") return CellKind::lstm;
  throw std::invalid_argument("--cell must be gru or lstm, got '" + name + "'");
}

int run(int argc, char** argv) {
  bench::Flags flags(argc, argv);
  const std::string cell = flags.get_string("cell", "gru");
  const int threads = static_cast<int>(flags.get_int("threads", 2));
  const int64_t B = flags.get_int("batch", 64), T = flags.get_int("steps", 24);
  RecurrentOptions options;
  options.cell = cell_of(cell);
  options.input_size = flags.get_int("input", 256);
  options.hidden_size = flags.get_int("hidden", 512);
  options.layers = flags.get_int("layers", 1);
  options.bidirectional = flags.get_int("directions", 2) == 2;
  const bool padded = flags.get_int("padded", 0) != 0;
  const int warmup = static_cast<int>(flags.get_int("warmup", 3));
  const int reps = static_cast<int>(flags.get_int("reps", 15));
  const std::string tag = flags.get_string("tag", "");
  flags.finish();
  if (B < 1 || T < 2 || threads < 1 || reps < 1 || warmup < 0)
    throw std::invalid_argument("sizes, --threads and --reps must be positive, --steps at least 2");
  set_num_threads(threads);

  Generator generator(1);
  Recurrent layer(options, generator);
  const Variable inputs(uniform({B, T, options.input_size}, -1, 1, generator), true);
  const int64_t K = options.bidirectional ? 2 : 1;
  const Tensor grad_outputs = uniform({B, T, K * options.hidden_size}, -1, 1, generator);
  Tensor mask;
  int64_t real_steps = B * T;
  if (padded) {
    std::vector<real> values;
    real_steps = 0;
    for (int64_t b = 0; b < B; ++b) {
      const int64_t length = T - b % (T / 2);
      real_steps += length;
      for (int64_t t = 0; t < T; ++t) values.push_back(t < length ? 1 : 0);
    }
    mask = Tensor::from_vector({B, T}, values);
  }

  const auto step = [&] {
    layer.zero_grad();
    Variable(inputs).zero_grad();
    const RecurrentOutput out = layer.forward(inputs, mask);
    out.outputs.backward(grad_outputs);
  };
  for (int i = 0; i < warmup; ++i) step();
  std::vector<double> times, cpu_times;
  for (int i = 0; i < reps; ++i) {
    const auto start = bench::Clock::now();
    const double cpu_start = bench::process_cpu_seconds();
    step();
    times.push_back(bench::seconds_since(start));
    cpu_times.push_back(bench::process_cpu_seconds() - cpu_start);
  }

  const double median = bench::median(times);
  bench::JsonLine result;
  result.add("impl", "attn").add("tag", tag).add("cell", cell).add("batch", B).add("steps", T)
      .add("input", options.input_size).add("hidden", options.hidden_size)
      .add("layers", options.layers).add("directions", K).add("padded", padded)
      .add("real_steps", real_steps).add("threads", threads)
      .add("matmul_backend", matmul_backend()).add("ms_median", median * 1e3)
      .add("ms_min", bench::min_of(times) * 1e3).add("ms_max", bench::max_of(times) * 1e3)
      .add("cpu_ms_median", bench::median(cpu_times) * 1e3)
      .add("peak_rss_mib", bench::peak_rss_mib());
  std::printf("RESULT %s\n", result.str().c_str());
  std::fflush(stdout);
  std::fprintf(stderr,
               "# attn %s B=%ld T=%ld I=%ld R=%ld L=%ld K=%ld threads=%d: %.1f ms [%.1f..%.1f], "
               "cpu %.1f ms\n",
               cell.c_str(), static_cast<long>(B), static_cast<long>(T),
               static_cast<long>(options.input_size), static_cast<long>(options.hidden_size),
               static_cast<long>(options.layers), static_cast<long>(K), threads, median * 1e3,
               bench::min_of(times) * 1e3, bench::max_of(times) * 1e3,
               bench::median(cpu_times) * 1e3);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::main_of("recurrent_layer_bench", argc, argv, run); }
