// bench_util.h: the few helpers every attn benchmark needs, so each benchmark file holds only
// what it measures.
//
//   seconds_since(start)   wall-clock time on a steady clock
//   process_cpu_seconds()  CPU time of the whole process so far, every thread
//   median(xs)             the middle value (mean of the two middle ones for an even count), as
//                          Python's statistics.median, so attn and the PyTorch scripts summarise
//                          their timings the same way
//   peak_rss_mib()         the process's peak resident memory so far, getrusage's ru_maxrss
//                          (KiB on Linux) / 1024, the figure the PyTorch scripts print
//   Flags                  --name value command-line options, with defaults
//   JsonLine               builds the one-line JSON object of a "RESULT {json}" line
//   main_of(name, ...)     a benchmark's main(): its run(), an error as one line and exit 1
//
// Header-only: the benchmarks are single-file programs.
#pragma once

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace attn::bench {

// ---- timing and summaries ------------------------------------------------------------------------

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of the whole process so far, every thread, in seconds: next to the wall clock, it
// shows when a thread waited for a core another process held.
inline double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Median of a non-empty list: the middle element, or the mean of the two middle elements.
inline double median(std::vector<double> xs) {
  if (xs.empty()) throw std::invalid_argument("median of an empty list");
  std::sort(xs.begin(), xs.end());
  const size_t n = xs.size();
  return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

inline double min_of(const std::vector<double>& xs) { return *std::min_element(xs.begin(), xs.end()); }
inline double max_of(const std::vector<double>& xs) { return *std::max_element(xs.begin(), xs.end()); }

// ---- memory --------------------------------------------------------------------------------------

// Peak resident set size of this process so far, in MiB (ru_maxrss is in KiB on Linux).
inline double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// ---- command line --------------------------------------------------------------------------------

// "--name value" pairs. Each get_* names a known flag and its default; finish() rejects any flag
// that no get_* asked for, so a typo fails loudly instead of silently benchmarking the default.
class Flags {
 public:
  Flags(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg.rfind("--", 0) != 0 || i + 1 >= argc)
        throw std::invalid_argument("expected --name value, got '" + arg + "'");
      values_[arg.substr(2)] = argv[++i];
    }
  }

  std::string get_string(const std::string& name, const std::string& fallback) {
    known_.push_back(name);
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  long get_int(const std::string& name, long fallback) {
    const std::string v = get_string(name, "");
    return v.empty() ? fallback : std::stol(v);
  }
  double get_double(const std::string& name, double fallback) {
    const std::string v = get_string(name, "");
    return v.empty() ? fallback : std::stod(v);
  }

  // Throws on any flag that was given but never asked for.
  void finish() const {
    for (const auto& [name, value] : values_)
      if (std::find(known_.begin(), known_.end(), name) == known_.end())
        throw std::invalid_argument("unknown flag --" + name);
  }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> known_;
};

// ---- the RESULT line -----------------------------------------------------------------------------

// A flat JSON object built key by key: JsonLine().add("config", "tiny").add("threads", 2).str()
// gives {"config": "tiny", "threads": 2}. Strings are benchmark names and tags: only quotes and
// backslashes are escaped.
class JsonLine {
 public:
  JsonLine& add(const std::string& key, const std::string& value) {
    std::string quoted = "\"";
    for (char c : value) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return raw(key, quoted + "\"");
  }
  JsonLine& add(const std::string& key, const char* value) { return add(key, std::string(value)); }
  JsonLine& add(const std::string& key, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    return raw(key, buffer);
  }
  JsonLine& add(const std::string& key, long long value) { return raw(key, std::to_string(value)); }
  JsonLine& add(const std::string& key, long value) { return raw(key, std::to_string(value)); }
  JsonLine& add(const std::string& key, int value) { return raw(key, std::to_string(value)); }
  JsonLine& add(const std::string& key, bool value) { return raw(key, value ? "true" : "false"); }

  std::string str() const { return "{" + body_ + "}"; }

 private:
  JsonLine& raw(const std::string& key, const std::string& json_value) {
    if (!body_.empty()) body_ += ", ";
    body_ += "\"" + key + "\": " + json_value;
    return *this;
  }
  std::string body_;
};

// The whole of a benchmark's main(): runs run(argc, argv); a bad flag or a failed check is one
// line "name: what went wrong" on stderr and exit status 1.
inline int main_of(const char* name, int argc, char** argv, int (*run)(int, char**)) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return 1;
  }
}

}  // namespace attn::bench
