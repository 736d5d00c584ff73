// Lines from standard input, as `attn translate` and `attn bleu` read them: a trailing "\r"
// (Windows line ends) dropped, and each line checked to be UTF-8, so that bad input is one error
// naming its line rather than a failure deep inside a tokenizer.
#pragma once

#include <string>
#include <vector>

namespace attn::cli {

// Throws "standard input, line N: invalid UTF-8 at byte B".
std::vector<std::string> read_standard_input();

}  // namespace attn::cli
