// Training checkpoints in one atomically written safetensors file (see checkpoint.h).
#include "train/checkpoint.h"

#include <stdexcept>

#include "train/io/safetensors.h"
#include "train/optim/optimizer.h"

namespace attn {

// Generator states are 64-bit: JSON numbers (doubles) would round them, so they travel as text.
static Json generator_to_json(const std::array<uint64_t, 4>& state) {
  Json::Array words;
  for (uint64_t word : state) words.push_back(Json(std::to_string(word)));
  return Json(words);
}

static std::array<uint64_t, 4> generator_from_json(const Json& json) {
  const Json::Array& words = json.as_array();
  if (words.size() != 4) throw std::runtime_error("a generator state needs 4 words");
  std::array<uint64_t, 4> state{};
  for (size_t i = 0; i < 4; ++i) state[i] = std::stoull(words[i].as_string());
  return state;
}

Json TrainingState::to_json() const {
  Json json;
  json["step"] = Json(step);
  json["epoch"] = Json(epoch);
  json["batch_in_epoch"] = Json(batch_in_epoch);
  json["epoch_generator"] = generator_to_json(epoch_generator);
  json["best_bleu"] = Json(best_bleu);
  json["best_loss"] = Json(best_loss);
  json["elapsed_seconds"] = Json(elapsed_seconds);
  json["target_tokens"] = Json(target_tokens);
  return json;
}

TrainingState TrainingState::from_json(const Json& json) {
  TrainingState state;
  state.step = json.at("step").as_int();
  state.epoch = json.at("epoch").as_int();
  state.batch_in_epoch = json.at("batch_in_epoch").as_int();
  state.epoch_generator = generator_from_json(json.at("epoch_generator"));
  state.best_bleu = json.at("best_bleu").as_number();
  state.best_loss = json.at("best_loss").as_number();
  state.elapsed_seconds = json.at("elapsed_seconds").as_number();
  state.target_tokens = json.at("target_tokens").as_int();
  return state;
}

void save_checkpoint(const std::string& path, Seq2Seq& model, const Optimizer& optimizer,
                     const TrainingState& state) {
  StateDict tensors = model.state_dict();
  const OptimizerState optimizer_state = optimizer.state();
  tensors.insert(optimizer_state.tensors.begin(), optimizer_state.tensors.end());
  Json meta = state.to_json();
  for (const auto& [name, count] : optimizer_state.counters) meta[name] = Json(count);
  meta["model_generator"] = generator_to_json(model.generator().state());
  save_safetensors(path, tensors, {{"state", meta.dump()}, {"format", "pt"}});
}

TrainingState load_checkpoint(const std::string& path, Seq2Seq& model, Optimizer& optimizer) {
  Metadata metadata;
  StateDict tensors = load_safetensors(path, &metadata);
  if (!metadata.count("state")) throw std::runtime_error(path + ": no training state in metadata");
  try {
    const Json meta = Json::parse(metadata.at("state"));
    StateDict weights;
    for (const auto& [name, parameter] : model.named_parameters()) {
      auto found = tensors.find(name);
      if (found == tensors.end()) throw std::runtime_error(name + ": missing");
      weights[name] = found->second;
    }
    // What the optimiser keeps, by the names it gives it: its tensors from the file's tensors,
    // its counters from the metadata.
    OptimizerState saved = optimizer.state();
    for (auto& [name, tensor] : saved.tensors) {
      auto found = tensors.find(name);
      if (found == tensors.end()) throw std::runtime_error(name + ": missing");
      tensor = found->second;
    }
    for (auto& [name, count] : saved.counters) count = meta.at(name).as_int();
    model.load_state_dict(weights);
    optimizer.load_state(saved);
    model.generator().set_state(generator_from_json(meta.at("model_generator")));
    return TrainingState::from_json(meta);
  } catch (const std::exception& error) {
    throw std::runtime_error(path + ": " + error.what());
  }
}

}  // namespace attn
