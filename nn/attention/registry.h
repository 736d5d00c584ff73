// The registry of score functions: the one list of every attention variant attn knows.
//
// Adding a variant is one new file in nn/attention/scores/ plus one line in registry.cpp.
// Tests and examples iterate over this list, so a new variant is gradient-checked,
// mask-checked, checked under the decoder's cache, and available to models and to
// `--score NAME` without further edits.
//
// A score is named by its registry name, optionally followed by its own settings:
//   "scaled_dot"                      the Transformer's
//   "location_aware:filters=4,width=5"  Chorowski et al.'s, with 4 filters of width 5
// The registry splits the two; the score declares and checks its settings (nn/settings.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nn/attention/score_function.h"
#include "nn/settings.h"

namespace attn {

using ScoreFactory = std::function<std::unique_ptr<ScoreFunction>(const ScoreSpec&)>;

struct ScoreEntry {
  std::string name;         // e.g. "scaled_dot"
  std::string description;  // the formula and the paper, one line
  ScoreFactory make;
};

const std::vector<ScoreEntry>& score_functions();

// Builds the score named `name` ("name" or "name:key=value,..."); its settings are added to
// spec.settings. Throws listing the known names when the name is unknown, and naming the setting
// when a setting is.
std::unique_ptr<ScoreFunction> make_score_function(const std::string& name, ScoreSpec spec);

// Throws, as make_score_function would, unless `name` builds a score (for checking a command
// line before any work starts).
void check_score_name(const std::string& name);

// A setting ("score") holding a score's name with its settings, checked when it is set.
Setting score_setting(std::string& field, const std::string& help);

}  // namespace attn
