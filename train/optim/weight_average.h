// Temporal averaging of the weights: evaluate and keep an exponential moving average of the
// parameters instead of the last iterate (Kingma & Ba 2015, "Adam", §7.2; Polyak & Juditsky
// 1992; OpenNMT-py's -average_decay).
//
//   a_0 = 0
//   a_t = beta * a_{t-1} + (1 - beta) * theta_t        after optimiser step t
//   theta_avg_t = a_t / (1 - beta^t)                   the bias correction of Adam's moments
//
// Why it helps: late in training the iterate theta_t does not settle at a minimum, it wanders
// around one with steps the size of the learning rate, and a validation taken at any one step
// scores wherever the wander happens to be. The average sits near the middle of the wander,
// so it scores higher and steadier. beta = 0.999 averages roughly the last 1 / (1 - beta) =
// 1000 steps; the correction divides out the weight a_0 = 0 still holds, as with Adam's moments.
//
// Training always continues from theta_t: the average is only what is evaluated and what the
// model file keeps (AveragedWeightsInUse swaps it in for that). A checkpoint saves a_t as
// "average.<parameter name>" and t as "average_step", so a resumed run averages on exactly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/optim/optimizer.h"

namespace attn {

class WeightAverage {
 public:
  // Averages `parameters` (each once, as an optimiser takes them) with 0 < beta < 1.
  WeightAverage(NamedParameters parameters, double beta);

  // a_t from a_{t-1} and the parameters' current values: call after each optimiser step.
  void update();
  // theta_avg, one tensor per parameter; before the first update, the parameters' values.
  std::vector<Tensor> averaged() const;

  // a_t ("average.<name>") and t ("average_step"), for the checkpoint (train/checkpoint.h).
  OptimizerState state() const;
  // Restores a state(); throws naming the first tensor or counter that is missing or does not
  // fit, and then changes nothing.
  void load_state(const OptimizerState& state);

  const std::vector<Variable>& parameters() const { return parameters_; }
  int64_t steps() const { return steps_; }

 private:
  std::vector<Variable> parameters_;  // handles sharing the model's parameters
  std::vector<std::string> names_;
  std::vector<Tensor> sums_;  // a_t, one per parameter
  double beta_;
  int64_t steps_ = 0;  // t
};

// While alive, the parameters of `average` hold theta_avg; the trained weights come back when it
// goes out of scope. With nullptr (no averaging) nothing changes.
class AveragedWeightsInUse {
 public:
  explicit AveragedWeightsInUse(const WeightAverage* average);
  ~AveragedWeightsInUse();
  AveragedWeightsInUse(const AveragedWeightsInUse&) = delete;
  AveragedWeightsInUse& operator=(const AveragedWeightsInUse&) = delete;

 private:
  const WeightAverage* average_;
  std::vector<Tensor> trained_;  // theta_t, put back by the destructor
};

}  // namespace attn
