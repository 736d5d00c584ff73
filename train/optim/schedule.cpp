// Constant and Noam learning-rate schedules (see schedule.h for the formulas).
#include "train/optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "tensor/error.h"

namespace attn {

namespace {

void check_step(int64_t step) {
  check(step >= 1, "learning_rate", "steps count from 1, got " + std::to_string(step));
}

}  // namespace

// ---- constant ---------------------------------------------------------------------------------

ConstantSchedule::ConstantSchedule(real learning_rate) : learning_rate_(learning_rate) {}

real ConstantSchedule::learning_rate(int64_t step) const {
  check_step(step);
  return learning_rate_;
}

// ---- Noam -------------------------------------------------------------------------------------

NoamSchedule::NoamSchedule(int64_t d_model, int64_t warmup_steps, real factor)
    : d_model_(d_model), warmup_steps_(warmup_steps), factor_(factor) {
  check(d_model > 0 && warmup_steps > 0, "NoamSchedule",
        "d_model and warmup_steps must be > 0, got " + std::to_string(d_model) + " and " +
            std::to_string(warmup_steps));
}

real NoamSchedule::learning_rate(int64_t step) const {
  check_step(step);
  // Computed in double and rounded to real once.
  const double s = static_cast<double>(step), warmup = static_cast<double>(warmup_steps_);
  const double decay = 1 / std::sqrt(s);                 // step^-0.5, after the peak
  const double warm = s / (warmup * std::sqrt(warmup));  // step * warmup^-1.5, before it
  return static_cast<real>(factor_ / std::sqrt(static_cast<double>(d_model_)) *
                           std::min(decay, warm));
}

// ---- applying a schedule ----------------------------------------------------------------------

// ---- step decay -------------------------------------------------------------------------------

StepDecaySchedule::StepDecaySchedule(real learning_rate, int64_t every, real factor)
    : learning_rate_(learning_rate), every_(every), factor_(factor) {
  check(every > 0, "StepDecaySchedule", "decays every " + std::to_string(every) +
                                            " steps; it must be at least 1");
}

real StepDecaySchedule::learning_rate(int64_t step) const {
  check_step(step);
  const int64_t decays = (step - 1) / every_;
  return static_cast<real>(learning_rate_ * std::pow(static_cast<double>(factor_), decays));
}

void apply(const Schedule& schedule, Optimizer& optimizer, int64_t step) {
  optimizer.set_learning_rate(schedule.learning_rate(step));
}

StepDecaySchedule halved_every(real learning_rate, int64_t decay_epochs, int64_t steps_per_epoch) {
  const int64_t every = decay_epochs > 0 ? decay_epochs * steps_per_epoch
                                         : std::numeric_limits<int64_t>::max();
  return StepDecaySchedule(learning_rate, every, 0.5f);
}

}  // namespace attn
