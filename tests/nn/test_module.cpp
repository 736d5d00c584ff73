// Module (nn/module.h): hierarchical names, counts, modes, gradients and state dictionaries.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/module.h"
#include "tensor/error.h"

using namespace attn;

namespace {

using Values = std::vector<real>;

// A layer with two parameters: "weight" [2, 3] filled with `fill` and "bias" [2] with -fill.
class Leaf : public Module {
 public:
  explicit Leaf(real fill) {
    weight = register_parameter("weight", Tensor::full({2, 3}, fill));
    bias = register_parameter("bias", Tensor::full({2}, -fill));
  }
  Variable weight, bias;
};

// Two leaves under one node: names "b.*" and "c.*".
class Branch : public Module {
 public:
  Branch() : b(1), c(2) {
    register_module("b", b);
    register_module("c", c);
  }
  Leaf b, c;
};

// The tree   root { scale [1],  a { b { weight, bias },  c { weight, bias } } }
class Tree : public Module {
 public:
  Tree() {
    scale = register_parameter("scale", Tensor::full({1}, 3));
    register_module("a", a);
  }
  Variable scale;
  Branch a;
};

std::vector<std::string> names_of(const Module& module) {
  std::vector<std::string> names;
  for (const auto& [name, parameter] : module.named_parameters()) names.push_back(name);
  return names;
}

// A checkpoint of `tree` with every value replaced by `value`.
StateDict filled_state(const Tree& tree, real value) {
  StateDict state = tree.state_dict();
  for (auto& [name, tensor] : state) tensor.fill(value);
  return state;
}

// Two leaves that share one weight, as a memory network ties A_{k+1} = C_k: the second leaf
// registers the first one's weight under its own name, and the shared child is registered twice.
class Tied : public Module {
 public:
  Tied() : first(1) {
    register_module("first", first);
    shared_weight = register_parameter("second_weight", first.weight);
    register_module("again", first);  // the same child under a second name
  }
  Leaf first;
  Variable shared_weight;
};

}  // namespace

TEST_CASE("Module: a tied parameter is one parameter, listed once under its first name") {
  const Tied tied;
  CHECK(tied.shared_weight.same_as(tied.first.weight));
  // A module's own parameters come before its children's, so the tie is reached first.
  CHECK(names_of(tied) == std::vector<std::string>{"second_weight", "first.bias"});
  CHECK(tied.parameter_count() == 2 * 3 + 2);
  CHECK(tied.state_dict().size() == 2);
}

TEST_CASE("Module: a parameter registered as shared must already be a parameter") {
  class Bad : public Module {
   public:
    Bad() { register_parameter("w", Variable(Tensor::zeros({2}))); }  // no gradient wanted
  };
  CHECK_THROWS_WITH_AS(Bad(), doctest::Contains("register_parameter: w: a shared parameter"),
                       Error);
}

TEST_CASE("Module: parameter names compose with dots, in registration order") {
  const Tree tree;
  CHECK(names_of(tree) == std::vector<std::string>{"scale", "a.b.weight", "a.b.bias",
                                                   "a.c.weight", "a.c.bias"});
  CHECK(names_of(tree.a) == std::vector<std::string>{"b.weight", "b.bias", "c.weight", "c.bias"});
}

TEST_CASE("Module: parameters are the module's own handles and require gradients") {
  const Tree tree;
  const std::vector<Variable> parameters = tree.parameters();
  REQUIRE(parameters.size() == 5);
  CHECK(parameters[0].same_as(tree.scale));
  CHECK(parameters[3].same_as(tree.a.c.weight));
  for (const Variable& parameter : parameters) CHECK(parameter.requires_grad());
}

TEST_CASE("Module: parameter_count counts scalars over the whole tree") {
  const Tree tree;
  CHECK(tree.parameter_count() == 1 + 2 * (2 * 3 + 2));  // scale + two leaves of W [2,3], b [2]
  CHECK(tree.a.b.parameter_count() == 8);
}

TEST_CASE("Module: train and eval reach every descendant, and only descendants") {
  Tree tree;
  CHECK(tree.is_training());  // modules start in training mode, as in PyTorch
  tree.eval();
  CHECK_FALSE(tree.is_training());
  CHECK_FALSE(tree.a.is_training());
  CHECK_FALSE(tree.a.c.is_training());
  tree.a.b.train();
  CHECK(tree.a.b.is_training());
  CHECK_FALSE(tree.a.c.is_training());
  CHECK_FALSE(tree.is_training());
  tree.train();
  CHECK(tree.a.c.is_training());
}

TEST_CASE("Module: zero_grad clears the gradient of every parameter in the tree") {
  Tree tree;
  Variable loss = sum(tree.scale);
  for (const Variable& parameter : tree.a.parameters()) loss = loss + sum(parameter);
  loss.backward();
  for (const Variable& parameter : tree.parameters()) CHECK(parameter.has_grad());
  tree.zero_grad();
  for (const Variable& parameter : tree.parameters()) CHECK_FALSE(parameter.has_grad());
}

TEST_CASE("Module: state_dict holds copies, and load_state_dict restores them") {
  Tree tree;
  const StateDict saved = tree.state_dict();
  CHECK(saved.size() == 5);
  tree.a.c.weight.mutable_value().fill(7);  // changing the model leaves the checkpoint as it was
  CHECK(saved.at("a.c.weight").to_vector() == Values(6, 2));
  tree.load_state_dict(saved);
  CHECK(tree.a.c.weight.value().to_vector() == Values(6, 2));

  Tree other;
  other.load_state_dict(filled_state(tree, 5));  // round trip into a second model
  for (const auto& [name, tensor] : other.state_dict())
    CHECK(tensor.to_vector() == Values(tensor.numel(), 5));
}

TEST_CASE("Module: load_state_dict names a parameter missing from the checkpoint") {
  Tree tree;
  StateDict state = filled_state(tree, 5);
  state.erase("a.b.bias");
  CHECK_THROWS_WITH_AS(tree.load_state_dict(state),
                       "load_state_dict: a.b.bias: missing from the checkpoint", Error);
}

TEST_CASE("Module: load_state_dict names a checkpoint tensor the model does not have") {
  Tree tree;
  StateDict state = filled_state(tree, 5);
  state["a.d.weight"] = Tensor::zeros({2});
  CHECK_THROWS_WITH_AS(tree.load_state_dict(state),
                       "load_state_dict: a.d.weight: not a parameter of this model", Error);
}

TEST_CASE("Module: load_state_dict names a shape mismatch with both shapes") {
  Tree tree;
  StateDict state = filled_state(tree, 5);
  state["a.c.weight"] = Tensor::zeros({3, 2});
  CHECK_THROWS_WITH_AS(tree.load_state_dict(state),
                       "load_state_dict: a.c.weight: checkpoint has [3,2], model has [2,3]", Error);
}

TEST_CASE("Module: a failed load_state_dict leaves every value unchanged") {
  Tree tree;
  const StateDict before = tree.state_dict();
  // Every other tensor is valid and would be copied, if the bad one did not stop the load first.
  StateDict shape_mismatch = filled_state(tree, 5);
  shape_mismatch["a.c.bias"] = Tensor::zeros({3});
  StateDict unexpected = filled_state(tree, 5);
  unexpected["extra"] = Tensor::zeros({1});
  for (const StateDict& bad : {shape_mismatch, unexpected}) {
    CHECK_THROWS_AS(tree.load_state_dict(bad), Error);
    for (const auto& [name, tensor] : tree.state_dict())
      CHECK(tensor.to_vector() == before.at(name).to_vector());
  }
}
