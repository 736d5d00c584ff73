// Beam search with the GNMT length penalty, batched over sentences (see beam_search.h).
//
// Rows: sentence b owns decoder rows b*K .. b*K+K-1, one per hypothesis. After each step the
// K surviving extensions may descend from any of the K parents, so the decoder's state is
// reordered to follow them (DecoderState::reorder).
#include "models/decoding/beam_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "tensor/error.h"
#include "tensor/index.h"
#include "tensor/softmax.h"

namespace attn {

namespace {

constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

// lp(Y) = ((5 + |Y|) / 6)^alpha   (Wu et al. 2016, §7)
double length_penalty(int64_t length, double alpha) {
  return std::pow((5.0 + static_cast<double>(length)) / 6.0, alpha);
}

struct Hypothesis {
  std::vector<int64_t> tokens;  // generated so far, <bos> excluded
  double score = kMinusInf;     // log p(tokens | source)
};

struct Finished {
  std::vector<int64_t> tokens;  // ends with <eos>, unless max_length cut it
  double normalised = kMinusInf;  // score / lp(|tokens|)
};

// One sentence's search: its live hypotheses and those already finished.
struct Sentence {
  std::vector<Hypothesis> live;  // exactly K (dead slots score -inf)
  std::vector<Finished> finished;
  bool done = false;
};

// Extends sentence s's hypotheses by one token each way and keeps the best K, moving those
// that end in <eos> to `finished`. log_probs [B*K, V]; fills parents and next tokens for its rows.
void advance(Sentence& sentence, int64_t b, const Tensor& log_probs, const BeamSearchOptions& o,
             int64_t step, std::vector<int64_t>& parents, std::vector<int64_t>& next) {
  const int64_t K = o.beam_size, V = log_probs.size(1);
  const int64_t max_length = o.sentence_max_lengths.empty()
                                 ? o.max_length
                                 : o.sentence_max_lengths[static_cast<size_t>(b)];
  struct Candidate {
    double score;
    int64_t beam, token;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(static_cast<size_t>(K * V));
  for (int64_t k = 0; k < K; ++k) {
    const double base = sentence.live[static_cast<size_t>(k)].score;
    if (base == kMinusInf) continue;
    const real* row = log_probs.data() + (b * K + k) * V;
    for (int64_t v = 0; v < V; ++v) candidates.push_back({base + row[v], k, v});
  }
  // 2K candidates always contain K that do not end the hypothesis.
  const size_t keep = std::min(candidates.size(), static_cast<size_t>(2 * K));
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(keep),
                    candidates.end(), [](const Candidate& a, const Candidate& c) {
                      return a.score != c.score ? a.score > c.score
                                                : (a.beam != c.beam ? a.beam < c.beam : a.token < c.token);
                    });
  std::vector<Hypothesis> live;
  for (size_t i = 0; i < keep && static_cast<int64_t>(live.size()) < K; ++i) {
    const Candidate& c = candidates[i];
    std::vector<int64_t> tokens = sentence.live[static_cast<size_t>(c.beam)].tokens;
    tokens.push_back(c.token);
    if (c.token == o.eos || step == max_length) {
      const double lp = length_penalty(static_cast<int64_t>(tokens.size()), o.length_penalty);
      sentence.finished.push_back({tokens, c.score / lp});
      continue;
    }
    parents[static_cast<size_t>(b * K + static_cast<int64_t>(live.size()))] = b * K + c.beam;
    next[static_cast<size_t>(b * K + static_cast<int64_t>(live.size()))] = c.token;
    live.push_back({std::move(tokens), c.score});
  }
  while (static_cast<int64_t>(live.size()) < K) {  // fill dead slots; they are never extended
    parents[static_cast<size_t>(b * K + static_cast<int64_t>(live.size()))] = b * K;
    next[static_cast<size_t>(b * K + static_cast<int64_t>(live.size()))] = o.eos;
    live.push_back({});
  }
  sentence.live = std::move(live);

  // Done when no live hypothesis can still beat the best finished one: live scores only fall,
  // and the most a longer hypothesis gains from the penalty is lp(max_length).
  double best_finished = kMinusInf, best_live = kMinusInf;
  for (const Finished& f : sentence.finished) best_finished = std::max(best_finished, f.normalised);
  for (const Hypothesis& h : sentence.live) best_live = std::max(best_live, h.score);
  const double bound = best_live / length_penalty(max_length, o.length_penalty);
  sentence.done = step == max_length || best_live == kMinusInf ||
                  (best_finished > kMinusInf && best_finished >= bound);
}

std::vector<int64_t> best_tokens(const Sentence& sentence) {
  const Finished* best = nullptr;
  for (const Finished& f : sentence.finished)
    if (!best || f.normalised > best->normalised) best = &f;
  if (best) return best->tokens;
  return sentence.live.front().tokens;
}

}  // namespace

Tensor beam_search(Seq2Seq& model, const Source& source, const BeamSearchOptions& options) {
  check(options.beam_size >= 1, "beam_search", "beam_size must be at least 1");
  check(options.max_length >= 1, "beam_search", "max_length must be at least 1");
  check(options.sentence_max_lengths.empty() ||
            static_cast<int64_t>(options.sentence_max_lengths.size()) == source.batch(),
        "beam_search", "sentence_max_lengths needs one limit per sentence of the batch");
  for (int64_t limit : options.sentence_max_lengths)
    check(limit >= 1 && limit <= options.max_length, "beam_search",
          "each sentence's limit must be in 1..max_length");
  NoGradGuard no_grad;
  EvalModeGuard eval_mode(model);
  const int64_t B = source.batch(), K = options.beam_size;

  // Each sentence encoded once, its decoder state repeated once per hypothesis: b*K .. b*K+K-1.
  std::unique_ptr<DecoderState> state = model.start(model.encode(source));
  Tensor rows({B * K});
  for (int64_t i = 0; i < B * K; ++i) rows.data()[i] = static_cast<real>(i / K);
  state->reorder(rows);

  std::vector<Sentence> sentences(static_cast<size_t>(B));
  for (Sentence& sentence : sentences) {
    sentence.live.resize(static_cast<size_t>(K));
    sentence.live[0].score = 0;  // one live hypothesis at first, so the K starts do not repeat
  }
  Tensor tokens = Tensor::full({B * K}, static_cast<real>(options.bos));  // [B*K]
  for (int64_t step = 1; step <= options.max_length; ++step) {
    const Tensor log_probs =
        log_softmax(model.step(tokens, *state).logits.value(), -1);  // [B*K, V]
    std::vector<int64_t> parents(static_cast<size_t>(B * K)), next(static_cast<size_t>(B * K));
    bool all_done = true;
    for (int64_t b = 0; b < B; ++b) {
      Sentence& sentence = sentences[static_cast<size_t>(b)];
      if (!sentence.done) advance(sentence, b, log_probs, options, step, parents, next);
      if (sentence.done) {  // its rows idle: keep them in place
        for (int64_t k = 0; k < K; ++k) {
          parents[static_cast<size_t>(b * K + k)] = b * K + k;
          next[static_cast<size_t>(b * K + k)] = options.eos;
        }
      }
      all_done = all_done && sentence.done;
    }
    if (all_done) break;
    Tensor parent_rows({B * K});
    for (int64_t i = 0; i < B * K; ++i) {
      parent_rows.data()[i] = static_cast<real>(parents[static_cast<size_t>(i)]);
      tokens.data()[i] = static_cast<real>(next[static_cast<size_t>(i)]);
    }
    state->reorder(parent_rows);
  }

  std::vector<std::vector<int64_t>> best;
  int64_t longest = 1;
  for (const Sentence& sentence : sentences) {
    best.push_back(best_tokens(sentence));
    longest = std::max<int64_t>(longest, static_cast<int64_t>(best.back().size()));
  }
  Tensor output = Tensor::full({B, longest}, static_cast<real>(special_tokens::pad));
  for (int64_t b = 0; b < B; ++b)
    for (size_t t = 0; t < best[static_cast<size_t>(b)].size(); ++t)
      output.at({b, static_cast<int64_t>(t)}) = static_cast<real>(best[static_cast<size_t>(b)][t]);
  return output;
}

}  // namespace attn
