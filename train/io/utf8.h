// UTF-8: text as a sequence of code points, each 1 to 4 bytes.
//
//   0xxxxxxx                              U+0000 .. U+007F   (ASCII)
//   110xxxxx 10xxxxxx                     U+0080 .. U+07FF   (ü, é, ß)
//   1110xxxx 10xxxxxx 10xxxxxx            U+0800 .. U+FFFF   (한, €)
//   11110xxx 10xxxxxx 10xxxxxx 10xxxxxx   U+10000 .. U+10FFFF
// Tokenizers split text into characters, never into bytes, so German, French and Korean
// round-trip. Malformed bytes are reported, not guessed at: a stray continuation byte, a
// truncated character, an overlong form, an encoded UTF-16 surrogate, anything past U+10FFFF
// (RFC 3629). JSON strings are checked with the same rules.
#pragma once

#include <string>
#include <vector>

namespace attn {

// The characters of `text`, each as its UTF-8 bytes; throws "invalid UTF-8 at byte N".
std::vector<std::string> utf8_characters(const std::string& text);

// True when `text` is well-formed UTF-8.
bool is_valid_utf8(const std::string& text);

}  // namespace attn
