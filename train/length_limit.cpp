// The decoding length limit learned from the training pairs (see length_limit.h).
#include "train/length_limit.h"

#include <stdexcept>

#include "train/io/settings_json.h"

namespace attn {

// Bounds the limit's arithmetic: at most 2^20 x 2^20 below stays far inside int64.
static constexpr int64_t kMostTokens = int64_t{1} << 20;

void LengthLimit::observe(int64_t source_length, int64_t target_length) {
  if (source_length < 1 || source_length > kMostTokens || target_length > kMostTokens)
    throw std::runtime_error("length limit: a pair of " + std::to_string(source_length) + " and " +
                             std::to_string(target_length) + " tokens is out of range");
  // T / S > T0 / S0, in whole numbers: T * S0 > T0 * S (a first pair always counts).
  if (!learned() || target_length * source_tokens > target_tokens * source_length) {
    source_tokens = source_length;
    target_tokens = target_length;
  }
}

int64_t LengthLimit::tokens(int64_t source_length) const {
  if (source_length > kMostTokens) source_length = kMostTokens;  // the model caps it anyway
  if (!learned()) return source_length * 3 / 2 + 10;  // the rule of model directories before
  // ceil(T0 * S / S0) in whole numbers.
  return (target_tokens * source_length + source_tokens - 1) / source_tokens + extra_tokens;
}

Settings LengthLimit::settings() {
  return {integer_setting("source_tokens", source_tokens,
                          "source tokens of the training pair with the largest ratio", 1,
                          kMostTokens),
          integer_setting("target_tokens", target_tokens,
                          "target tokens of the training pair with the largest ratio", 0,
                          kMostTokens)};
}

Json LengthLimit::to_json() const {
  LengthLimit copy = *this;
  return settings_to_json(copy.settings());
}

LengthLimit LengthLimit::from_json(const Json& json, const std::string& where) {
  LengthLimit limit;
  Settings settings = limit.settings();
  settings_from_json(settings, json, where);
  return limit;
}

}  // namespace attn
