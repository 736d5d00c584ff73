// Reading lines from standard input (see standard_input.h).
#include "tools/attn/standard_input.h"

#include <iostream>
#include <stdexcept>

#include "train/io/utf8.h"

namespace attn::cli {

std::vector<std::string> read_standard_input() {
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    try {
      utf8_characters(line);
    } catch (const std::exception& error) {
      throw std::runtime_error("standard input, line " + std::to_string(lines.size() + 1) + ": " +
                               error.what());
    }
    lines.push_back(line);
  }
  return lines;
}

}  // namespace attn::cli
