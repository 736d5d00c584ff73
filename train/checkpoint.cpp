// Training checkpoints in one atomically written safetensors file (see checkpoint.h).
#include "train/checkpoint.h"

#include <stdexcept>

#include "train/io/safetensors.h"

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

void save_checkpoint(const std::string& path, Transformer& model, const Adam& optimizer,
                     const TrainingState& state) {
  StateDict tensors = model.state_dict();
  const auto named = model.named_parameters();
  const auto& parameters = optimizer.parameters();
  for (size_t i = 0; i < parameters.size(); ++i) {
    // The optimiser holds the model's parameters in named_parameters() order.
    if (!parameters[i].same_as(named[i].second))
      throw std::logic_error("save_checkpoint: optimizer and model disagree on parameter order");
    tensors["adam.m." + named[i].first] = optimizer.first_moments()[i];
    tensors["adam.v." + named[i].first] = optimizer.second_moments()[i];
  }
  Json meta = state.to_json();
  meta["adam_step"] = Json(optimizer.step_count());
  meta["model_generator"] = generator_to_json(model.generator().state());
  save_safetensors(path, tensors, {{"state", meta.dump()}, {"format", "pt"}});
}

TrainingState load_checkpoint(const std::string& path, Transformer& model, Adam& optimizer) {
  Metadata metadata;
  StateDict tensors = load_safetensors(path, &metadata);
  if (!metadata.count("state")) throw std::runtime_error(path + ": no training state in metadata");
  const Json meta = Json::parse(metadata.at("state"));
  StateDict weights;
  const auto named = model.named_parameters();
  for (const auto& [name, parameter] : named) {
    auto found = tensors.find(name);
    if (found == tensors.end()) throw std::runtime_error(path + ": " + name + ": missing");
    weights[name] = found->second;
  }
  try {
    model.load_state_dict(weights);
  } catch (const std::exception& error) {
    throw std::runtime_error(path + ": " + error.what());
  }
  for (size_t i = 0; i < named.size(); ++i) {
    for (const char* moment : {"m", "v"}) {
      const std::string key = std::string("adam.") + moment + "." + named[i].first;
      auto found = tensors.find(key);
      if (found == tensors.end()) throw std::runtime_error(path + ": " + key + ": missing");
      Tensor& target = moment[0] == 'm' ? optimizer.first_moments()[i] : optimizer.second_moments()[i];
      if (found->second.shape() != named[i].second.shape())
        throw std::runtime_error(path + ": " + key + ": checkpoint has " +
                                 to_string(found->second.shape()) + ", model has " +
                                 to_string(named[i].second.shape()));
      target = found->second;
    }
  }
  optimizer.set_step_count(meta.at("adam_step").as_int());
  model.generator().set_state(generator_from_json(meta.at("model_generator")));
  return TrainingState::from_json(meta);
}

}  // namespace attn
