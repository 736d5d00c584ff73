// Module: the base of every layer, as torch.nn.Module.
//
// A module owns named parameters (Variables that require gradients) and named child modules.
// Names compose with dots, so the whole model's parameters have addresses such as
//   encoder.layers.0.self_attn.w_q.weight
// and a state dictionary (name -> tensor) can save and restore all of them.
//
// A parameter may belong to two modules (tied weights: a memory network's A_{k+1} = C_k, an
// output layer that reuses the embedding). It is still one parameter: named_parameters() lists
// it once, under the first name it is reached by, so the optimiser updates it once per step
// with the sum of the gradients from both uses.
//
// train() / eval() switch the mode of the module and all its children (dropout is active only
// in training). Modules are neither copyable nor movable: children are registered by address.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "autograd/variable.h"

namespace attn {

using StateDict = std::map<std::string, Tensor>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Every parameter of this module and its children, in registration order, with full names;
  // a parameter reached twice is listed once, under its first name.
  std::vector<std::pair<std::string, Variable>> named_parameters() const;
  std::vector<Variable> parameters() const;
  int64_t parameter_count() const;  // number of scalars

  void train(bool training = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  void zero_grad();

  // name -> a copy of each parameter's value.
  StateDict state_dict() const;
  // Copies values in by name. Throws, changing nothing, when a name is missing or unexpected or
  // a shape differs: "load_state_dict: encoder.layers.0.w_q.weight: checkpoint has [64,32],
  // model has [128,128]".
  void load_state_dict(const StateDict& state);

 protected:
  // Registers a parameter under `name` and returns it (a handle sharing its value).
  Variable register_parameter(const std::string& name, Tensor value);
  // Registers `parameter`, which another module already owns, under `name` too: a tied weight.
  Variable register_parameter(const std::string& name, const Variable& parameter);
  // Registers a child; `child` must outlive this module (it is normally a member).
  void register_module(const std::string& name, Module& child);

 private:
  void collect_parameters(const std::string& prefix,
                          std::vector<std::pair<std::string, Variable>>& out) const;

  std::vector<std::pair<std::string, Variable>> parameters_;
  std::vector<std::pair<std::string, Module*>> children_;
  bool training_ = true;
};

// Puts a module in eval mode for one scope, then restores the mode it had (decoding, validation).
class EvalModeGuard {
 public:
  explicit EvalModeGuard(Module& module) : module_(module), was_training_(module.is_training()) {
    module_.eval();
  }
  ~EvalModeGuard() { module_.train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  Module& module_;
  bool was_training_;
};

}  // namespace attn
