// Declared settings: each field of a configuration named, typed and explained once.
//
// A configuration (a model's, a score function's, a training run's) lists its fields as
// Settings bound to the fields themselves:
//
//   Settings TransformerConfig::settings() {
//     return {integer_setting("d_model", d_model, "model width D (paper Table 3: 512)", 1),
//             number_setting("dropout", dropout, "P_drop on sublayer outputs (§5.4)", 0, 0.99),
//             choice_setting("norm", norm, "LayerNorm placement", {{"post", NormPlacement::post},
//                                                                   {"pre", NormPlacement::pre}})};
//   }
//
// Everything else is derived from that one list, so a new setting is one line: config.json is
// written and read through it (train/io/settings_json.h), `attn train` accepts `--d-model 256`
// and prints the help line, and a score function reads "location_aware:filters=4" with it.
// Every value travels as text in between; numbers print in their shortest exact form, so
// writing a value and reading it back gives the same bits.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "tensor/real.h"

namespace attn {

enum class SettingKind { integer, number, flag, text };

struct Setting {
  std::string name;    // "d_model": the JSON key
  std::string option;  // "d-model": the command-line option --d-model (name with '-' for '_')
  std::string help;    // one line for --help (the default is added from get())
  SettingKind kind = SettingKind::text;
  std::vector<std::string> choices;  // text: the allowed values (empty: any text)
  bool internal = false;  // set by the program (vocabulary sizes), never a command-line option
  std::function<std::string()> get;             // the current value as text
  std::function<void(const std::string&)> set;  // parses text and stores it; throws Error

  // The same setting under another command-line name ("learning_rate" as --lr).
  Setting with_option(const std::string& option_name) const;
  // The same setting marked internal (see above).
  Setting made_internal() const;
};

using Settings = std::vector<Setting>;

// ---- declaring a setting, one per field type --------------------------------------------------
// Each throws on set() with the reason: "expects a whole number, got 'x'", "must be in 1..64,
// got 0", "must be one of post, pre, got 'mid'".

constexpr int64_t kNoMinimum = std::numeric_limits<int64_t>::min();
constexpr int64_t kNoMaximum = std::numeric_limits<int64_t>::max();

Setting integer_setting(const std::string& name, int64_t& field, const std::string& help,
                        int64_t minimum = kNoMinimum, int64_t maximum = kNoMaximum);
// Seeds: 0 .. 2^53, the whole numbers a JSON number holds exactly.
Setting seed_setting(const std::string& name, uint64_t& field, const std::string& help);
Setting number_setting(const std::string& name, float& field, const std::string& help,
                       double minimum, double maximum);
Setting number_setting(const std::string& name, double& field, const std::string& help,
                       double minimum, double maximum);
Setting flag_setting(const std::string& name, bool& field, const std::string& help);
Setting text_setting(const std::string& name, std::string& field, const std::string& help,
                     std::vector<std::string> choices = {});

// A setting with its own reading and writing (a value that is checked, or computed, not stored).
Setting custom_setting(const std::string& name, SettingKind kind, const std::string& help,
                       std::function<std::string()> get,
                       std::function<void(const std::string&)> set);

// An enum field, shown and read by the names given.
template <typename Enum>
Setting choice_setting(const std::string& name, Enum& field, const std::string& help,
                       const std::vector<std::pair<std::string, Enum>>& names);

// ---- using a list of settings -----------------------------------------------------------------

// The setting called `name`; throws "<owner>: unknown setting 'name'; known: a, b, c".
Setting& find_setting(Settings& settings, const std::string& name, const std::string& owner);
// Parses "key=value,key=value" (a score function's settings, registry.h) into the settings;
// errors name the owner and the key.
void apply_settings_text(Settings& settings, const std::string& text, const std::string& owner);
// Turns a setting's text into a shortest exact decimal ("0.1" for the float nearest 0.1).
std::string number_text(double value);
std::string number_text(float value);

// ---- template definition ----------------------------------------------------------------------

Setting make_choice_setting(const std::string& name, const std::string& help,
                            std::vector<std::string> choices, std::function<std::string()> get,
                            std::function<void(size_t)> set_index);

template <typename Enum>
Setting choice_setting(const std::string& name, Enum& field, const std::string& help,
                       const std::vector<std::pair<std::string, Enum>>& names) {
  std::vector<std::string> choices;
  for (const auto& [text, value] : names) choices.push_back(text);
  return make_choice_setting(
      name, help, choices,
      [&field, names] {
        for (const auto& [text, value] : names)
          if (value == field) return text;
        return std::string("?");
      },
      [&field, names](size_t index) { field = names[index].second; });
}

}  // namespace attn
