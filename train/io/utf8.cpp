// Splitting UTF-8 text into characters (see utf8.h for the encoding).
#include "train/io/utf8.h"

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

// The range the byte after `lead` must fall in (RFC 3629, §4): narrower than 80..BF after E0
// (no overlong 3-byte forms), ED (no UTF-16 surrogates D800..DFFF), F0 (no overlong 4-byte
// forms) and F4 (nothing above U+10FFFF).
static bool second_byte_fits(unsigned char lead, unsigned char second) {
  if (lead == 0xE0) return second >= 0xA0 && second <= 0xBF;
  if (lead == 0xED) return second >= 0x80 && second <= 0x9F;
  if (lead == 0xF0) return second >= 0x90 && second <= 0xBF;
  if (lead == 0xF4) return second >= 0x80 && second <= 0x8F;
  return (second & 0xC0) == 0x80;
}

// Length of a well-formed character at text[at], or 0.
static size_t valid_character_at(const std::string& text, size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const size_t length = sequence_length(lead);
  if (length == 0 || at + length > text.size()) return 0;
  if (length > 1 && !second_byte_fits(lead, static_cast<unsigned char>(text[at + 1]))) return 0;
  for (size_t k = 2; k < length; ++k)
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
