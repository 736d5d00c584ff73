// Attention over audio, measured: how much of a character's attention lies on the word it spells.
//
// A recogniser attends over listener steps, not samples. Step u of a listener that halves time
// P times summarises frames u 2^P .. (u + 1) 2^P - 1; frame t reads samples [t hop, t hop + W).
// So step u is heard around the sample at the middle of its frames' reach:
//
//   centre(u) = (u + 1/2) 2^P hop + W / 2          in samples from the start of the clip
//
// and a step lies in a word when its centre lies in the word's samples [begin, end). The share
// of a character's attention on steps in its word,
//
//   on_word = sum_{u: centre(u) in word} alpha_u / sum_u alpha_u
//
// is 1 when the speller listened to nothing else while spelling the word. Attention spread
// evenly over the utterance scores the share of steps that lie in the word: the reference it is
// compared against, as attention correctness over an image is (attention_on_image.h).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace attn {

// Where listener steps are heard: frames_per_step = 2^P, hop and window in samples.
struct StepTiming {
  int64_t frames_per_step = 1, hop = 1, window = 1;
  double centre(int64_t step) const;  // in samples
};

// The share of `weights` (one per listener step, each >= 0) on steps whose centre lies in
// `span` [begin, end) samples; 0 when the weights sum to 0.
double attention_on_span(const std::vector<double>& weights, const StepTiming& timing,
                         std::pair<int64_t, int64_t> span);

// ... and what uniform attention over the same steps would score: the share of steps in `span`.
double uniform_attention_on_span(int64_t steps, const StepTiming& timing,
                                 std::pair<int64_t, int64_t> span);

}  // namespace attn
