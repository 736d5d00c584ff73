// Command-line arguments of the form  --name value  and  --flag,  checked against a list of the
// options a command knows, so a typo is an error rather than silently ignored.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace attn::cli {

// What went wrong, in one line, for stderr.
struct UsageError {
  std::string message;
};

class Arguments {
 public:
  // `args` excludes the program and command names. `with_value` lists options that take a value,
  // `flags` those that do not. Throws UsageError on an unknown option or a missing value.
  Arguments(const std::string& command, const std::vector<std::string>& args,
            const std::set<std::string>& with_value, const std::set<std::string>& flags);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string text(const std::string& name, const std::string& fallback = "") const;
  std::string required(const std::string& name) const;
  int64_t integer(const std::string& name, int64_t fallback) const;
  double number(const std::string& name, double fallback) const;

 private:
  std::string command_;
  std::map<std::string, std::string> values_;
};

}  // namespace attn::cli
