// Attention over audio, measured (see attention_in_time.h).
#include "train/metrics/attention_in_time.h"

#include <cstddef>

namespace attn {

namespace {

bool inside(double sample, std::pair<int64_t, int64_t> span) {
  return sample >= static_cast<double>(span.first) && sample < static_cast<double>(span.second);
}

}  // namespace

double StepTiming::centre(int64_t step) const {
  return (static_cast<double>(step) + 0.5) * static_cast<double>(frames_per_step * hop) +
         static_cast<double>(window) / 2;
}

double attention_on_span(const std::vector<double>& weights, const StepTiming& timing,
                         std::pair<int64_t, int64_t> span) {
  double on = 0, total = 0;
  for (size_t u = 0; u < weights.size(); ++u) {
    total += weights[u];
    if (inside(timing.centre(static_cast<int64_t>(u)), span)) on += weights[u];
  }
  return total > 0 ? on / total : 0;
}

double uniform_attention_on_span(int64_t steps, const StepTiming& timing,
                                 std::pair<int64_t, int64_t> span) {
  if (steps <= 0) return 0;
  int64_t on = 0;
  for (int64_t u = 0; u < steps; ++u) on += inside(timing.centre(u), span) ? 1 : 0;
  return static_cast<double>(on) / static_cast<double>(steps);
}

}  // namespace attn
