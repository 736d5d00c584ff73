// Declared settings (nn/settings.h) as a JSON object, and back: the "model" and "training"
// parts of config.json.
//
//   integer settings -> JSON numbers      number -> number      flag -> true/false
//   text settings    -> JSON strings
// Reading takes the keys present and keeps the default of any key absent (a file written before
// a setting existed still loads); an unknown key, a value of the wrong kind or out of range is an
// error naming the place and the key: "config.json: model.d_model: must be in 1..16384, got 0".
#pragma once

#include <set>
#include <string>

#include "nn/settings.h"
#include "train/io/json.h"

namespace attn {

Json settings_to_json(const Settings& settings);

// `where` names the object in errors ("config.json: model").
void settings_from_json(Settings& settings, const Json& json, const std::string& where);

// Resuming a run: a setting the user gave (its name in `given`) whose value in `asked` differs
// from the run's, `saved` (read from `config_path`), is an error naming both, not ignored.
// asked and saved are the same declaration, bound to two objects.
void refuse_changed_settings(const Settings& asked, const Settings& saved,
                             const std::set<std::string>& given, const std::string& config_path);

// A trainer's config.json: {"model": ..., "vocabulary": ..., "training": ...}; the caller adds
// what its data needs ("data", "task", ...).
Json run_config_json(const Settings& model, Json vocabulary, const Settings& training);

// Resuming from `saved` (read from `config_path`): its "model" and "training" objects into
// `model` and `training`, then every setting the user gave (`given`) checked against them as
// refuse_changed_settings does; `asked_model` and `asked_training` hold the settings as given now.
void resume_settings(const Json& saved, const std::string& config_path, Settings& model,
                     Settings& training, const Settings& asked_model,
                     const Settings& asked_training, const std::set<std::string>& given);

}  // namespace attn
