// Parsing --name value / --flag arguments (see arguments.h).
#include "tools/attn/arguments.h"

#include <algorithm>
#include <iostream>

namespace attn::cli {

Arguments::Arguments(const std::string& command, const std::vector<std::string>& args,
                     const std::set<std::string>& with_value, const std::set<std::string>& flags,
                     bool takes_files)
    : command_(command) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) {
      if (!takes_files) throw UsageError{"attn " + command + ": unexpected argument '" + arg + "'"};
      positional_.push_back(arg);
      continue;
    }
    const std::string name = arg.substr(2);
    if (flags.count(name)) {
      values_[name] = "1";
    } else if (with_value.count(name)) {
      if (i + 1 >= args.size())
        throw UsageError{"attn " + command + ": --" + name + " needs a value"};
      values_[name] = args[++i];
    } else {
      throw UsageError{"attn " + command + ": unknown option --" + name + " (see attn " + command +
                       " --help)"};
    }
  }
}

std::string Arguments::text(const std::string& name, const std::string& fallback) const {
  auto found = values_.find(name);
  return found == values_.end() ? fallback : found->second;
}

std::string Arguments::required(const std::string& name) const {
  if (!has(name)) throw UsageError{"attn " + command_ + ": --" + name + " is required"};
  return values_.at(name);
}

// ---- settings as options ------------------------------------------------------------------------

std::set<std::string> option_names(const Settings& settings) {
  std::set<std::string> names;
  for (const Setting& setting : settings)
    if (!setting.internal) names.insert(setting.option);
  return names;
}

void apply_settings(const Arguments& arguments, Settings& settings) {
  for (Setting& setting : settings) {
    if (setting.internal || !arguments.has(setting.option)) continue;
    try {
      setting.set(arguments.text(setting.option));
    } catch (const std::exception& error) {
      throw UsageError{"attn " + arguments.command() + ": --" + setting.option + " " +
                       error.what()};
    }
  }
}

// What an option's value looks like in the help: N, X, true|false, a|b|c or TEXT.
static std::string value_name(const Setting& setting) {
  if (!setting.choices.empty()) {
    std::string choices;
    for (const std::string& choice : setting.choices)
      choices += (choices.empty() ? "" : "|") + choice;
    return choices;
  }
  switch (setting.kind) {
    case SettingKind::integer:
      return "N";
    case SettingKind::number:
      return "X";
    case SettingKind::flag:
      return "true|false";
    case SettingKind::text:
      return "TEXT";
  }
  return "VALUE";
}

std::string settings_help(const Settings& settings) {
  std::string help;
  for (const Setting& setting : settings) {
    if (setting.internal) continue;
    std::string left = "  --" + setting.option + " " + value_name(setting);
    left.resize(std::max<size_t>(left.size() + 1, 31), ' ');
    help += left + setting.help + " (default " + setting.get() + ")\n";
  }
  return help;
}

std::set<std::string> given_settings(const Arguments& arguments, const Settings& settings) {
  std::set<std::string> given;
  for (const Setting& setting : settings)
    if (!setting.internal && arguments.has(setting.option)) given.insert(setting.name);
  return given;
}

int run_subcommand(const std::string& command, const std::vector<std::string>& args,
                   const std::string& help,
                   const std::vector<std::pair<std::string, Subcommand>>& subcommands) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << help;
    return args.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  std::string known;
  for (const auto& [name, run] : subcommands) {
    if (name == args[0]) return run(rest);
    known += (known.empty() ? "" : ", ") + name;
  }
  throw UsageError{"attn " + command + ": unknown subcommand '" + args[0] + "' (" + known + ")"};
}

int64_t whole_number(const Arguments& arguments, const std::string& name, int64_t fallback,
                     int64_t low) {
  if (!arguments.has(name)) return fallback;
  const std::string text = arguments.text(name);
  try {
    size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size() && value >= low) return value;
  } catch (const std::exception&) {
  }
  throw UsageError{"attn " + arguments.command() + ": --" + name +
                   " expects a whole number of at least " + std::to_string(low) + ", got '" +
                   text + "'"};
}

std::set<std::string> apply_training_settings(const Arguments& arguments, Settings& model,
                                              Settings& saved, Settings& run) {
  apply_settings(arguments, model);
  apply_settings(arguments, saved);
  apply_settings(arguments, run);
  std::set<std::string> given = given_settings(arguments, model);
  given.merge(given_settings(arguments, saved));
  return given;
}

}  // namespace attn::cli
