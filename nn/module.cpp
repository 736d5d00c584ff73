// Module: named parameters, children, modes and state dictionaries (see module.h).
#include "nn/module.h"

#include "tensor/error.h"

namespace attn {

Variable Module::register_parameter(const std::string& name, Tensor value) {
  Variable parameter(std::move(value), true);
  parameters_.emplace_back(name, parameter);
  return parameter;
}

Variable Module::register_parameter(const std::string& name, const Variable& parameter) {
  check(parameter.defined() && parameter.requires_grad(), "register_parameter", [&] {
    return name + ": a shared parameter must be a defined variable that requires a gradient";
  });
  parameters_.emplace_back(name, parameter);
  return parameter;
}

void Module::register_module(const std::string& name, Module& child) {
  children_.emplace_back(name, &child);
}

namespace {

bool listed(const std::vector<std::pair<std::string, Variable>>& named, const Variable& parameter) {
  for (const auto& [name, other] : named)
    if (other.same_as(parameter)) return true;
  return false;
}

}  // namespace

void Module::collect_parameters(const std::string& prefix,
                                std::vector<std::pair<std::string, Variable>>& out) const {
  for (const auto& [name, parameter] : parameters_)
    if (!listed(out, parameter)) out.emplace_back(prefix + name, parameter);  // tied: once
  for (const auto& [name, child] : children_) child->collect_parameters(prefix + name + ".", out);
}

std::vector<std::pair<std::string, Variable>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Variable>> out;
  collect_parameters("", out);
  return out;
}

std::vector<Variable> Module::parameters() const {
  std::vector<Variable> out;
  for (auto& [name, parameter] : named_parameters()) out.push_back(parameter);
  return out;
}

int64_t Module::parameter_count() const {
  int64_t count = 0;
  for (const Variable& parameter : parameters()) count += parameter.value().numel();
  return count;
}

void Module::train(bool training) {
  training_ = training;
  for (auto& [name, child] : children_) child->train(training);
}

void Module::zero_grad() {
  for (Variable& parameter : parameters()) parameter.zero_grad();
}

StateDict Module::state_dict() const {
  StateDict state;
  for (const auto& [name, parameter] : named_parameters()) state[name] = parameter.value().clone();
  return state;
}

void Module::load_state_dict(const StateDict& state) {
  const auto named = named_parameters();
  // Check everything first, so a bad checkpoint leaves the model untouched.
  // Plain names, not structured bindings, in these loops: the messages' lambdas capture them.
  for (const auto& entry : named) {
    const std::string& name = entry.first;
    const Shape& shape = entry.second.shape();
    auto found = state.find(name);
    check(found != state.end(), "load_state_dict",
          [&] { return name + ": missing from the checkpoint"; });
    check(found->second.shape() == shape, "load_state_dict", [&] {
      return name + ": checkpoint has " + to_string(found->second.shape()) + ", model has " +
             to_string(shape);
    });
  }
  if (state.size() != named.size()) {
    std::map<std::string, bool> known;
    for (const auto& [name, parameter] : named) known[name] = true;
    for (const auto& entry : state) {
      const std::string& name = entry.first;
      check(known.count(name) > 0, "load_state_dict",
            [&] { return name + ": not a parameter of this model"; });
    }
  }
  for (auto [name, parameter] : named) parameter.mutable_value().copy_from(state.at(name));
}

}  // namespace attn
