// Optimisers: turn the gradients that backward() accumulated into parameter updates.
//
// The usual loop:   optimizer.zero_grad();  loss.backward();  optimizer.step();
//
// This header holds what every optimiser shares: the parameters it updates (by name, as
// Module::named_parameters() lists them), the learning rate, and the state a checkpoint saves
// to continue a run exactly. The update rules are in adam.h (Adam, AdamW) and sgd.h (SGD with
// momentum); clip_grad_norm, below, scales all gradients before the update. The numbers match
// torch.optim to rounding. Updates are written straight into Variable::mutable_value(), with no
// temporary tensors and no graph recorded.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "autograd/variable.h"
#include "nn/module.h"

namespace attn {

// Parameters with their names, as Module::named_parameters() lists them.
using NamedParameters = std::vector<std::pair<std::string, Variable>>;

// Unnamed parameters, named by their position: "0", "1", ...
NamedParameters named_by_position(const std::vector<Variable>& parameters);

// What an optimiser must save to continue a run exactly (train/checkpoint.h).
struct OptimizerState {
  // Per-parameter tensors, named "<optimiser>.<what>.<parameter>": adam.m.decoder.output.weight
  StateDict tensors;
  // Whole-number counters, named "<optimiser>_<what>": adam_step
  std::map<std::string, int64_t> counters;
};

class Optimizer {
 public:
  // Each parameter once (a tied weight is one parameter, nn/module.h); names are used by state().
  Optimizer(NamedParameters parameters, real learning_rate);
  virtual ~Optimizer() = default;

  // One update from the parameters' accumulated gradients; parameters without a gradient (not
  // reached by backward since the last zero_grad) are left untouched, state included.
  virtual void step() = 0;
  // Clears every parameter's gradient (gradients accumulate until this is called).
  void zero_grad();

  // Everything step() depends on besides the parameters and the learning rate.
  virtual OptimizerState state() const = 0;
  // Restores a state() of an optimiser over the same parameters. Throws naming the first tensor
  // or counter that is missing or does not fit, and then changes nothing.
  virtual void load_state(const OptimizerState& state) = 0;

  void set_learning_rate(real learning_rate);
  real learning_rate() const;
  const std::vector<Variable>& parameters() const;
  const std::vector<std::string>& names() const;

 protected:
  // A zero tensor shaped like each parameter (moments, velocities before the first step).
  std::vector<Tensor> zero_state() const;

  std::vector<Variable> parameters_;  // handles sharing the model's parameters
  std::vector<std::string> names_;    // one per parameter
  real learning_rate_;                // lr in the update rules
};

// For state(): one tensor per parameter, saved as "<prefix><parameter name>" (names[i] names
// tensors[i]).
void save_per_parameter(const std::vector<std::string>& names, const std::string& prefix,
                        const std::vector<Tensor>& tensors, StateDict& out);
// For load_state(): the tensors save_per_parameter wrote, each checked against its parameter's
// shape; returns copies, so the caller can check everything before changing anything.
std::vector<Tensor> load_per_parameter(const std::vector<std::string>& names,
                                       const std::vector<Variable>& parameters,
                                       const std::string& prefix, const StateDict& in);

// For load_state(): the whole-number counter `name` of `state`, checked to be there and >= 0;
// errors are `what`'s.
int64_t load_counter(const OptimizerState& state, const std::string& name, const char* what);

// The flat elements of a parameter's value, gradient or optimiser state, checked to be a
// contiguous tensor of the parameter's shape (everything the optimisers touch is created so;
// this catches a view or a wrongly shaped tensor slipped in). `what` and `index` name it.
real* optimizer_elements(Tensor& tensor, const Tensor& parameter, const char* what, size_t index);

// Parameters smaller than this are updated on the calling thread: waking the pool costs more.
constexpr int64_t kOptimizerChunk = 1 << 15;

// Scales all gradients together so that their global L2 norm, sqrt(sum over every gradient
// element of g^2), is at most max_norm (Pascanu et al. 2013, §3.2). As torch.nn.utils.
// clip_grad_norm_: scale = max_norm / (norm + 1e-6), applied only when below 1. Parameters
// without a gradient are ignored. Returns the norm before clipping.
real clip_grad_norm(const std::vector<Variable>& parameters, real max_norm);
// Its two halves. The global norm, in double: inf or NaN when any gradient element is, which is
// how a training step notices divergence at no extra cost.
double gradient_norm(const std::vector<Variable>& parameters);
// Scales the gradients whose global norm is `norm` to a norm of at most max_norm.
void clip_gradients(const std::vector<Variable>& parameters, double norm, real max_norm);

}  // namespace attn
