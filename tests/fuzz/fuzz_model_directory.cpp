// Fuzz target: a model directory as `attn translate` reads it. The input is config.json's
// length (4 bytes, little-endian), config.json, then model.safetensors; a model that loads
// translates two sentences greedily and one with a beam.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>

#include "models/transformer/transformer.h"
#include "tests/fuzz/targets.h"
#include "train/io/atomic_file.h"
#include "train/io/safetensors.h"
#include "train/translator.h"

namespace attn::fuzz {

void fuzz_model_directory(const std::string& input) {
  uint32_t config_length = 0;
  if (input.size() >= 4) std::memcpy(&config_length, input.data(), 4);
  const size_t begin = std::min<size_t>(4, input.size());
  const size_t split = std::min<size_t>(input.size(), begin + size_t{config_length});
  const std::string dir = scratch_directory() + "/model";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  write_file_atomically(dir + "/config.json", input.substr(begin, split - begin));
  write_file_atomically(dir + "/model.safetensors", input.substr(split));
  auto translator = Translator::load(dir);
  TranslateOptions options;
  options.max_length = 8;
  translator->translate({"ein Hund läuft durch den Schnee .", ""}, options);
  options.beam_size = 2;
  translator->translate({"zwei Katzen"}, options);
}

std::string seed_model_directory() {
  std::map<std::string, int64_t> counts;
  for (char c = 'a'; c <= 'z'; ++c) counts[std::string(1, c)] = 1;
  const TextSide side{std::make_shared<CharTokenizer>(), Vocabulary::from_counts(counts)};
  TransformerConfig config = TransformerConfig::micro(side.vocabulary.size(), side.vocabulary.size());
  config.encoder_layers = config.decoder_layers = 1;
  config.max_length = 16;
  LengthLimit limit;
  limit.observe(2, 3);  // config.json's "length_limit", as attn train writes it
  Translator translator(config, side, side, limit);
  const std::string json = translator.to_json().dump();
  const auto length = static_cast<uint32_t>(json.size());
  return std::string(reinterpret_cast<const char*>(&length), 4) + json +
         encode_safetensors(translator.model().state_dict(), {{"format", "pt"}});
}

}  // namespace attn::fuzz
