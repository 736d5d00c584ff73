// Learning-rate schedules: the learning rate as a function of the step, counted from 1.
//
//   constant:  lr(step) = lr
//   Noam (Vaswani et al. 2017, §5.3, "varied the learning rate over the course of training"):
//     lr(step) = factor * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)
//   The second term wins while step < warmup: lr rises linearly from ~0. The first wins after:
//   lr decays as 1/sqrt(step). They meet at step == warmup, the peak:
//     lr(warmup) = factor * d_model^-0.5 * warmup^-0.5     (512, 4000: 7.0e-4)
//   step decay (Sukhbaatar et al. 2015, §4.2: "annealed every 25 epochs by eta / 2"):
//     lr(step) = lr * factor^floor((step - 1) / every)
//
// Before each optimiser step:   apply(schedule, optimizer, step);   optimizer.step();
#pragma once

#include <cstdint>

#include "train/optim/optimizer.h"

namespace attn {

class Schedule {
 public:
  virtual ~Schedule() = default;
  // The learning rate for step `step` (1 for the first update).
  virtual real learning_rate(int64_t step) const = 0;
};

class ConstantSchedule : public Schedule {
 public:
  explicit ConstantSchedule(real learning_rate);
  real learning_rate(int64_t step) const override;

 private:
  real learning_rate_;
};

class NoamSchedule : public Schedule {
 public:
  NoamSchedule(int64_t d_model, int64_t warmup_steps, real factor = 1);
  real learning_rate(int64_t step) const override;

 private:
  int64_t d_model_;       // model width: wider models take smaller steps
  int64_t warmup_steps_;  // steps of linear increase; 4000 in the paper
  real factor_;           // overall scale; 1 in the paper
};

class StepDecaySchedule : public Schedule {
 public:
  // every: steps between decays (25 epochs' worth); factor: the decay (0.5 halves the rate).
  StepDecaySchedule(real learning_rate, int64_t every, real factor);
  real learning_rate(int64_t step) const override;

 private:
  real learning_rate_;
  int64_t every_;
  real factor_;
};

// The rate halved every `decay_epochs` epochs of `steps_per_epoch` steps; constant for 0.
StepDecaySchedule halved_every(real learning_rate, int64_t decay_epochs, int64_t steps_per_epoch);

// Sets the optimiser's learning rate to the schedule's value at `step`.
void apply(const Schedule& schedule, Optimizer& optimizer, int64_t step);

}  // namespace attn
