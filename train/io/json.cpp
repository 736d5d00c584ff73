// A small JSON reader and writer (RFC 8259); see json.h.
#include "train/io/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "train/io/utf8.h"

namespace attn {

// ---- access -----------------------------------------------------------------------------------

static void expect(bool holds, const char* kind) {
  if (!holds) throw std::runtime_error(std::string("json: expected ") + kind);
}

bool Json::as_bool() const {
  expect(kind_ == Kind::boolean, "a boolean");
  return boolean_;
}
double Json::as_number() const {
  expect(kind_ == Kind::number, "a number");
  return number_;
}
const std::string& Json::as_string() const {
  expect(kind_ == Kind::string, "a string");
  return string_;
}
const Json::Array& Json::as_array() const {
  expect(kind_ == Kind::array, "an array");
  return array_;
}
const Json::Object& Json::as_object() const {
  expect(kind_ == Kind::object, "an object");
  return object_;
}

int64_t Json::as_int() const {
  const double number = as_number();
  if (std::floor(number) != number || std::fabs(number) > 9.007e15)
    throw std::runtime_error("json: expected a whole number, got " + dump());
  return static_cast<int64_t>(number);
}

const Json& Json::at(const std::string& key) const {
  const Object& object = as_object();
  auto found = object.find(key);
  if (found == object.end()) throw std::runtime_error("json: missing key \"" + key + "\"");
  return found->second;
}

bool Json::contains(const std::string& key) const {
  return is_object() && as_object().count(key) > 0;
}

Json& Json::operator[](const std::string& key) {
  if (is_null()) kind_ = Kind::object;
  expect(is_object(), "an object");
  return object_[key];
}

// ---- writing ----------------------------------------------------------------------------------

static std::string quote(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through unchanged
        }
    }
  }
  return out + "\"";
}

static std::string number_text(double number) {
  if (!std::isfinite(number)) throw std::runtime_error("json: cannot write a non-finite number");
  char text[32];
  if (std::floor(number) == number && std::fabs(number) < 1e15)
    std::snprintf(text, sizeof(text), "%.0f", number);
  else
    std::snprintf(text, sizeof(text), "%.17g", number);  // round-trips every double
  return text;
}

std::string Json::dump() const {
  switch (kind_) {
    case Kind::null: return "null";
    case Kind::boolean: return boolean_ ? "true" : "false";
    case Kind::number: return number_text(number_);
    case Kind::string: return quote(string_);
    case Kind::array: {
      std::string out = "[";
      for (size_t i = 0; i < array_.size(); ++i) out += (i ? "," : "") + array_[i].dump();
      return out + "]";
    }
    case Kind::object: {
      std::string out = "{";
      for (const auto& [key, value] : object_)
        out += (out.size() > 1 ? "," : "") + quote(key) + ":" + value.dump();
      return out + "}";
    }
  }
  return "null";
}

// ---- reading ----------------------------------------------------------------------------------

namespace {

// Recursive descent over the grammar of RFC 8259, with a depth limit so hostile input cannot
// overflow the stack.
class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {}

  Json parse_document() {
    Json value = parse_value(0);
    skip_space();
    if (at_ < text_.size()) fail("unexpected text after the value");
    return value;
  }

 private:
  static constexpr int kMaxDepth = 512;

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("json: " + what + " at offset " + std::to_string(at_));
  }
  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' ||
                                  text_[at_] == '\r' || text_[at_] == '\t'))
      ++at_;
  }
  char peek() {
    skip_space();
    if (at_ >= text_.size()) fail("unexpected end of text");
    return text_[at_];
  }
  void expect_char(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++at_;
  }
  bool consume_word(const char* word) {
    const std::string w(word);
    if (text_.compare(at_, w.size(), w) != 0) return false;
    at_ += w.size();
    return true;
  }

  Json parse_value(int depth) {
    if (depth > kMaxDepth) fail("nesting too deep");
    const char c = peek();
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') return Json(parse_string());
    if (consume_word("true")) return Json(true);
    if (consume_word("false")) return Json(false);
    if (consume_word("null")) return Json();
    return Json(parse_number());
  }

  Json parse_object(int depth) {
    expect_char('{');
    Json::Object object;
    if (peek() == '}') {
      ++at_;
      return Json(std::move(object));
    }
    while (true) {
      if (peek() != '"') fail("expected a string key");
      std::string key = parse_string();
      // RFC 8259 leaves duplicate names to the reader; taking the last silently would let a
      // hostile file say two things at once, so attn refuses.
      if (object.count(key)) fail("duplicate key \"" + key + "\"");
      expect_char(':');
      object[key] = parse_value(depth + 1);
      if (peek() == '}') break;
      expect_char(',');
    }
    ++at_;
    return Json(std::move(object));
  }

  Json parse_array(int depth) {
    expect_char('[');
    Json::Array array;
    if (peek() == ']') {
      ++at_;
      return Json(std::move(array));
    }
    while (true) {
      array.push_back(parse_value(depth + 1));
      if (peek() == ']') break;
      expect_char(',');
    }
    ++at_;
    return Json(std::move(array));
  }

  bool digit_at(size_t at) const { return at < text_.size() && text_[at] >= '0' && text_[at] <= '9'; }
  void skip_digits() {
    while (digit_at(at_)) ++at_;
  }

  // RFC 8259, §6:  number = [ "-" ] int [ frac ] [ exp ]
  //   int = "0" / ( digit1-9 *DIGIT )   frac = "." 1*DIGIT   exp = ("e" / "E") [ "-" / "+" ] 1*DIGIT
  // So "01", "+1", "1.", ".5" and "1e" are not numbers. A number too small for a double becomes
  // a subnormal or 0 (as any JSON reader does); one too large is an error.
  double parse_number() {
    const size_t start = at_;
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    if (!digit_at(at_)) fail("expected a value");
    if (text_[at_] == '0') {
      ++at_;
      if (digit_at(at_)) fail("a number may not start with 0");
    } else {
      skip_digits();
    }
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (!digit_at(at_)) fail("expected a digit after the decimal point");
      skip_digits();
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (!digit_at(at_)) fail("expected a digit in the exponent");
      skip_digits();
    }
    // The grammar is checked, so strtod reads all of it (attn never changes the C locale's
    // "."). It rounds correctly, gives subnormals and 0 below the smallest double, and inf above
    // the largest.
    const double number = std::strtod(text_.substr(start, at_ - start).c_str(), nullptr);
    if (std::isinf(number)) fail("number out of range");
    return number;
  }

  // Appends code point `cp` to `out` as UTF-8.
  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  uint32_t parse_hex4() {
    if (at_ + 4 > text_.size()) fail("truncated \\u escape");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[at_++];
      value <<= 4;
      if (h >= '0' && h <= '9') value |= static_cast<uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') value |= static_cast<uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') value |= static_cast<uint32_t>(h - 'A' + 10);
      else fail("bad hex digit in \\u escape");
    }
    return value;
  }

  // RFC 8259, §7: a string holds UTF-8 text with no raw control character; \uXXXX escapes a
  // UTF-16 code unit, and a surrogate must come as a high-low pair.
  std::string parse_string() {
    const size_t start = at_;
    ++at_;  // the opening quote
    std::string out;
    while (true) {
      if (at_ >= text_.size()) fail("unterminated string");
      const char c = text_[at_++];
      if (c == '"') break;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_ >= text_.size()) fail("unterminated escape");
      const char e = text_[at_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': append_utf8(out, parse_code_point()); break;
        default: fail("unknown escape");
      }
    }
    if (!is_valid_utf8(out)) {
      at_ = start;
      fail("invalid UTF-8 in a string");
    }
    return out;
  }

  // The code point of a \u escape (the "\u" already read), joining a surrogate pair.
  uint32_t parse_code_point() {
    const uint32_t unit = parse_hex4();
    if (unit >= 0xDC00 && unit <= 0xDFFF) fail("lone low surrogate in \\u escape");
    if (unit < 0xD800 || unit > 0xDBFF) return unit;
    if (text_.compare(at_, 2, "\\u") != 0) fail("lone high surrogate in \\u escape");
    at_ += 2;
    const uint32_t low = parse_hex4();
    if (low < 0xDC00 || low > 0xDFFF) fail("high surrogate not followed by a low one");
    return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
  }

  const std::string& text_;
  size_t at_ = 0;
};

}  // namespace

Json Json::parse(const std::string& text) { return Parser(text).parse_document(); }

}  // namespace attn
