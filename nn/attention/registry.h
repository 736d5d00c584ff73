// The registry of score functions: the one list of every attention variant attn knows.
//
// Adding a variant is one new file in nn/attention/ plus one line in registry.cpp. Tests and
// examples iterate over this list, so a new variant is gradient-checked, mask-checked and
// available to models and to `--score NAME` without further edits.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nn/attention/score_function.h"

namespace attn {

using ScoreFactory = std::function<std::unique_ptr<ScoreFunction>(const ScoreSpec&)>;

struct ScoreEntry {
  std::string name;         // e.g. "scaled_dot"
  std::string description;  // the formula and the paper, one line
  ScoreFactory make;
};

const std::vector<ScoreEntry>& score_functions();

// Builds the score function registered under `name`; throws listing the known names otherwise.
std::unique_ptr<ScoreFunction> make_score_function(const std::string& name, const ScoreSpec& spec);

}  // namespace attn
