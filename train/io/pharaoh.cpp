// Pharaoh word alignments: writing and reading "i-j" links (see pharaoh.h).
#include "train/io/pharaoh.h"

#include <stdexcept>

namespace attn {

std::string to_pharaoh(const Alignment& alignment) {
  std::string text;
  for (const AlignmentLink& link : alignment) {
    if (!text.empty()) text += ' ';
    text += std::to_string(link.source) + "-" + std::to_string(link.target);
  }
  return text;
}

namespace {

// A position: 1 to 9 decimal digits, so that it fits any integer type without overflow.
bool read_position(const std::string& digits, int64_t& position) {
  if (digits.empty() || digits.size() > 9) return false;
  position = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    position = position * 10 + (c - '0');
  }
  return true;
}

AlignmentLink read_link(const std::string& word) {
  const size_t dash = word.find('-');
  AlignmentLink link;
  if (dash == std::string::npos || !read_position(word.substr(0, dash), link.source) ||
      !read_position(word.substr(dash + 1), link.target))
    throw std::runtime_error("'" + word +
                             "' is not a link i-j (source position - target position)");
  return link;
}

}  // namespace

Alignment parse_pharaoh(const std::string& text) {
  Alignment alignment;
  size_t begin = text.find_first_not_of(' ');
  while (begin != std::string::npos) {
    const size_t end = text.find(' ', begin);  // npos: the last link
    alignment.push_back(
        read_link(text.substr(begin, end == std::string::npos ? end : end - begin)));
    begin = end == std::string::npos ? end : text.find_first_not_of(' ', end);
  }
  return alignment;
}

}  // namespace attn
