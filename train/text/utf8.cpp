// Splitting UTF-8 text into characters (see utf8.h for the encoding).
#include "train/text/utf8.h"

#include <stdexcept>

namespace attn {

// Length of the character starting with byte `lead`, or 0 if `lead` cannot start one.
static size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;  // 0xC0, 0xC1 would be overlong ASCII
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;  // above 0xF4 lies beyond U+10FFFF
  return 0;
}

// Length of a well-formed character at text[at], or 0.
static size_t valid_character_at(const std::string& text, size_t at) {
  const size_t length = sequence_length(static_cast<unsigned char>(text[at]));
  if (length == 0 || at + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k)
    if ((static_cast<unsigned char>(text[at + k]) & 0xC0) != 0x80) return 0;
  return length;
}

std::vector<std::string> utf8_characters(const std::string& text) {
  std::vector<std::string> characters;
  for (size_t at = 0; at < text.size();) {
    const size_t length = valid_character_at(text, at);
    if (length == 0) throw std::runtime_error("invalid UTF-8 at byte " + std::to_string(at));
    characters.push_back(text.substr(at, length));
    at += length;
  }
  return characters;
}

bool is_valid_utf8(const std::string& text) {
  for (size_t at = 0; at < text.size();) {
    const size_t length = valid_character_at(text, at);
    if (length == 0) return false;
    at += length;
  }
  return true;
}

}  // namespace attn
