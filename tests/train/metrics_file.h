// What the trainers' tests compare between runs: metrics.jsonl without its timings, which differ
// from run to run while every loss and score must not.
#pragma once

#include <string>

#include "train/io/atomic_file.h"

namespace attn::test {

// DIR/metrics.jsonl with every "tokens_per_second" field removed.
inline std::string metrics_without_timings(const std::string& dir) {
  std::string text = read_file(dir + "/metrics.jsonl");
  const std::string key = ",\"tokens_per_second\":";
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at))
    text.erase(at, text.find_first_of(",}", at + key.size()) - at);
  return text;
}

}  // namespace attn::test
