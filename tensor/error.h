// Errors: every op checks its inputs and says what went wrong in one line.
//
// A message names the op, the shapes involved, and the rule that failed:
//   matmul: [2,3] @ [4,5]: inner dimensions 3 and 4 differ
// Bad input never reaches a kernel, so no input can cause undefined behaviour.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace attn {

// Thrown for any invalid argument: wrong shapes, out-of-range dimensions or indices.
class Error : public std::invalid_argument {
 public:
  explicit Error(const std::string& message) : std::invalid_argument(message) {}
};

// Throws Error("<op>: <detail>") unless `condition` holds.
inline void check(bool condition, const std::string& op, const std::string& detail) {
  if (!condition) throw Error(op + ": " + detail);
}

// The same for a message of two literals: nothing is built unless the check fails, so it costs
// nothing on paths that run for every element (Tensor::data).
inline void check(bool condition, const char* op, const char* detail) {
  if (!condition) throw Error(std::string(op) + ": " + detail);
}

// The same with a detail that names shapes or sizes, made only when the check fails: checks in
// views and kernels run many times a step, and building every message would cost more than the
// work they guard (a quarter of a decoding step, measured).
//   check(d < n, "narrow", [&] { return "range ... of " + to_string(shape); });
template <typename MakeDetail>
requires std::is_invocable_r_v<std::string, MakeDetail>
void check(bool condition, std::string_view op, MakeDetail&& make_detail) {
  if (!condition) throw Error(std::string(op) + ": " + make_detail());
}

}  // namespace attn
