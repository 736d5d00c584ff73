// Errors: every op checks its inputs and says what went wrong in one line.
//
// A message names the op, the shapes involved, and the rule that failed:
//   matmul: [2,3] @ [4,5]: inner dimensions 3 and 4 differ
// Bad input never reaches a kernel, so no input can cause undefined behaviour.
#pragma once

#include <stdexcept>
#include <string>

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

}  // namespace attn
