// Learning: a small Transformer, trained from a fixed seed for a fixed number of steps, must
// solve the copy and reverse tasks (train/data/toy_tasks.h, train/toy_training.h) on sequences it
// has never seen.
//
// The measure is honest: greedy decoding from <bos> alone, scored per token (symbols and <eos>)
// against the reference, on 500 fresh random sequences. Teacher-forced accuracy would pass a
// model that cannot generate; 10^5 .. 10^10 possible sequences leave nothing to memorise.
//
// The model: D 32, 2 heads, F 64, one encoder and one decoder layer, no dropout (every batch is
// fresh: there is nothing to overfit). Adam with the Noam schedule peaking at 3e-3 after 100
// steps, batches of 32, label smoothing 0.1; 600 steps to copy, 1000 to reverse. About 9 s
// (copy) and 14 s (reverse) of one core in a float32 Release build, a little more in float64.
//
// When the full budget runs (the rule):
//   optimised build (__OPTIMIZE__), no sanitizer       the full run, >= 99% token accuracy
//   unoptimised, or ASan/UBSan (CI's sanitize build)   a 30-step smoke run through the same
//                                                      code, which must lower the loss: memory
//                                                      and UB checks of the whole training path
//                                                      at a tenth of the cost
// float32 and float64 both run the full budget.
#include <doctest/doctest.h>

#include <string>

#include "models/transformer/transformer.h"
#include "train/toy_training.h"

using namespace attn;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

#if defined(__OPTIMIZE__)
constexpr bool kOptimised = true;
#else
constexpr bool kOptimised = false;
#endif

constexpr bool kFullBudget = kOptimised && !kSanitized;

TransformerConfig learner_config(const ToyTask& task, NormPlacement norm,
                                 const std::string& score) {
  TransformerConfig config;
  config.score = score;
  config.source_vocab = task.vocabulary_size();
  config.target_vocab = task.vocabulary_size();
  config.d_model = 32;
  config.heads = 2;
  config.d_ff = 64;
  config.encoder_layers = 1;
  config.decoder_layers = 1;
  config.dropout = 0;
  config.norm = norm;
  config.max_length = task.max_length + 2;  // the target with <bos> or <eos>
  config.seed = 1;
  return config;
}

ToyTrainingOptions training(int64_t full_steps) {
  ToyTrainingOptions options;
  options.steps = kFullBudget ? full_steps : 30;
  options.batch_size = 32;
  options.peak_learning_rate = 3e-3;
  options.warmup_steps = kFullBudget ? 100 : 10;
  options.data_seed = 1;
  return options;
}

// Trains on `task` and checks the greedy token accuracy on fresh sequences (or, in a smoke run,
// that the loss fell from its start and that greedy decoding runs).
void check_learns(ToyTaskKind kind, NormPlacement norm, int64_t full_steps,
                  const std::string& score_name = "scaled_dot") {
  ToyTask task;  // 10 symbols, lengths 5..10
  task.kind = kind;
  Transformer model(learner_config(task, norm, score_name));
  real first_loss = 0;
  const real final_loss = train_toy_task(model, model.config().d_model, task, training(full_steps),
                                         [&](int64_t step, real loss) {
                                           if (step == 1) first_loss = loss;
                                         });
  Generator fresh(12345);  // not the training data's seed
  if (!kFullBudget) {
    MESSAGE("unoptimised or sanitizer build: a 30-step smoke run, not the full learning test");
    CHECK(final_loss < first_loss * real(0.8));
    CHECK(evaluate_toy_task(model, task, 20, fresh).total_sequences == 20);
    return;
  }
  const ToyScore score = evaluate_toy_task(model, task, 500, fresh);
  const std::string task_name = to_string(kind);
  INFO(task_name << ": token accuracy " << 100 * score.token_accuracy() << "%, exact "
                 << 100 * score.sequence_accuracy() << "%, final loss " << final_loss);
  CHECK(score.token_accuracy() >= 0.99);
}

}  // namespace

TEST_CASE("learning: a post-LN Transformer learns to copy fresh sequences, >= 99% greedy tokens") {
  check_learns(ToyTaskKind::copy, NormPlacement::post, 600);
}

TEST_CASE("learning: a pre-LN Transformer learns to copy fresh sequences, >= 99% greedy tokens") {
  check_learns(ToyTaskKind::copy, NormPlacement::pre, 600);
}

TEST_CASE("learning: a Transformer learns to reverse fresh sequences, >= 99% greedy tokens") {
  check_learns(ToyTaskKind::reverse, NormPlacement::post, 1000);
}

// The position-aware and the looking-back score, trained and decoded (greedily, through the
// decoder's cache) like the paper's: they must learn the tasks, not just pass the gradient checks.
TEST_CASE("learning: with ALiBi, a Transformer learns to reverse fresh sequences") {
  check_learns(ToyTaskKind::reverse, NormPlacement::post, 1000, "alibi");
}

TEST_CASE("learning: with location-aware attention, a Transformer learns to copy fresh sequences") {
  check_learns(ToyTaskKind::copy, NormPlacement::post, 600, "location_aware:filters=4,width=5");
}

TEST_CASE(
    "learning: with location-aware attention, a Transformer learns to reverse fresh "
    "sequences") {
  check_learns(ToyTaskKind::reverse, NormPlacement::post, 1000, "location_aware:filters=4,width=5");
}
