// Declared settings (see settings.h): parsing and printing each kind of value as text.
#include "nn/settings.h"

#include <charconv>
#include <cmath>
#include <system_error>

#include "tensor/error.h"

namespace attn {

namespace {

// "d_model" -> "d-model": options are spelled with hyphens, JSON keys with underscores.
std::string option_name(std::string name) {
  for (char& c : name)
    if (c == '_') c = '-';
  return name;
}

Setting make_setting(const std::string& name, const std::string& help, SettingKind kind) {
  Setting setting;
  setting.name = name;
  setting.option = option_name(name);
  setting.help = help;
  setting.kind = kind;
  return setting;
}

// The whole of `text` as a T (an integer or a floating-point type), or nothing.
template <typename T>
bool parse_whole(const std::string& text, T& value) {
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  return !text.empty() && error == std::errc() && stop == end;
}

template <typename T>
std::string shortest_text(T value) {
  char buffer[64];
  const auto [stop, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, error == std::errc() ? stop : buffer);
}

std::string range_text(int64_t minimum, int64_t maximum) {
  if (maximum == kNoMaximum) return ">= " + std::to_string(minimum);
  return "in " + std::to_string(minimum) + ".." + std::to_string(maximum);
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

int64_t parse_integer(const std::string& text, int64_t minimum, int64_t maximum) {
  int64_t value = 0;
  if (!parse_whole(text, value)) throw Error("expects a whole number, got '" + text + "'");
  if (value < minimum || value > maximum)
    throw Error("must be " + range_text(minimum, maximum) + ", got " + text);
  return value;
}

// A range's end as people write it: whole numbers without an exponent (1000000, not 1e+06).
std::string bound_text(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    return std::to_string(static_cast<int64_t>(value));
  return number_text(value);
}

template <typename Float>
Setting floating_setting(const std::string& name, Float& field, const std::string& help,
                         double minimum, double maximum) {
  Setting setting = make_setting(name, help, SettingKind::number);
  setting.get = [&field] { return shortest_text(field); };
  setting.set = [&field, minimum, maximum](const std::string& text) {
    Float value = 0;
    if (!parse_whole(text, value) || !std::isfinite(value))
      throw Error("expects a number, got '" + text + "'");
    if (value < minimum || value > maximum)
      throw Error("must be in " + bound_text(minimum) + ".." + bound_text(maximum) + ", got " +
                  text);
    field = value;
  };
  return setting;
}

}  // namespace

Setting Setting::with_option(const std::string& option_name) const {
  Setting renamed = *this;
  renamed.option = option_name;
  return renamed;
}

Setting Setting::made_internal() const {
  Setting hidden = *this;
  hidden.internal = true;
  return hidden;
}

std::string number_text(double value) { return shortest_text(value); }
std::string number_text(float value) { return shortest_text(value); }

Setting integer_setting(const std::string& name, int64_t& field, const std::string& help,
                        int64_t minimum, int64_t maximum) {
  Setting setting = make_setting(name, help, SettingKind::integer);
  setting.get = [&field] { return std::to_string(field); };
  setting.set = [&field, minimum, maximum](const std::string& text) {
    field = parse_integer(text, minimum, maximum);
  };
  return setting;
}

Setting seed_setting(const std::string& name, uint64_t& field, const std::string& help) {
  constexpr int64_t kLargestExact = int64_t{1} << 53;  // JSON numbers are doubles
  Setting setting = make_setting(name, help, SettingKind::integer);
  setting.get = [&field] { return std::to_string(field); };
  setting.set = [&field](const std::string& text) {
    field = static_cast<uint64_t>(parse_integer(text, 0, kLargestExact));
  };
  return setting;
}

Setting number_setting(const std::string& name, float& field, const std::string& help,
                       double minimum, double maximum) {
  return floating_setting(name, field, help, minimum, maximum);
}

Setting number_setting(const std::string& name, double& field, const std::string& help,
                       double minimum, double maximum) {
  return floating_setting(name, field, help, minimum, maximum);
}

Setting flag_setting(const std::string& name, bool& field, const std::string& help) {
  Setting setting = make_setting(name, help, SettingKind::flag);
  setting.choices = {"true", "false"};
  setting.get = [&field] { return std::string(field ? "true" : "false"); };
  setting.set = [&field](const std::string& text) {
    if (text != "true" && text != "false") throw Error("expects true or false, got '" + text + "'");
    field = text == "true";
  };
  return setting;
}

Setting text_setting(const std::string& name, std::string& field, const std::string& help,
                     std::vector<std::string> choices) {
  Setting setting = make_setting(name, help, SettingKind::text);
  setting.choices = choices;
  setting.get = [&field] { return field; };
  setting.set = [&field, choices](const std::string& text) {
    bool allowed = choices.empty();
    for (const std::string& choice : choices) allowed = allowed || choice == text;
    if (!allowed) throw Error("must be one of " + joined(choices) + ", got '" + text + "'");
    field = text;
  };
  return setting;
}

Setting custom_setting(const std::string& name, SettingKind kind, const std::string& help,
                       std::function<std::string()> get,
                       std::function<void(const std::string&)> set) {
  Setting setting = make_setting(name, help, kind);
  setting.get = std::move(get);
  setting.set = std::move(set);
  return setting;
}

Setting make_choice_setting(const std::string& name, const std::string& help,
                            std::vector<std::string> choices, std::function<std::string()> get,
                            std::function<void(size_t)> set_index) {
  Setting setting = make_setting(name, help, SettingKind::text);
  setting.choices = choices;
  setting.get = std::move(get);
  setting.set = [choices, set_index](const std::string& text) {
    for (size_t i = 0; i < choices.size(); ++i)
      if (choices[i] == text) return set_index(i);
    throw Error("must be one of " + joined(choices) + ", got '" + text + "'");
  };
  return setting;
}

Setting& find_setting(Settings& settings, const std::string& name, const std::string& owner) {
  std::vector<std::string> known;
  for (Setting& setting : settings) {
    if (setting.name == name) return setting;
    known.push_back(setting.name);
  }
  throw Error(owner + ": unknown setting '" + name +
              "'; known: " + (known.empty() ? std::string("none") : joined(known)));
}

void apply_settings_text(Settings& settings, const std::string& text, const std::string& owner) {
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(begin, end - begin);
    const size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0)
      throw Error(owner + ": expected key=value, got '" + item + "'");
    Setting& setting = find_setting(settings, item.substr(0, equals), owner);
    try {
      setting.set(item.substr(equals + 1));
    } catch (const Error& error) {
      throw Error(owner + ": " + setting.name + " " + error.what());
    }
    begin = end + 1;
  }
}

}  // namespace attn
