// Declared settings as JSON (see settings_json.h).
#include "train/io/settings_json.h"

#include <utility>

#include <stdexcept>

#include "tensor/error.h"

namespace attn {

namespace {

// A setting's value as the JSON value of its kind.
Json value_of(const Setting& setting) {
  const std::string text = setting.get();
  switch (setting.kind) {
    case SettingKind::integer:
      return Json(static_cast<int64_t>(std::stoll(text)));
    case SettingKind::number:
      return Json(std::stod(text));
    case SettingKind::flag:
      return Json(text == "true");
    case SettingKind::text:
      return Json(text);
  }
  return Json(text);
}

// A JSON value as the text a setting of that kind parses.
std::string text_of(const Setting& setting, const Json& value) {
  switch (setting.kind) {
    case SettingKind::integer:
      return std::to_string(value.as_int());
    case SettingKind::number:
      return number_text(value.as_number());
    case SettingKind::flag:
      return value.as_bool() ? "true" : "false";
    case SettingKind::text:
      return value.as_string();
  }
  return value.as_string();
}

}  // namespace

Json settings_to_json(const Settings& settings) {
  Json json = Json(Json::Object{});
  for (const Setting& setting : settings) json[setting.name] = value_of(setting);
  return json;
}

void settings_from_json(Settings& settings, const Json& json, const std::string& where) {
  if (!json.is_object()) throw std::runtime_error(where + ": expected an object");
  for (const auto& [key, value] : json.as_object()) {
    Setting* setting = nullptr;
    for (Setting& candidate : settings)
      if (candidate.name == key) setting = &candidate;
    if (!setting) throw std::runtime_error(where + ": unknown setting '" + key + "'");
    try {
      setting->set(text_of(*setting, value));
    } catch (const std::exception& error) {
      throw std::runtime_error(where + "." + key + ": " + error.what());
    }
  }
}

void refuse_changed_settings(const Settings& asked, const Settings& saved,
                             const std::set<std::string>& given, const std::string& config_path) {
  for (size_t i = 0; i < asked.size(); ++i)
    if (given.count(asked[i].name) && asked[i].get() != saved[i].get())
      throw Error("--" + asked[i].option + " " + asked[i].get() + " differs from the run being resumed (" +
                  saved[i].get() + " in " + config_path + "); leave it out, or train into a new --out");
}

Json run_config_json(const Settings& model, Json vocabulary, const Settings& training) {
  Json json;
  json["model"] = settings_to_json(model);
  json["vocabulary"] = std::move(vocabulary);
  json["training"] = settings_to_json(training);
  return json;
}

void resume_settings(const Json& saved, const std::string& config_path, Settings& model,
                     Settings& training, const Settings& asked_model,
                     const Settings& asked_training, const std::set<std::string>& given) {
  settings_from_json(model, saved.at("model"), config_path + ": model");
  settings_from_json(training, saved.at("training"), config_path + ": training");
  refuse_changed_settings(asked_model, model, given, config_path);
  refuse_changed_settings(asked_training, training, given, config_path);
}

}  // namespace attn
