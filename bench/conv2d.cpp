// conv2d_bench: how fast is attn's convolution (im2col + attn's GEMM, tensor/conv2d.h) on the
// layers of the captioner's image encoder, how much of that is the GEMM itself, and how many
// images a second does the whole encoder take, next to PyTorch?
//
// The workload of its PyTorch twin bench/torch_conv2d.py; the two print the same table, row for
// row, so they can be run alternately and compared as ratios (bench/README.md):
//
//   layers   the conv 3x3, padding 1 of each block of nn/vision/cnn_encoder.h, for the
//            captioner's presets (models/captioner/captioner_config.cpp, encoder_channels()):
//              small  1 x 64 x 64 image (MNIST scenes), D = 64: channels 16, 32, 64, the first
//                     2 blocks pooled (a 16 x 16 grid)
//              tiny   3 x 32 x 32 image (shapes),       D = 32: channels 8, 16, 32, all 3
//                     pooled (a 4 x 4 grid)
//            x [B, C, H, W], weight [O, C, 3, 3], bias [O] and the output's gradient uniform in
//            [-1, 1); a pooled block halves H and W for the next one
//   flops    forward 2 B O C K K H' W' (one multiply and one add per term); backward twice that
//            (dw and dx are one product each), so forward + backward counts 3 times the forward
//   gemm     the same products on ready-made columns, without im2col, col2im or the bias: per
//            image [O, C K K] @ [C K K, H' W'] (forward), g_b @ cols^T and w^T @ g_b (backward),
//            B times, the images spread over the threads as conv2d.cpp spreads them. The gap
//            between a convolution's GFLOP/s and its gemm GFLOP/s is what the lowering costs.
//   encoder  CnnEncoder of each preset: training (forward, then backward from a fixed random
//            gradient of the annotation vectors; the images need none) at --batch, and inference
//            (forward only, no graph) at --infer-batch, in images per second
//
// Timed: each figure is the median of --repeats timings after a warm-up call; a timing repeats
// the call enough times to last about 20 ms (as gemm_bench does) and divides, since the smallest
// layer takes a fraction of a millisecond.
//
// Run:  build/bench/conv2d_bench [--threads 2] [--batch 32] [--infer-batch 1] [--repeats 7]
// Prints the table, peak RSS, then one line "RESULT {json}" with every figure.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "bench/bench_util.h"
#include "nn/vision/cnn_encoder.h"
#include "tensor/conv2d.h"
#include "tensor/matmul.h"
#include "tensor/random.h"
#include "tensor/thread_pool.h"

using namespace attn;

namespace {

constexpr double kTimingSeconds = 0.02;  // one timing repeats the call for about this long
constexpr int64_t kKernel = 3;           // the encoder's 3x3 fields

// ---- the workload --------------------------------------------------------------------------------

// An image encoder of the captioner: the image it reads, each block's output channels, and how
// many blocks (the first ones) end with a 2x2 max pool.
struct EncoderPreset {
  std::string name;
  int64_t C, H, W;                // image [C, H, W]
  std::vector<int64_t> channels;  // D_1 .. D_n
  int64_t pools;                  // p: the grid is H / 2^p x W / 2^p
};

const std::vector<EncoderPreset> kPresets = {
    {"small", 1, 64, 64, {16, 32, 64}, 2},
    {"tiny", 3, 32, 32, {8, 16, 32}, 3},
};

// One convolution of an encoder: x [B, C, H, W] -> y [B, O, H, W] (3x3, padding 1 keeps the size).
struct ConvLayer {
  std::string name;  // "small.block1"
  int64_t B, C, H, W, O;
  int64_t field() const { return C * kKernel * kKernel; }  // C K K: rows of the columns
  int64_t cells() const { return H * W; }                  // H' W' = H W
  double forward_flops() const { return 2.0 * B * O * field() * cells(); }
};

std::vector<ConvLayer> layers_of(const EncoderPreset& preset, int64_t batch) {
  std::vector<ConvLayer> layers;
  int64_t C = preset.C, H = preset.H, W = preset.W;
  for (size_t n = 0; n < preset.channels.size(); ++n) {
    const int64_t O = preset.channels[n];
    layers.push_back({preset.name + ".block" + std::to_string(n + 1), batch, C, H, W, O});
    C = O;
    if (static_cast<int64_t>(n) < preset.pools) H /= 2, W /= 2;  // its max pool 2x2 halves the map
  }
  return layers;
}

// ---- timing --------------------------------------------------------------------------------------

// Median seconds per call over `repeats` timings. The first call warms caches, the thread pool
// and the allocator; the second measures how many calls make one timing of kTimingSeconds.
double seconds_per_call(const std::function<void()>& call, int repeats) {
  call();
  auto start = bench::Clock::now();
  call();
  const double once = std::max(bench::seconds_since(start), 1e-9);
  const int calls = std::max(1, static_cast<int>(kTimingSeconds / once));
  std::vector<double> timings;
  for (int r = 0; r < repeats; ++r) {
    start = bench::Clock::now();
    for (int c = 0; c < calls; ++c) call();
    timings.push_back(bench::seconds_since(start) / calls);
  }
  return bench::median(timings);
}

// ---- one layer -----------------------------------------------------------------------------------

struct LayerTimes {  // seconds per call, the whole batch
  double forward, forward_backward;            // conv2d_forward (+ conv2d_backward)
  double gemm_forward, gemm_forward_backward;  // their products alone
};

// conv2d.cpp's split: the images over the threads when there are at least as many images as
// threads, else one after another with each product split over the threads.
void for_each_image(int64_t B, const std::function<void(int64_t, int64_t)>& body) {
  if (B >= num_threads())
    parallel_for(B, 1, body);
  else
    body(0, B);
}

// Image b of a contiguous [B, rows, n] tensor as a [rows, n] matrix.
Tensor image_matrix(const Tensor& t, int64_t b) { return t.narrow(0, b, 1).squeeze(0); }

LayerTimes time_layer(const ConvLayer& l, int repeats) {
  Generator generator(1);
  const Conv2dOptions same{1, 1};  // stride 1, padding 1
  const int64_t F = l.field(), L = l.cells();
  const Tensor x = uniform({l.B, l.C, l.H, l.W}, -1, 1, generator);
  const Tensor weight = uniform({l.O, l.C, kKernel, kKernel}, -1, 1, generator);
  const Tensor bias = uniform({l.O}, -1, 1, generator);
  const Tensor grad_y = uniform({l.B, l.O, l.H, l.W}, -1, 1, generator);

  LayerTimes t{};
  t.forward = seconds_per_call([&] { conv2d_forward(x, weight, bias, same); }, repeats);
  t.forward_backward = seconds_per_call(
      [&] {
        conv2d_forward(x, weight, bias, same);
        conv2d_backward(grad_y, x, weight, same);
      },
      repeats);

  // The products alone. One [F, L] matrix stands in for every image's columns: in conv2d.cpp
  // too each thread's columns are rewritten in place, image after image, and stay in cache.
  const Tensor w = weight.view({l.O, F});                 // [O, C K K]
  const Tensor w_t = w.transpose(0, 1);                   // [C K K, O]
  const Tensor cols = uniform({F, L}, -1, 1, generator);  // [C K K, H' W']
  const Tensor g = grad_y.view({l.B, l.O, L});            // [B, O, H' W']
  const Tensor y = Tensor::empty({l.B, l.O, L});          // [B, O, H' W']
  const Tensor dw_parts = Tensor::empty({l.B, l.O, F});   // [B, O, C K K]
  const auto forward_products = [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) matmul_into(w, cols, image_matrix(y, b));
  };
  const auto backward_products = [&](int64_t begin, int64_t end) {
    Tensor dcols = Tensor::empty({F, L});  // [C K K, H' W'], one per thread as in conv2d.cpp
    for (int64_t b = begin; b < end; ++b) {
      matmul_into(image_matrix(g, b), cols.transpose(0, 1), image_matrix(dw_parts, b));  // dw_b
      matmul_into(w_t, image_matrix(g, b), dcols);                                        // dcols
    }
  };
  t.gemm_forward = seconds_per_call([&] { for_each_image(l.B, forward_products); }, repeats);
  t.gemm_forward_backward = seconds_per_call(
      [&] {
        for_each_image(l.B, forward_products);
        for_each_image(l.B, backward_products);
      },
      repeats);
  return t;
}

// ---- the whole encoder ---------------------------------------------------------------------------

struct EncoderTimes {  // seconds per call
  double train;        // forward + backward of --batch images
  double infer;        // forward of --infer-batch images
};

EncoderTimes time_encoder(const EncoderPreset& p, int64_t batch, int64_t infer_batch,
                          int repeats) {
  Generator generator(1);
  CnnEncoder encoder(p.C, p.channels, p.pools, generator);
  const Variable images(uniform({batch, p.C, p.H, p.W}, 0, 1, generator));  // [B, C, H, W]
  const Variable few_images(uniform({infer_batch, p.C, p.H, p.W}, 0, 1, generator));
  const int64_t L = encoder.grid_size(p.H) * encoder.grid_size(p.W);
  const Tensor grad_a = uniform({batch, L, encoder.width()}, -1, 1, generator);  // [B, L, D]

  EncoderTimes t{};
  t.train = seconds_per_call(
      [&] {
        encoder.zero_grad();
        encoder.forward(images).backward(grad_a);
      },
      repeats);
  t.infer = seconds_per_call(
      [&] {
        NoGradGuard no_graph;
        encoder.forward(few_images);
      },
      repeats);
  return t;
}

// ---- the report ----------------------------------------------------------------------------------

double gflops(double flops, double seconds) { return flops / seconds / 1e9; }

void print_layer(const ConvLayer& l, const LayerTimes& t, bench::JsonLine& result) {
  const double f = l.forward_flops();
  std::printf("%-13s %3ld x %2ld x %2ld x %2ld -> %2ld  | %8.3f %8.1f %8.1f  | %8.3f %8.1f %8.1f\n",
              l.name.c_str(), static_cast<long>(l.B), static_cast<long>(l.C),
              static_cast<long>(l.H), static_cast<long>(l.W), static_cast<long>(l.O),
              t.forward * 1e3, gflops(f, t.forward), gflops(f, t.gemm_forward),
              t.forward_backward * 1e3, gflops(3 * f, t.forward_backward),
              gflops(3 * f, t.gemm_forward_backward));
  result.add(l.name + ".fwd_ms", t.forward * 1e3)
      .add(l.name + ".fwd_gflops", gflops(f, t.forward))
      .add(l.name + ".gemm_fwd_gflops", gflops(f, t.gemm_forward))
      .add(l.name + ".fb_ms", t.forward_backward * 1e3)
      .add(l.name + ".fb_gflops", gflops(3 * f, t.forward_backward))
      .add(l.name + ".gemm_fb_gflops", gflops(3 * f, t.gemm_forward_backward));
}

void print_encoder(const EncoderPreset& p, int64_t batch, int64_t infer_batch,
                   const EncoderTimes& t, bench::JsonLine& result) {
  std::printf("encoder %-5s  train B=%ld: %8.1f images/s (%8.2f ms)   infer B=%ld: %8.1f images/s "
              "(%7.3f ms)\n",
              p.name.c_str(), static_cast<long>(batch), batch / t.train, t.train * 1e3,
              static_cast<long>(infer_batch), infer_batch / t.infer, t.infer * 1e3);
  result.add("encoder." + p.name + ".train_images_s", batch / t.train)
      .add("encoder." + p.name + ".infer_images_s", infer_batch / t.infer);
}

int run(int argc, char** argv) {
  bench::Flags flags(argc, argv);
  const int threads = static_cast<int>(flags.get_int("threads", 2));
  const int64_t batch = flags.get_int("batch", 32);
  const int64_t infer_batch = flags.get_int("infer-batch", 1);
  const int repeats = static_cast<int>(flags.get_int("repeats", 7));
  flags.finish();
  if (threads < 1 || batch < 1 || infer_batch < 1 || repeats < 1)
    throw std::invalid_argument("--threads, --batch, --infer-batch and --repeats must be positive");
  set_num_threads(threads);

  std::printf("conv2d benchmark: attn, matmul back end = %s, threads %d, batch %ld; medians of %d "
              "timings\n\n",
              matmul_backend(), threads, static_cast<long>(batch), repeats);
  std::printf("%-13s %-24s  | %8s %8s %8s  | %8s %8s %8s\n", "layer", "  B x  C x  H x  W ->  O",
              "fwd ms", "GFLOP/s", "gemm", "f+b ms", "GFLOP/s", "gemm");
  bench::JsonLine result;
  result.add("impl", "attn").add("matmul_backend", matmul_backend()).add("threads", threads)
      .add("batch", batch).add("infer_batch", infer_batch);
  for (const EncoderPreset& preset : kPresets)
    for (const ConvLayer& layer : layers_of(preset, batch))
      print_layer(layer, time_layer(layer, repeats), result);
  std::printf("\n");
  for (const EncoderPreset& preset : kPresets)
    print_encoder(preset, batch, infer_batch,
                  time_encoder(preset, batch, infer_batch, repeats), result);
  std::printf("\npeak RSS %.0f MiB\n", bench::peak_rss_mib());
  result.add("peak_rss_mib", bench::peak_rss_mib());
  std::printf("RESULT %s\n", result.str().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::main_of("conv2d_bench", argc, argv, run); }
