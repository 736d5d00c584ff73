// Learning-rate schedules (train/optim/schedule.h): the Noam warm-up-then-decay curve of Vaswani
// et al. 2017, §5.3, checked at hand-computed points and in its shape; the constant schedule;
// apply().
#include <doctest/doctest.h>

#include <cmath>
#include <type_traits>

#include "tensor/error.h"
#include "train/optim/schedule.h"
#include "train/optim/sgd.h"

using namespace attn;

namespace {

// Purely relative (scale 0): rates are ~1e-7..1e-3, far below doctest's default scale of 1. The
// schedule computes in double and rounds to real once.
doctest::Approx approx(double value) {
  return doctest::Approx(value).epsilon(std::is_same_v<real, float> ? 1e-6 : 1e-12).scale(0);
}

}  // namespace

TEST_CASE("Noam: the peak is at step == warmup, d_model^-0.5 * warmup^-0.5") {
  // 512^-0.5 = 0.0441941738, 4000^-0.5 = 0.0158113883: peak = 6.9877124e-4, the paper's ~7e-4.
  const NoamSchedule noam(512, 4000);
  CHECK(noam.learning_rate(4000) == approx(6.987712429686843e-4));
  CHECK(noam.learning_rate(4000) == approx(1 / std::sqrt(512.0) / std::sqrt(4000.0)));
  CHECK(noam.learning_rate(3999) < noam.learning_rate(4000));
  CHECK(noam.learning_rate(4001) < noam.learning_rate(4000));
}

TEST_CASE("Noam: the rate rises linearly during warm-up") {
  // step <= warmup: lr = d_model^-0.5 * step * warmup^-1.5, so lr(step) = step * lr(1).
  //   lr(1) = 0.0441941738 * 4000^-1.5 = 0.0441941738 * 3.9528471e-6 = 1.7469281e-7
  const NoamSchedule noam(512, 4000);
  CHECK(noam.learning_rate(1) == approx(1.746928107421711e-7));
  CHECK(noam.learning_rate(1000) == approx(1000 * 1.746928107421711e-7));
  CHECK(noam.learning_rate(2000) == approx(2 * noam.learning_rate(1000)));
}

TEST_CASE("Noam: the rate decays as the inverse square root of the step after warm-up") {
  // step >= warmup: lr = d_model^-0.5 * step^-0.5; four times the steps, half the rate.
  //   lr(16000) = 0.0441941738 / 126.4911064 = 3.4938562e-4
  const NoamSchedule noam(512, 4000);
  CHECK(noam.learning_rate(16000) == approx(3.4938562148434214e-4));
  CHECK(noam.learning_rate(64000) == approx(noam.learning_rate(16000) / 2));
  for (int64_t step : {4000, 5000, 10000, 100000})
    CHECK(noam.learning_rate(step) * std::sqrt(static_cast<double>(step)) ==
          approx(1 / std::sqrt(512.0)));
}

TEST_CASE("Noam: factor scales the whole curve") {
  const NoamSchedule base(256, 100), doubled(256, 100, 2);
  for (int64_t step : {1, 50, 100, 1000})
    CHECK(doubled.learning_rate(step) == approx(2 * base.learning_rate(step)));
}

TEST_CASE("schedules: steps count from 1; bad settings are rejected") {
  CHECK_THROWS_AS(NoamSchedule(512, 4000).learning_rate(0), Error);
  CHECK_THROWS_AS(ConstantSchedule(0.1).learning_rate(0), Error);
  CHECK_THROWS_AS(NoamSchedule(0, 4000), Error);
  CHECK_THROWS_AS(NoamSchedule(512, 0), Error);
}

TEST_CASE("ConstantSchedule: the same rate at every step") {
  const ConstantSchedule constant(0.01);
  for (int64_t step : {1, 2, 1000, 1000000}) CHECK(constant.learning_rate(step) == real(0.01));
}

TEST_CASE("apply: sets the optimiser's learning rate to the schedule's value at the step") {
  Variable p(Tensor::zeros({2}), true);
  SGD sgd({p}, 1);
  const NoamSchedule noam(512, 4000);
  apply(noam, sgd, 4000);
  CHECK(sgd.learning_rate() == noam.learning_rate(4000));
  apply(noam, sgd, 1);
  CHECK(sgd.learning_rate() == noam.learning_rate(1));
}

TEST_CASE("StepDecaySchedule: the rate halves after every `every` steps (Sukhbaatar et al. §4.2)") {
  const StepDecaySchedule schedule(0.01f, 700, 0.5f);  // 25 epochs of 28 batches
  CHECK(schedule.learning_rate(1) == doctest::Approx(0.01));
  CHECK(schedule.learning_rate(700) == doctest::Approx(0.01));
  CHECK(schedule.learning_rate(701) == doctest::Approx(0.005));
  CHECK(schedule.learning_rate(2800) == doctest::Approx(0.00125));
  CHECK_THROWS_AS(StepDecaySchedule(0.01f, 0, 0.5f), Error);
  CHECK_THROWS_AS(schedule.learning_rate(0), Error);
}
