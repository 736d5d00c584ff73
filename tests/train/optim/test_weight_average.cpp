// The weights' moving average (train/optim/weight_average.h): the bias-corrected average against
// sums worked out by hand, swapping it into the model and back, and its checkpointable state.
#include <doctest/doctest.h>

#include <type_traits>
#include <vector>

#include "tensor/error.h"
#include "train/optim/weight_average.h"

using namespace attn;

namespace {

constexpr double kTolerance = std::is_same_v<real, float> ? 2e-6 : 1e-12;

Variable parameter(const std::vector<real>& values) {
  return Variable(Tensor::from_vector({static_cast<int64_t>(values.size())}, values), true);
}

void set_values(Variable& p, const std::vector<real>& values) {
  p.mutable_value().copy_from(Tensor::from_vector(p.shape(), values));
}

void check_values(const Tensor& actual, const std::vector<double>& expected) {
  const std::vector<real> values = actual.to_vector();
  REQUIRE(values.size() == expected.size());
  for (size_t i = 0; i < values.size(); ++i)
    CHECK(values[i] == doctest::Approx(expected[i]).epsilon(kTolerance));
}

}  // namespace

TEST_CASE("weight average: a_t / (1 - beta^t) against sums worked out by hand") {
  Variable p = parameter({0, 0});
  WeightAverage average({{"p", p}}, 0.5);
  check_values(average.averaged()[0], {0, 0});  // before any update: the weights themselves
  // theta = 1, 2, 4 (first element) and 3, 3, 3 (second):
  //   a_1 = 0.5,  a_2 = 0.25 + 1 = 1.25,  a_3 = 0.625 + 2 = 2.625;  / (1 - 1/8) = 3
  //   a constant weight averages to itself exactly: the correction removes a_0 = 0's share
  for (real first : {1, 2, 4}) {
    set_values(p, {first, 3});
    average.update();
  }
  CHECK(average.steps() == 3);
  check_values(average.averaged()[0], {3, 3});
}

TEST_CASE("weight average: the average is in use inside the scope, the trained weights after") {
  Variable p = parameter({2, 4});
  WeightAverage average({{"p", p}}, 0.5);
  average.update();  // a_1 = (1, 2): the average of one step is (2, 4)
  set_values(p, {6, 8});
  average.update();  // a_2 = (0.5 + 3, 1 + 4) / 0.75
  {
    const AveragedWeightsInUse in_use(&average);
    check_values(p.value(), {3.5 / 0.75, 5 / 0.75});
  }
  check_values(p.value(), {6, 8});
  {
    const AveragedWeightsInUse nothing(nullptr);
    check_values(p.value(), {6, 8});
  }
}

TEST_CASE("weight average: its state continues exactly, and a state that does not fit is named") {
  Variable p = parameter({1, 2});
  WeightAverage average({{"p", p}}, 0.9);
  average.update();
  set_values(p, {5, -1});
  average.update();
  const OptimizerState saved = average.state();
  CHECK(saved.counters.at("average_step") == 2);
  CHECK(saved.tensors.count("average.p") == 1);

  WeightAverage resumed({{"p", p}}, 0.9);
  resumed.load_state(saved);
  average.update();
  resumed.update();
  CHECK(resumed.averaged()[0].to_vector() == average.averaged()[0].to_vector());

  OptimizerState wrong = saved;
  wrong.tensors["average.p"] = Tensor::zeros({3});
  CHECK_THROWS_WITH_AS(resumed.load_state(wrong), doctest::Contains("average.p: saved [3]"), Error);
  wrong = saved;
  wrong.counters.erase("average_step");
  CHECK_THROWS_WITH_AS(resumed.load_state(wrong), doctest::Contains("average_step: missing"),
                       Error);
  CHECK(resumed.steps() == 3);  // nothing changed by the refused states
  CHECK_THROWS_WITH_AS(WeightAverage({{"p", p}}, 1.0), doctest::Contains("beta must lie in (0, 1)"),
                       Error);
}
