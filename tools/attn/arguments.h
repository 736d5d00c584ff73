// Command-line arguments of the form  --name value  and  --flag,  checked against a list of the
// options a command knows, so a typo is an error rather than silently ignored.
//
// Declared settings (nn/settings.h) become options with no further code: every setting that is
// not internal is  --option VALUE,  its help line comes from the declaration, and a bad value is
// one line naming the option ("attn train: --d-model must be in 1..16384, got 0").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "nn/settings.h"

namespace attn::cli {

// What went wrong, in one line, for stderr.
struct UsageError {
  std::string message;
};

class Arguments {
 public:
  // `args` excludes the program and command names. `with_value` lists options that take a value,
  // `flags` those that do not. Throws UsageError on an unknown option or a missing value, and on
  // an argument that is not an option unless `takes_files` (then it is one of positional()).
  Arguments(const std::string& command, const std::vector<std::string>& args,
            const std::set<std::string>& with_value, const std::set<std::string>& flags,
            bool takes_files = false);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string text(const std::string& name, const std::string& fallback = "") const;
  std::string required(const std::string& name) const;
  const std::string& command() const { return command_; }
  // The arguments that are not options, in order (file names), when the command takes them.
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::string command_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

// A command made of subcommands ("attn babi train ..."): with no arguments prints `help` and
// returns 2, with --help prints it and returns 0; else runs the subcommand its first argument
// names, with the rest, and refuses an unknown one naming the known ones.
using Subcommand = std::function<int(const std::vector<std::string>& args)>;
int run_subcommand(const std::string& command, const std::vector<std::string>& args,
                   const std::string& help,
                   const std::vector<std::pair<std::string, Subcommand>>& subcommands);

// The option names of the settings that are options (not internal).
std::set<std::string> option_names(const Settings& settings);

// Sets every setting whose option `arguments` holds; errors name the option.
void apply_settings(const Arguments& arguments, Settings& settings);

// The names of the settings whose option `arguments` holds: what the user gave explicitly, which
// a resumed run must not see changed.
std::set<std::string> given_settings(const Arguments& arguments, const Settings& settings);

// The whole number of option `name`, at least `low`; `fallback` when it is not given. A UsageError
// naming the option otherwise.
int64_t whole_number(const Arguments& arguments, const std::string& name, int64_t fallback,
                     int64_t low);

// A trainer's settings from the command line: the model's, the saved training settings and this
// run's, each applied; returns the names the user gave of the first two, which a resumed run
// must not see changed.
std::set<std::string> apply_training_settings(const Arguments& arguments, Settings& model,
                                              Settings& saved, Settings& run);

// One help line per option: "  --d-model N                  model width D (default 128)".
std::string settings_help(const Settings& settings);

}  // namespace attn::cli
