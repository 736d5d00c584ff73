// rnn_seq2seq_bench: how fast does attn train and decode Bahdanau's recurrent model, next to
// PyTorch?
//
// The workload of the PyTorch reference /work/shared/bench/torch_rnn_seq2seq_train.py, so the
// two can be run alternately and compared as a ratio (bench/README.md):
//
//   model      the PyTorch tutorial's Bahdanau model (bentrevett/pytorch-seq2seq, notebook 3):
//              embedding -> dropout -> 1-layer bidirectional GRU (enc_hid per direction);
//              s_0 = tanh(W [->h_S; <-h_1]); additive attention on s_{t-1}; decoder GRU over
//              [Embed(y_{t-1}); c_t]; logits = W_out [s_t; c_t; Embed(y_{t-1})].
//              In attn: --arch rnn --attention bahdanau --initial-state last --encoder-hidden
//              enc_hid --hidden dec_hid --embedding emb (models/rnn/bahdanau.h). Two small
//              differences, both in the parameter count the RESULT line reports: the script's
//              attention layer has a bias (attn's additive score, as the paper's, has none),
//              and attn also applies dropout to the output layer's input.
//   configs    rnn        vocab 8000, emb 256, enc_hid 512, dec_hid 512, dropout 0.5
//              rnn-small  vocab 8000, emb 128, enc_hid 256, dec_hid 256, dropout 0.2
//              batch 64, source and target length 24
//   training   4 random batches cycled (bench/random_batch.h); cross-entropy ignoring PAD, no
//              label smoothing; Adam lr 1e-3; gradient norm clipped at 1.0; teacher forcing
//   decoding   --mode decode: greedy, --batch rows, 32 generated tokens each, never stopping at EOS
//
// Timed as the script: a whole training step (forward, loss, backward, clipping, Adam, reading
// the loss) or a whole decode, median over --steps after --warmup untimed ones:
//   training tokens/s = non-PAD labels per step / median step time
//   decoding tokens/s = batch * 32 / median decode time
//
// Run:  build/bench/rnn_seq2seq_bench --config rnn|rnn-small --threads 2 [--mode decode --batch 1]
//         [--steps 12] [--warmup 3] [--pad-frac 0] [--seed 0] [--tag T]
// Prints one line "RESULT {json}" (the script's field names), then a one-line summary.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/random_batch.h"
#include "models/decoding/greedy.h"
#include "models/rnn/rnn_config.h"
#include "tensor/matmul.h"
#include "tensor/thread_pool.h"
#include "train/optim/adam.h"
#include "train/step.h"

using namespace attn;

namespace {

// The script's CONFIGS.
struct BenchConfig {
  std::string name;
  int64_t vocab, emb, enc_hid, dec_hid;
  double dropout;
  int64_t batch, source_length, target_length;
};

BenchConfig find_config(const std::string& name) {
  const std::vector<BenchConfig> configs = {
      {"rnn", 8000, 256, 512, 512, 0.5, 64, 24, 24},
      {"rnn-small", 8000, 128, 256, 256, 0.2, 64, 24, 24},
  };
  for (const BenchConfig& c : configs)
    if (c.name == name) return c;
  throw std::invalid_argument("--config must be rnn or rnn-small, got '" + name + "'");
}

RnnConfig model_config(const BenchConfig& c, uint64_t seed) {
  RnnConfig config;
  config.apply_attention_defaults(RnnAttention::bahdanau);
  config.initial_state = InitialState::last;  // the tutorial's s_0 from both directions
  config.source_vocab = config.target_vocab = c.vocab;
  config.embedding = c.emb;
  config.encoder_hidden = c.enc_hid;
  config.hidden = c.dec_hid;
  config.dropout = static_cast<real>(c.dropout);
  config.seed = seed;
  return config;
}

struct Timing {
  std::vector<double> seconds, tokens;
  double loss_first = 0, loss_last = 0;
};

Timing time_training(Seq2Seq& model, const BenchConfig& c, int warmup, int steps,
                     double pad_fraction, uint64_t seed) {
  model.train();
  AdamOptions adam;
  adam.learning_rate = 1e-3;
  Adam optimizer(model.named_parameters(), adam);
  const ConstantSchedule schedule(1e-3);
  StepOptions step_options;
  step_options.label_smoothing = 0;
  step_options.clip_norm = 1.0;
  Generator data(seed);
  std::vector<Batch> batches;
  for (int i = 0; i < 4; ++i)
    batches.push_back(bench::random_batch(c.batch, c.source_length, c.target_length, c.vocab,
                                          data, pad_fraction));
  Timing timing;
  for (int i = 0; i < warmup + steps; ++i) {
    const Batch& batch = batches[static_cast<size_t>(i) % batches.size()];
    const auto start = bench::Clock::now();
    const double loss = train_step(model, batch, optimizer, schedule, i + 1, step_options).loss;
    const double seconds = bench::seconds_since(start);
    if (i < warmup) continue;
    if (timing.seconds.empty()) timing.loss_first = loss;
    timing.loss_last = loss;
    timing.seconds.push_back(seconds);
    timing.tokens.push_back(static_cast<double>(batch.target_tokens));
  }
  return timing;
}

Timing time_decoding(Seq2Seq& model, const BenchConfig& c, int64_t batch, int warmup, int steps) {
  constexpr int64_t kGenerated = 32;
  Generator g(1);
  const Source source = token_source(bench::random_source(batch, c.source_length, c.vocab, g));
  GreedyOptions greedy;
  greedy.max_length = kGenerated;
  greedy.bos = bench::kBos;
  greedy.eos = -1;  // no token id is -1: every row generates all 32 tokens
  Timing timing;
  for (int i = 0; i < warmup + steps; ++i) {
    const auto start = bench::Clock::now();
    const Tensor out = greedy_decode(model, source, greedy).tokens;  // [batch, 32]
    const double seconds = bench::seconds_since(start);
    if (out.size(1) != kGenerated) throw std::runtime_error("greedy_decode stopped early");
    if (i < warmup) continue;
    timing.seconds.push_back(seconds);
    timing.tokens.push_back(static_cast<double>(batch * kGenerated));
  }
  return timing;
}

int run(int argc, char** argv) {
  bench::Flags flags(argc, argv);
  const BenchConfig c = find_config(flags.get_string("config", "rnn"));
  const int threads = static_cast<int>(flags.get_int("threads", 1));
  const std::string mode = flags.get_string("mode", "train");
  if (mode != "train" && mode != "decode")
    throw std::invalid_argument("--mode must be train or decode, got '" + mode + "'");
  const bool decode = mode == "decode";
  const int64_t decode_batch = flags.get_int("batch", c.batch);
  const int warmup = static_cast<int>(flags.get_int("warmup", decode ? 2 : 3));
  const int steps = static_cast<int>(flags.get_int("steps", decode ? 7 : 12));
  const double pad_fraction = flags.get_double("pad-frac", 0.0);
  const uint64_t seed = static_cast<uint64_t>(flags.get_int("seed", 0));
  const std::string tag = flags.get_string("tag", "");
  flags.finish();
  if (steps < 1 || warmup < 0 || threads < 1 || decode_batch < 1)
    throw std::invalid_argument("need --steps >= 1, --warmup >= 0, --threads >= 1, --batch >= 1");
  set_num_threads(threads);

  const std::unique_ptr<Seq2Seq> model = model_config(c, seed).build();
  const Timing timing = decode ? time_decoding(*model, c, decode_batch, warmup, steps)
                               : time_training(*model, c, warmup, steps, pad_fraction, seed);
  const double median = bench::median(timing.seconds);
  double tokens = 0;
  for (double t : timing.tokens) tokens += t / static_cast<double>(timing.tokens.size());

  bench::JsonLine result;
  result.add("impl", "attn").add("tag", tag).add("config", c.name)
      .add("mode", decode ? "decode" : "train").add("threads", threads)
      .add("matmul_backend", matmul_backend()).add("vocab", c.vocab).add("emb", c.emb)
      .add("enc_hid", c.enc_hid).add("dec_hid", c.dec_hid).add("dropout", c.dropout)
      .add("batch", decode ? decode_batch : c.batch).add("src_len", c.source_length)
      .add("tgt_len", c.target_length).add("pad_frac", pad_fraction)
      .add("params", static_cast<long>(model->parameter_count()))
      .add("step_s_median", median).add("step_s_min", bench::min_of(timing.seconds))
      .add("step_s_max", bench::max_of(timing.seconds)).add("tok_s_median", tokens / median)
      .add("peak_rss_mib", bench::peak_rss_mib());
  if (!decode) result.add("loss_first", timing.loss_first).add("loss_last", timing.loss_last);
  std::printf("RESULT %s\n", result.str().c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "# attn %s %s threads=%d batch=%ld: %.0f tok/s (%.1f ms), peak RSS %.0f MiB\n",
               c.name.c_str(), decode ? "decode" : "train", threads,
               static_cast<long>(decode ? decode_batch : c.batch), tokens / median, median * 1e3,
               bench::peak_rss_mib());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return bench::main_of("rnn_seq2seq_bench", argc, argv, run); }
