// A small JSON value: enough to write and read a model's configuration and vocabulary.
//
// JSON (RFC 8259) has six kinds of value: null, true/false, numbers, strings, arrays and
// objects. Json holds one of them; parse() reads text, dump() writes it back. Objects keep
// their keys sorted (std::map), so the same value always prints the same text.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attn {

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::map<std::string, Json>;

  enum class Kind { null, boolean, number, string, array, object };

  Json() = default;  // null
  Json(bool value) : kind_(Kind::boolean), boolean_(value) {}
  Json(double value) : kind_(Kind::number), number_(value) {}
  Json(int value) : kind_(Kind::number), number_(value) {}
  Json(int64_t value) : kind_(Kind::number), number_(static_cast<double>(value)) {}
  Json(const char* value) : kind_(Kind::string), string_(value) {}
  Json(std::string value) : kind_(Kind::string), string_(std::move(value)) {}
  Json(Array value) : kind_(Kind::array), array_(std::move(value)) {}
  Json(Object value) : kind_(Kind::object), object_(std::move(value)) {}

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_object() const { return kind_ == Kind::object; }
  bool is_array() const { return kind_ == Kind::array; }

  // Typed access; each throws "json: expected <kind>" on the wrong kind.
  bool as_bool() const;
  double as_number() const;
  int64_t as_int() const;  // also checks the number is whole
  const std::string& as_string() const;
  const Array& as_array() const;
  const Object& as_object() const;

  // Object member access. at() throws naming a missing key; contains() asks first.
  const Json& at(const std::string& key) const;
  bool contains(const std::string& key) const;
  Json& operator[](const std::string& key);  // makes this an object if it is null

  // Compact text; numbers that are whole print without a decimal point.
  std::string dump() const;
  // Throws "json: <what> at offset N" on malformed text.
  static Json parse(const std::string& text);

 private:
  // One member per kind, only the one named by kind_ in use: plainer than std::variant, and
  // free of the false "may be used uninitialized" warnings GCC 12 gives for variants of maps.
  Kind kind_ = Kind::null;
  bool boolean_ = false;
  double number_ = 0;
  std::string string_;
  Array array_;
  Object object_;
};

}  // namespace attn
