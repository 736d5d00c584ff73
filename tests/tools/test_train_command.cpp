// attn train's command line against the declarations it is generated from: for every registered
// architecture, every setting is an option, is in --help, and sets what it names; bad values are
// one line naming the option.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "models/registry.h"
#include "tools/attn/arguments.h"
#include "tools/attn/train_command.h"

using namespace attn;
using namespace attn::cli;

namespace {

// A valid value of `setting` other than its current one (doubling a size keeps heads dividing
// d_model).
std::string other_value(const Setting& setting) {
  const std::string current = setting.get();
  for (const std::string& choice : setting.choices)
    if (choice != current) return choice;
  switch (setting.kind) {
    case SettingKind::integer:
      return std::to_string(std::max<int64_t>(1, 2 * std::stoll(current)));
    case SettingKind::number:
      return current == "0.25" ? "0.5" : "0.25";
    case SettingKind::flag:
      return current == "true" ? "false" : "true";
    case SettingKind::text:
      return setting.name == "score" ? "alibi" : current + "x";
  }
  return current;
}

const std::vector<std::string> kData = {"--tsv", "train.tsv", "--out", "model"};

// Where a setting lives: the model's config, or the training options.
enum class Owner { model, training };

// The setting `name` of what the parse produced.
std::string parsed_value(TrainOptions& options, const std::string& name,
                         Owner owner = Owner::model) {
  std::vector<Settings> lists;
  if (owner == Owner::model)
    lists.push_back(std::const_pointer_cast<ModelConfig>(options.model)->settings());
  else
    lists = {options.saved_settings(), options.run_settings()};
  for (Settings& settings : lists)
    for (const Setting& setting : settings)
      if (setting.name == name) return setting.get();
  FAIL("no setting " << name);
  return "";
}

std::string usage_error(const std::vector<std::string>& args) {
  try {
    parse_train_arguments(args);
  } catch (const UsageError& error) {
    return error.message;
  }
  return "(no error)";
}

}  // namespace

TEST_CASE(
    "attn train: for every architecture, every setting is an option that sets it and is in "
    "--help") {
  for (const ModelEntry& entry : model_architectures()) {
    CAPTURE(entry.name);
    const std::string help = train_help(entry.name);
    CHECK(help.find("usage: attn train") != std::string::npos);
    std::unique_ptr<ModelConfig> config = default_model_config(entry.name);
    TrainOptions defaults;
    std::vector<std::pair<Setting, Owner>> all;
    for (const Setting& setting : config->settings()) all.emplace_back(setting, Owner::model);
    for (const Settings& more : {defaults.saved_settings(), defaults.run_settings()})
      for (const Setting& setting : more) all.emplace_back(setting, Owner::training);
    std::set<std::string> options;
    for (const auto& [setting, owner] : all) {
      if (setting.internal) continue;
      CAPTURE(setting.name);
      CHECK(options.insert(setting.option).second);  // no option named twice
      CHECK(help.find("  --" + setting.option + " ") != std::string::npos);
      const std::string value = other_value(setting);
      std::vector<std::string> args = kData;
      args.insert(args.end(), {"--arch", entry.name, "--" + setting.option, value});
      // Either the option sets its value, or the architecture refuses the combination it makes
      // with the defaults (--input-feed with Bahdanau's decoder) in one line naming the option.
      const std::string refused = usage_error(args);
      if (refused != "(no error)") {
        CHECK(refused.find("--" + setting.option) != std::string::npos);
        continue;
      }
      TrainOptions parsed = parse_train_arguments(args);
      CHECK(parsed_value(parsed, setting.name, owner) == value);
    }
  }
}

TEST_CASE("attn train --arch rnn: --attention brings the paper's defaults; options after it win") {
  const std::vector<std::string> rnn = {"--tsv", "t", "--out", "o", "--arch", "rnn"};
  auto parsed = [&](std::vector<std::string> more) {
    more.insert(more.begin(), rnn.begin(), rnn.end());
    return parse_train_arguments(more);
  };
  TrainOptions options = parsed({});
  CHECK(parsed_value(options, "attention") == "bahdanau");
  CHECK(parsed_value(options, "cell") == "gru");
  options = parsed({"--attention", "luong"});
  CHECK(parsed_value(options, "cell") == "lstm");
  CHECK(parsed_value(options, "input_feed") == "true");
  // Whatever the order on the command line, an explicit option overrides --attention's default.
  options = parsed({"--input-feed", "false", "--cell", "gru", "--attention", "luong"});
  CHECK(parsed_value(options, "input_feed") == "false");
  CHECK(parsed_value(options, "cell") == "gru");
  CHECK(usage_error({"--tsv", "t", "--out", "o", "--arch", "rnn", "--input-feed", "true"}) ==
        "attn train: rnn: --input-feed is Luong's (§3.3); Bahdanau's decoder reads c_t at every "
        "step anyway");
  CHECK(usage_error({"--tsv", "t", "--out", "o", "--arch", "rnn", "--window", "middle"}) ==
        "attn train: --window must be one of global, local-m, local-p, got 'middle'");
}

TEST_CASE("attn train: a preset sets the sizes and a setting given with it overrides them") {
  TrainOptions options =
      parse_train_arguments({"--tsv", "t", "--out", "o", "--preset", "small", "--d-model", "64"});
  CHECK(parsed_value(options, "d_model") == "64");
  CHECK(parsed_value(options, "encoder_layers") == "3");  // from small
  CHECK(parsed_value(options, "arch") == "transformer");
  options = parse_train_arguments(kData);  // the default preset, tiny
  CHECK(parsed_value(options, "d_model") == "128");
}

TEST_CASE("attn train: bad options are one line naming the option") {
  CHECK(usage_error({"--tsv", "t", "--out", "o", "--d-model", "0"}) ==
        "attn train: --d-model must be in 1..16384, got 0");
  CHECK(usage_error({"--tsv", "t", "--out", "o", "--dropout", "1.5"}) ==
        "attn train: --dropout must be in 0..0.99, got 1.5");
  CHECK(usage_error({"--tsv", "t", "--out", "o", "--norm", "middle"}) ==
        "attn train: --norm must be one of post, pre, got 'middle'");
  CHECK(usage_error({"--tsv", "t", "--out", "o", "--lr", "fast"}) ==
        "attn train: --lr expects a number, got 'fast'");
  CHECK(usage_error({"--tsv", "t", "--out", "o", "--score", "alibi:slope=2"}) ==
        "attn train: --score alibi score: takes no settings, got 'slope=2'");
  CHECK(usage_error({"--tsv", "t", "--out", "o", "--preset", "huge"})
            .find("--preset: transformer: unknown preset 'huge'") != std::string::npos);
  CHECK(usage_error({"--tsv", "t", "--out", "o", "--arch", "rnn9000"})
            .find("unknown architecture 'rnn9000'; known: transformer") != std::string::npos);
  CHECK(usage_error({"--tsv", "t", "--out", "o", "--heads", "3"}) ==
        "attn train: transformer: d_model 128 is not divisible by heads 3");
  CHECK(usage_error({"--tsv", "t", "--out", "o", "--source-vocab", "9"}) ==
        "attn train: unknown option --source-vocab (see attn train --help)");
}
