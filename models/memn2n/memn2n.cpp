// End-to-end memory network: the hops, the tying and the one-step decoder (see memn2n.h).
#include "models/memn2n/memn2n.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "autograd/ops.h"
#include "models/seq2seq/special_tokens.h"
#include "nn/attention/attention.h"
#include "nn/attention/registry.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/index.h"
#include "tensor/random.h"
#include "tensor/reduce.h"

namespace attn {

Tensor position_encoding_weights(const Tensor& words, int64_t width) {
  const int64_t J = words.size(-1), sentences = words.numel() / std::max<int64_t>(J, 1);
  Shape shape = words.shape();
  shape.push_back(width);
  Tensor weights = Tensor::zeros(shape);  // [..., J, D]
  const real* ids = words.contiguous().data();
  real* l = weights.data();
  for (int64_t n = 0; n < sentences; ++n) {
    int64_t length = 0;  // the sentence's own J: words are left-aligned, padding after them
    while (length < J && ids[n * J + length] != special_tokens::pad) ++length;
    for (int64_t j = 1; j <= length; ++j)
      for (int64_t k = 1; k <= width; ++k) {
        const double word = static_cast<double>(j) - static_cast<double>(length + 1) / 2;
        const double component = static_cast<double>(k) - static_cast<double>(width + 1) / 2;
        l[(n * J + j - 1) * width + k - 1] = static_cast<real>(
            1 + 4 * component * word / static_cast<double>(width * length));
      }
  }
  return weights;
}

namespace {

// What the decoder keeps between encode() and its one step.
struct MemN2NState : DecoderState {
  Variable answer_features;  // u^{K+1} [N, D]
  Tensor hop_weights;        // [N, K, S]
  bool answered = false;
  void reorder(const Tensor& rows) override {
    answer_features = index_select(answer_features, 0, rows);
    hop_weights = index_select(hop_weights, 0, rows);
  }
};

// A word embedding ~ N(0, std), its <pad> row zero: padded words add nothing to a sentence.
Tensor word_embedding(int64_t vocabulary, int64_t width, real stddev, Generator& generator) {
  Tensor weight = normal({vocabulary, width}, 0, stddev, generator);  // [V, D]
  std::fill(weight.data() + special_tokens::pad * width,
            weight.data() + (special_tokens::pad + 1) * width, real(0));
  return weight;
}

}  // namespace

MemN2N::MemN2N(const MemN2NConfig& config) : config_(config), generator_(config.seed) {
  const int64_t V = config.target_vocab, D = config.embedding, K = config.hops;
  const real stddev = config.init_std;
  if (config.tying == WeightTying::adjacent) {
    for (int64_t e = 0; e <= K; ++e)
      embeddings_.push_back(register_parameter("embedding." + std::to_string(e),
                                               word_embedding(V, D, stddev, generator_)));
    if (config.temporal)
      for (int64_t e = 0; e <= K; ++e)
        times_.push_back(register_parameter("temporal." + std::to_string(e),
                                            normal({config.memory_size, D}, 0, stddev, generator_)));
  } else {
    for (const char* name : {"input", "output", "question", "answer"})
      embeddings_.push_back(register_parameter(std::string("embedding.") + name,
                                               word_embedding(V, D, stddev, generator_)));
    if (config.temporal)
      for (const char* name : {"input", "output"})
        times_.push_back(register_parameter(std::string("temporal.") + name,
                                            normal({config.memory_size, D}, 0, stddev, generator_)));
    mapping_ = register_parameter("mapping", normal({D, D}, 0, stddev, generator_));
  }
  for (int64_t k = 0; k < K; ++k) {
    ScoreSpec spec;
    spec.query_dim = spec.key_dim = D;
    spec.seed = generator_.next_u64();
    scores_.push_back(make_score_function(config.score, spec));
    register_module("hops." + std::to_string(k), *scores_.back());
  }
}

MemN2N::HopWeights MemN2N::hop(int64_t k) const {
  const bool adjacent = config_.tying == WeightTying::adjacent;
  const size_t in = adjacent ? static_cast<size_t>(k) : 0, out = in + 1;  // A^k = E^k, C^k = E^{k+1}
  HopWeights w{embeddings_[in], embeddings_[out], {}, {}};
  if (config_.temporal) {
    w.input_time = times_[in];
    w.output_time = times_[out];
  }
  return w;
}

Tensor MemN2N::word_weights(const Tensor& words) const {
  // 0 for padding in either case, so that no padded word counts even if the <pad> row were not
  // zero.
  return config_.encoding == SentenceEncoding::position
             ? position_encoding_weights(words, config_.embedding)           // [..., J, D]
             : ne(words, Tensor::scalar(special_tokens::pad)).unsqueeze(-1);  // [..., J, 1]
}

Variable MemN2N::embed_sentences(const Variable& embedding, const Tensor& words,
                                 const Tensor& weights, const Variable& time,
                                 const Tensor& distances) const {
  Variable x = attn::embedding(embedding, words, special_tokens::pad);  // [..., J, D]
  x = x * Variable(weights);  // [..., J, D]
  Variable sentences = sum(x, x.ndim() - 2);  // [..., D]
  if (time.defined()) {
    const Variable t = index_select(time, 0, distances.reshape({distances.numel()}));
    sentences = sentences + reshape(t, sentences.shape());  // [..., D]
  }
  return sentences;
}

Tensor MemN2N::distances(const Tensor& mask) {
  const int64_t B = mask.size(0), S = mask.size(1);
  Tensor distance = Tensor::zeros({B, S});  // [B, S]
  const Tensor real_slots = mask.contiguous();
  const bool noise = is_training() && config_.random_noise > 0;
  for (int64_t b = 0; b < B; ++b) {
    int64_t n = 0;
    while (n < S && real_slots.data()[b * S + n] != 0) ++n;
    // RN: place the n sentences at n of n + blanks distances, as if `blanks` empty sentences
    // had been told among them.
    int64_t blanks = 0;
    if (noise) {
      const int64_t most = std::min<int64_t>(
          static_cast<int64_t>(std::ceil(config_.random_noise * static_cast<double>(n))),
          config_.memory_size - n);
      blanks = static_cast<int64_t>(generator_.next_u64() % static_cast<uint64_t>(most + 1));
    }
    std::vector<int64_t> places(static_cast<size_t>(n + blanks));
    for (size_t i = 0; i < places.size(); ++i) places[i] = static_cast<int64_t>(i);
    for (size_t i = places.size(); noise && i > 1; --i)  // Fisher-Yates, then keep n of them
      std::swap(places[i - 1], places[generator_.next_u64() % i]);
    places.resize(static_cast<size_t>(n));
    std::sort(places.begin(), places.end());
    for (int64_t i = 0; i < n; ++i)  // the newest sentence (slot n - 1) is nearest
      distance.data()[b * S + i] = static_cast<real>(places[static_cast<size_t>(n - 1 - i)]);
  }
  return distance;
}

Tensor MemN2N::empty_slots(const Tensor& mask) const {
  const Tensor filled = sum(ne(mask, Tensor::scalar(0)), 1);  // [B, S] -> [B]
  const Tensor size = Tensor::full({mask.size(0)}, static_cast<real>(config_.memory_size));
  return sub(size, filled);  // [B]
}

Reading MemN2N::read(const Source& source) {
  const Tensor& story = source.input;  // [B, S, J]
  check(story.ndim() == 3 && source.query.defined() && source.query.ndim() == 2 &&
            source.query.size(0) == story.size(0),
        "memn2n", [&] {
          return "takes a story [B, S, J] and a question [B, J], got " + to_string(story.shape()) +
                 " and " + (source.query.defined() ? to_string(source.query.shape()) : "none");
        });
  check(story.size(1) <= config_.memory_size, "memn2n", [&] {
    return "the story has " + std::to_string(story.size(1)) + " sentences, more than memory_size " +
           std::to_string(config_.memory_size);
  });
  const Tensor mask = source.mask.defined() ? source.mask : Tensor::ones({story.size(0), story.size(1)});
  const Tensor distance = distances(mask);  // [B, S]
  const Tensor empty = config_.empty_slots ? empty_slots(mask) : Tensor();  // [B]
  const bool adjacent = config_.tying == WeightTying::adjacent;
  const Variable question = adjacent ? embeddings_[0] : embeddings_[2];  // B = A^1, or its own

  Reading reading;
  const Tensor story_weights = word_weights(story);  // [B, S, J, D or 1], the same in every hop
  Variable u =
      embed_sentences(question, source.query, word_weights(source.query), {}, {});  // u^1 [B, D]
  Variable input_memory;  // m^k [B, S, D]; under adjacent tying it is the previous hop's c
  std::vector<Variable> weights;
  for (int64_t k = 0; k < config_.hops; ++k) {
    const HopWeights w = hop(k);
    if (k == 0 || !adjacent)
      input_memory = embed_sentences(w.input, story, story_weights, w.input_time, distance);
    const Variable output_memory =
        embed_sentences(w.output, story, story_weights, w.output_time, distance);
    if (k == 0) reading.memory = input_memory;
    AttentionOptions options;
    options.mask = mask;
    options.softmax = !config_.linear;
    options.empty_slots = empty;
    ScoreFunction& score = *scores_[static_cast<size_t>(k)];
    const AttentionResult read = attend_one(score, u, score.prepare_keys(input_memory),
                                            output_memory, options);  // o^k [B, D], p^k [B, S]
    u = adjacent ? u + read.context : matmul(u, transpose(mapping_, 0, 1)) + read.context;
    weights.push_back(read.weights);
    input_memory = output_memory;  // A^{k+1} = C^k
  }
  reading.answer_features = u;                 // u^{K+1} [B, D]
  reading.hop_weights = stack(weights, 1);     // [B, K, S]
  return reading;
}

Variable MemN2N::answer_logits(const Variable& features) const {
  const Variable& W = config_.tying == WeightTying::adjacent ? embeddings_.back()  // W^T = C^K
                                                               : embeddings_[3];
  return matmul(features, transpose(W, 0, 1));  // [..., D] @ [D, V] -> [..., V]
}

Memory MemN2N::encode(const Source& source) {
  const Reading reading = read(source);
  return {reading.memory, source.mask, {reading.answer_features, reading.hop_weights}};
}

std::unique_ptr<DecoderState> MemN2N::start(const Memory& memory) {
  check(memory.final_states.size() == 2, "memn2n", "start() takes the memory encode() returned");
  auto state = std::make_unique<MemN2NState>();
  state->answer_features = memory.final_states[0];
  state->hop_weights = memory.final_states[1].value();
  return state;
}

Step MemN2N::step(const Tensor& tokens, DecoderState& decoder_state) {
  auto& state = dynamic_cast<MemN2NState&>(decoder_state);
  check(!state.answered, "memn2n", "a memory network answers in one word; there is no second step");
  check(tokens.ndim() == 1 && tokens.size(0) == state.answer_features.size(0), "memn2n",
        [&] { return "step takes one token per row [N], got " + to_string(tokens.shape()); });
  state.answered = true;
  return {answer_logits(state.answer_features), state.hop_weights.unsqueeze(2)};  // [N, V], [N, K, 1, S]
}

Variable MemN2N::forward(const Source& source, const Tensor& target_in) {
  check(target_in.ndim() == 2 && target_in.size(1) == 1 && target_in.size(0) == source.batch(),
        "memn2n", [&] {
          return "answers in one word: target_in must be [B, 1], got " +
                 to_string(target_in.shape());
        });
  return unsqueeze(answer_logits(read(source).answer_features), 1);  // [B, 1, V]
}

}  // namespace attn
