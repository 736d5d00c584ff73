// The memory network's settings and sizes (see memn2n_config.h).
#include "models/memn2n/memn2n_config.h"

#include "models/memn2n/memn2n.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"

namespace attn {

namespace {

struct Sizes {
  const char* name;
  int64_t embedding, hops, memory_size;
};

constexpr Sizes kPresets[] = {
    {"micro", 8, 2, 10},   // tests
    {"paper", 20, 3, 50},  // single task (§4.2)
    {"joint", 50, 3, 50},  // all 20 tasks in one model (§4.2)
};

}  // namespace

std::vector<std::string> MemN2NConfig::presets() const { return preset_names(kPresets); }

void MemN2NConfig::apply_preset(const std::string& name) {
  const Sizes& sizes = find_preset(kPresets, name, "memn2n");
  embedding = sizes.embedding;
  hops = sizes.hops;
  memory_size = sizes.memory_size;
}

Settings MemN2NConfig::settings() {
  Settings all = common_settings();
  const Settings own = {
      integer_setting("embedding", embedding, "embedding width D (paper: 20; joint: 50)", 1, 4096),
      integer_setting("hops", hops, "memory hops K", 1, 20),
      integer_setting("memory_size", memory_size, "the most recent sentences kept in memory", 1,
                      1 << 16),
      flag_setting("empty_slots", empty_slots,
                   "the empty memory slots take part in the softmax with score 0 (the reference "
                   "code's fixed-size memory)"),
      choice_setting("encoding", encoding, "sentence representation (§4.1)",
                     {{"bow", SentenceEncoding::bag_of_words},
                      {"pe", SentenceEncoding::position}}),
      flag_setting("temporal", temporal, "temporal encoding T_A, T_C (§4.1)"),
      number_setting("random_noise", random_noise,
                     "share of empty memories added in training (RN, §4.1; 0: off)", 0, 1),
      choice_setting("tying", tying, "weights shared between hops (§2.2)",
                     {{"adjacent", WeightTying::adjacent}, {"layerwise", WeightTying::layerwise}}),
      flag_setting("linear", linear, "memory layers without softmax (set by linear start)")
          .made_internal(),
      score_setting(score, "score function NAME[:key=value,...] of u and each memory"),
      number_setting("init_std", init_std, "initial weights ~ N(0, init_std) (§4.2)", 1e-6, 10),
  };
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

void MemN2NConfig::check() const {
  attn::check(source_vocab == target_vocab, "memn2n",
              "stories, questions and answers share one vocabulary; got " +
                  std::to_string(source_vocab) + " and " + std::to_string(target_vocab));
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = embedding;
  make_score_function(score, spec);  // throws naming the score if it cannot serve D-wide vectors
}

std::unique_ptr<ModelConfig> MemN2NConfig::clone() const {
  return std::make_unique<MemN2NConfig>(*this);
}

std::unique_ptr<Seq2Seq> MemN2NConfig::build() const {
  check();
  return std::make_unique<MemN2N>(*this);
}

int64_t MemN2NConfig::parameter_count() const {
  const int64_t V = target_vocab, D = embedding, K = hops;
  const bool adjacent = tying == WeightTying::adjacent;
  const int64_t embeddings = adjacent ? K + 1 : 4;  // E^0..E^K, or A, C, B, W
  const int64_t times = temporal ? (adjacent ? K + 1 : 2) : 0;
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = D;
  const int64_t score = make_score_function(this->score, spec)->parameter_count();
  return embeddings * V * D + times * memory_size * D + (adjacent ? 0 : D * D) + K * score;
}

}  // namespace attn
