// The shared part of examples 04, 05 and 07 (see toy_example.h).
#include "examples/toy_example.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "models/decoding/greedy.h"
#include "models/rnn/rnn_config.h"
#include "models/transformer/transformer.h"
#include "nn/attention/registry.h"
#include "tensor/reduce.h"
#include "train/report/text_heatmap.h"

namespace attn {

namespace {

// Prints the usage line and exits: to stdout with status 0 when asked for (--help), else to
// stderr after the problem, with status 2.
[[noreturn]] void usage(const char* program, const std::string& problem) {
  std::string scores;
  for (const ScoreEntry& entry : score_functions())
    scores += (scores.empty() ? "" : "|") + entry.name;
  std::FILE* out = problem.empty() ? stdout : stderr;
  if (!problem.empty()) std::fprintf(out, "%s: %s\n", program, problem.c_str());
  std::fprintf(out,
               "usage: %s [--arch transformer|rnn] [--score %s] [--steps N] [--seed N] "
               "[--norm pre|post]\n",
               program, scores.c_str());
  std::exit(problem.empty() ? 0 : 2);
}

// A whole decimal number >= minimum, or usage().
int64_t parse_count(const char* program, const std::string& flag, const std::string& text,
                    int64_t minimum) {
  size_t used = 0;
  int64_t value = -1;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < minimum)
    usage(program, flag + " needs a whole number >= " + std::to_string(minimum) + ", got '" +
                       text + "'");
  return value;
}

// Token id -> what the pictures show: symbols as letters a, b, c, ...
std::string token_name(real id) {
  const auto token = static_cast<int64_t>(id);
  if (token == Vocabulary::eos) return "$";
  if (token == Vocabulary::bos) return "^";
  if (token == Vocabulary::pad) return "_";
  return std::string(1, static_cast<char>('a' + token - ToyTask::first_symbol));
}

// Row `row` of a [B, L] token tensor up to its first <eos> (included) or <pad>, as names.
std::vector<std::string> token_names(const Tensor& tokens, int64_t row) {
  std::vector<std::string> names;
  for (int64_t t = 0; t < tokens.size(1); ++t) {
    const real id = tokens.at({row, t});
    if (id == Vocabulary::pad) break;
    names.push_back(token_name(id));
    if (id == Vocabulary::eos) break;
  }
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += name;
  return out;
}

}  // namespace

ToyExampleOptions parse_toy_options(int argc, char** argv, const ToyExampleOptions& defaults) {
  ToyExampleOptions options = defaults;
  const char* program = argv[0];
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") usage(program, "");
    if (i + 1 >= argc) usage(program, flag + " needs a value");
    const std::string value = argv[i + 1];
    if (flag == "--arch") {
      if (value != "transformer" && value != "rnn") usage(program, "--arch is transformer or rnn");
      options.arch = value;
    } else if (flag == "--score") {
      try {
        check_score_name(value);
      } catch (const std::exception& error) {
        usage(program, error.what());
      }
      options.score = value;
    } else if (flag == "--steps") {
      options.steps = parse_count(program, flag, value, 1);
    } else if (flag == "--seed") {
      options.seed = static_cast<uint64_t>(parse_count(program, flag, value, 0));
    } else if (flag == "--norm") {
      if (value != "pre" && value != "post") usage(program, "--norm is pre or post");
      options.norm = value == "pre" ? NormPlacement::pre : NormPlacement::post;
    } else {
      usage(program, "unknown argument '" + flag + "'");
    }
  }
  return options;
}

std::unique_ptr<ModelConfig> toy_model_config(const ToyTask& task,
                                              const ToyExampleOptions& options) {
  std::unique_ptr<ModelConfig> model;
  if (options.arch == "rnn") {
    auto config = std::make_unique<RnnConfig>();  // Bahdanau's model (models/rnn/bahdanau.h)
    config->embedding = 32;
    config->hidden = 64;
    config->dropout = 0;  // every batch is fresh, so there is nothing to overfit: it only slows
    if (!options.score.empty()) config->score = options.score;
    model = std::move(config);
  } else {
    auto config = std::make_unique<TransformerConfig>();
    config->d_model = 64;
    config->heads = 4;
    config->d_ff = 128;
    config->encoder_layers = 1;
    config->decoder_layers = 1;
    config->dropout = 0;
    if (!options.score.empty()) config->score = options.score;
    config->norm = options.norm;
    model = std::move(config);
  }
  model->source_vocab = task.vocabulary_size();
  model->target_vocab = task.vocabulary_size();
  model->max_length = task.max_length + 2;  // the target with <bos> or <eos>
  model->seed = options.seed;
  return model;
}

void train_with_progress(Seq2Seq& model, int64_t model_width, const ToyTask& task,
                         const ToyTrainingOptions& training) {
  const auto start = std::chrono::steady_clock::now();
  const int64_t every = std::max<int64_t>(1, training.steps / 10);
  train_toy_task(model, model_width, task, training, [&](int64_t step, real loss) {
    if (step % every != 0 && step != 1) return;
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    std::printf("step %5lld  loss %.4f  (%.1f s)\n", static_cast<long long>(step),
                static_cast<double>(loss), elapsed.count());
    std::fflush(stdout);
  });
}

void print_predictions(Seq2Seq& model, const ToyTask& task, int64_t count, Generator& generator) {
  const Batch batch = toy_batch(task, count, generator);
  GreedyOptions greedy;
  greedy.max_length = task.max_length + 1;
  const Tensor decoded = greedy_decode(model, batch.source, greedy).tokens;  // [B, L]
  for (int64_t row = 0; row < count; ++row) {
    const std::string source = joined(token_names(batch.source.input, row));
    const std::string expected = joined(token_names(batch.target_out, row));
    const std::string got = joined(token_names(decoded, row));
    std::printf("  %-12s -> %-13s %s\n", source.c_str(), got.c_str(),
                got == expected ? "ok" : ("WRONG, expected " + expected).c_str());
  }
}

void print_cross_attention(Seq2Seq& model, const ToyTask& task, Generator& generator) {
  const Batch batch = toy_batch(task, 1, generator);
  GreedyOptions greedy;
  greedy.max_length = task.max_length + 1;
  greedy.keep_attention = true;  // row t: the attention that produced output token t
  const Decoded decoded = greedy_decode(model, batch.source, greedy);
  const int64_t length = static_cast<int64_t>(token_names(decoded.tokens, 0).size());
  if (length == 0) {
    std::printf("cross-attention: nothing was decoded\n");
    return;
  }
  // [1, L, layers, heads, S] -> the last layer's mean over heads, first `length` rows: [length, S]
  const Tensor steps = decoded.attention.squeeze(0).narrow(0, 0, length);
  const int64_t last = steps.size(1) - 1;
  const Tensor weights = mean(steps.narrow(1, last, 1).squeeze(1), 1);
  std::printf(
      "cross-attention, layer %lld, mean over heads (source across, output down):\n%s",
      static_cast<long long>(last),
      text_heatmap(weights, token_names(decoded.tokens, 0), token_names(batch.source.input, 0))
          .c_str());
}

int run_toy_example(const std::string& name, const ToyTask& task,
                    const ToyExampleOptions& defaults, int argc, char** argv) {
  const ToyExampleOptions options = parse_toy_options(argc, argv, defaults);
  const std::unique_ptr<ModelConfig> config = toy_model_config(task, options);
  const std::unique_ptr<Seq2Seq> model = config->build();
  Settings settings = config->settings();
  std::printf("%s: %s, %lld parameters, score %s, %lld steps\n", name.c_str(),
              options.arch.c_str(), static_cast<long long>(model->parameter_count()),
              find_setting(settings, "score", options.arch).get().c_str(),
              static_cast<long long>(options.steps));

  ToyTrainingOptions training;
  training.steps = options.steps;
  training.data_seed = options.seed;
  train_with_progress(*model, config->model_width(), task, training);

  Generator fresh(options.seed + 1000);  // strings the model has not trained on
  std::printf("greedy predictions of fresh strings:\n");
  print_predictions(*model, task, 6, fresh);
  print_cross_attention(*model, task, fresh);
  const ToyScore score = evaluate_toy_task(*model, task, 1000, fresh);
  std::printf("exact sequences %.1f%%\n", 100 * score.sequence_accuracy());
  std::printf("%s: token accuracy %.1f%%\n", name.c_str(), 100 * score.token_accuracy());
  return score.token_accuracy() >= 0.99 ? 0 : 1;
}

}  // namespace attn
