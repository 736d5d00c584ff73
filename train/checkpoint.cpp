// Training checkpoints in one atomically written safetensors file (see checkpoint.h).
#include "train/checkpoint.h"

#include <charconv>
#include <limits>
#include <stdexcept>
#include <system_error>

#include "tensor/reduce.h"
#include "train/io/safetensors.h"
#include "train/optim/optimizer.h"

namespace attn {

// Generator states are 64-bit: JSON numbers (doubles) would round them, so they travel as text.
static Json generator_to_json(const std::array<uint64_t, 4>& state) {
  Json::Array words;
  for (uint64_t word : state) words.push_back(Json(std::to_string(word)));
  return Json(words);
}

// Four whole numbers as text, not all zero (xoshiro256** never leaves the all-zero state: a
// generator set to it would return 0 forever).
static std::array<uint64_t, 4> generator_from_json(const Json& json, const std::string& key) {
  const Json::Array& words = json.as_array();
  if (words.size() != 4) throw std::runtime_error(key + ": a generator state needs 4 words");
  std::array<uint64_t, 4> state{};
  for (size_t i = 0; i < 4; ++i) {
    const std::string& text = words[i].as_string();
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), state[i]);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
      throw std::runtime_error(key + ": '" + text + "' is not a 64-bit whole number");
  }
  if (state == std::array<uint64_t, 4>{}) throw std::runtime_error(key + ": the state is all zero");
  return state;
}

// json[key], a whole number in [minimum, maximum]; errors name the key.
static int64_t whole(const Json& json, const std::string& key, int64_t minimum,
                     int64_t maximum = std::numeric_limits<int64_t>::max()) {
  const int64_t value = json.at(key).as_int();
  if (value < minimum || value > maximum)
    throw std::runtime_error(key + " is " + std::to_string(value) + ", outside " +
                             std::to_string(minimum) + ".." + std::to_string(maximum));
  return value;
}

// json[key], a finite number in [minimum, maximum]; errors name the key.
static double number(const Json& json, const std::string& key, double minimum, double maximum) {
  const double value = json.at(key).as_number();
  if (!(value >= minimum && value <= maximum))
    throw std::runtime_error(key + " is " + std::to_string(value) + ", outside " +
                             std::to_string(minimum) + ".." + std::to_string(maximum));
  return value;
}

Json TrainingState::to_json() const {
  Json json;
  json["step"] = Json(step);
  json["epoch"] = Json(epoch);
  json["batch_in_epoch"] = Json(batch_in_epoch);
  json["epoch_generator"] = generator_to_json(epoch_generator);
  json["best_score"] = Json(best_score);
  json["best_loss"] = Json(best_loss);
  json["elapsed_seconds"] = Json(elapsed_seconds);
  json["target_tokens"] = Json(target_tokens);
  return json;
}

TrainingState TrainingState::from_json(const Json& json) {
  // Every field is checked against what it means or indexes; batch_in_epoch is checked against
  // the epoch's batches by the training loop, which knows them.
  TrainingState state;
  state.step = whole(json, "step", 0);
  state.epoch = whole(json, "epoch", 0);
  state.batch_in_epoch = whole(json, "batch_in_epoch", 0);
  state.epoch_generator = generator_from_json(json.at("epoch_generator"), "epoch_generator");
  // Checkpoints written before the score was general called it best_bleu.
  state.best_score = number(json, json.contains("best_bleu") ? "best_bleu" : "best_score", -1, 100);
  state.best_loss = number(json, "best_loss", -1, std::numeric_limits<double>::max());
  state.elapsed_seconds = number(json, "elapsed_seconds", 0, std::numeric_limits<double>::max());
  state.target_tokens = whole(json, "target_tokens", 0);
  return state;
}

void save_checkpoint(const std::string& path, Seq2Seq& model, const Optimizer& optimizer,
                     const TrainingState& state, const WeightAverage* average) {
  save_checkpoint(path, model, model.generator(), optimizer, state, average);
}

TrainingState load_checkpoint(const std::string& path, Seq2Seq& model, Optimizer& optimizer,
                              WeightAverage* average) {
  return load_checkpoint(path, model, model.generator(), optimizer, average);
}

void save_checkpoint(const std::string& path, Module& model, const Generator& generator,
                     const Optimizer& optimizer, const TrainingState& state,
                     const WeightAverage* average) {
  StateDict tensors = model.state_dict();
  Json meta = state.to_json();
  auto add = [&](const OptimizerState& extra) {
    tensors.insert(extra.tensors.begin(), extra.tensors.end());
    for (const auto& [name, count] : extra.counters) meta[name] = Json(count);
  };
  add(optimizer.state());
  if (average) add(average->state());
  meta["model_generator"] = generator_to_json(generator.state());
  save_safetensors(path, tensors, {{"state", meta.dump()}, {"format", "pt"}});
}

TrainingState load_checkpoint(const std::string& path, Module& model, Generator& generator,
                              Optimizer& optimizer, WeightAverage* average) {
  Metadata metadata;
  StateDict tensors = load_safetensors(path, &metadata);
  if (!metadata.count("state")) throw std::runtime_error(path + ": no training state in metadata");
  try {
    const Json meta = Json::parse(metadata.at("state"));
    // Everything is read and checked before anything is changed.
    const TrainingState state = TrainingState::from_json(meta);
    const auto model_generator = generator_from_json(meta.at("model_generator"), "model_generator");
    StateDict weights;
    for (const auto& [name, parameter] : model.named_parameters()) {
      auto found = tensors.find(name);
      if (found == tensors.end()) throw std::runtime_error(name + ": missing");
      weights[name] = found->second;
    }
    // What the optimiser (and the average) keep, by the names they give it: tensors from the
    // file's tensors, counters from the metadata.
    auto saved = [&](OptimizerState wanted) {
      for (auto& [name, tensor] : wanted.tensors) {
        auto found = tensors.find(name);
        if (found == tensors.end()) throw std::runtime_error(name + ": missing");
        tensor = found->second;
      }
      for (auto& [name, count] : wanted.counters) count = whole(meta, name, 0);
      return wanted;
    };
    const OptimizerState optimizer_state = saved(optimizer.state());
    const OptimizerState average_state = average ? saved(average->state()) : OptimizerState{};
    // The trainer never writes a weight that is not finite; a file that holds one was damaged.
    for (const auto& [name, weight] : weights)
      if (!all_finite(weight)) throw std::runtime_error(name + " holds a value that is not finite");
    for (const auto& [name, sum] : average_state.tensors)
      if (!all_finite(sum)) throw std::runtime_error(name + " holds a value that is not finite");
    if (average) average->load_state(average_state);
    model.load_state_dict(weights);
    optimizer.load_state(optimizer_state);
    generator.set_state(model_generator);
    return state;
  } catch (const std::exception& error) {
    throw std::runtime_error(path + ": " + error.what());
  }
}

}  // namespace attn
