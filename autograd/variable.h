// Variable: a tensor that remembers how it was made, so gradients can flow back through it.
//
// Reverse-mode automatic differentiation (the chain rule, applied from the output backwards):
// each op that produces a Variable records a Node holding its inputs and a backward function.
// y.backward() walks the nodes in reverse topological order; each node maps dL/d(output) to
// dL/d(input) for every input:
//
//   dL/dx = sum over uses u of x:  (du/dx)^T dL/du
//
// Gradients ACCUMULATE: backward adds (+=) into x.grad(); only zero_grad() clears it. So a
// variable used twice (x * x, or a diamond a -> b, c -> d) receives the sum of both paths.
//
// The engine is iterative (an explicit stack, no recursion), so a graph 10,000 ops deep neither
// overflows the stack when walked nor when destroyed. After backward, each node frees the
// tensors it saved for backward unless backward was asked to keep the graph.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace attn {

class Variable;
struct VariableState;

// One recorded op: its inputs and the function from the output gradient to input gradients.
struct Node {
  // Given dL/d(output), returns dL/d(input) for each input, in order (an undefined Tensor for an
  // input that gets no gradient). The closure owns the tensors it saved from the forward pass.
  using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;

  std::string op;  // the op's name, for error messages
  // The inputs' graph entries, not their values: a value the backward needs is saved by its
  // closure, and any other is freed as soon as no Variable handle refers to it (VariableState).
  std::vector<std::shared_ptr<VariableState>> inputs;
  BackwardFn backward;  // empty once released after backward

  // Set by ops whose output is a window of their one input (narrow): backward then returns the
  // gradient of that window only, x.narrow(dim, start, length), and the engine adds it into the
  // window of x's gradient. Slicing a tensor into T steps (a recurrent decoder's time loop) then
  // costs T windows, not T full-size tensors of zeros.
  struct Window {
    int dim;
    int64_t start, length;
  };
  std::optional<Window> window;
  ~Node();
};

// The shared state behind a Variable handle: copies of a Variable refer to the same value.
//
// The graph refers to the state too (Node::inputs), but only Variable handles keep an op's
// output value: when the last handle of a non-leaf goes, its value is released, and the graph
// keeps its shape alone. So a step's intermediate results that no backward saved (a product
// before its bias is added, scores before they are scaled) are freed during the forward pass,
// as PyTorch frees them, instead of living until the backward; for a Transformer that is about
// a third of its activation memory. Leaves keep their values: parameters and inputs.
struct VariableState {
  Tensor value;
  Shape shape;                    // value's when made, known after a non-leaf's is released
  Tensor grad;                    // undefined until a gradient arrives
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;  // null for leaves (parameters, inputs)
  int handles = 0;                // Variable handles to it (a graph is built on one thread)
};

class Variable {
 public:
  Variable() = default;
  // A leaf: parameters set requires_grad, data does not.
  explicit Variable(Tensor value, bool requires_grad = false);
  // Handles are counted (VariableState::handles).
  Variable(const Variable& other);
  Variable(Variable&& other) noexcept;
  Variable& operator=(const Variable& other);
  Variable& operator=(Variable&& other) noexcept;
  ~Variable();

  bool defined() const { return state_ != nullptr; }
  const Tensor& value() const;
  // Parameters are updated in place by optimisers through this.
  Tensor& mutable_value();
  const Shape& shape() const { return value().shape(); }
  int ndim() const { return value().ndim(); }
  int64_t size(int dim) const { return value().size(dim); }
  real item() const { return value().item(); }

  bool requires_grad() const;
  bool is_leaf() const;
  // dL/d(this), accumulated over backward calls; undefined before the first.
  const Tensor& grad() const;
  bool has_grad() const;
  void zero_grad();
  const std::shared_ptr<Node>& grad_fn() const;

  // Backward from a scalar (shape [] or one element): dL/dL = 1.
  void backward(bool keep_graph = false) const;
  // Backward with a given dL/d(this), of this variable's shape.
  void backward(const Tensor& grad_output, bool keep_graph = false) const;

  // The same value, cut off from the graph: no gradient flows through it.
  Variable detach() const;

  // For ops: builds the output of `op` from `value`, recording a node when any input needs a
  // gradient and gradients are enabled. Every op in ops.h ends with this call.
  static Variable make_result(Tensor value, const std::string& op, std::vector<Variable> inputs,
                              Node::BackwardFn backward);

  bool same_as(const Variable& other) const { return state_ == other.state_; }

 private:
  friend struct Node;
  void release() noexcept;  // drops this handle
  // The engine's walk over the graph (variable.cpp).
  static std::vector<VariableState*> reverse_topological_order(VariableState* root);
  std::shared_ptr<VariableState> state_;
};

// While one of these lives, ops record no graph (inference, optimiser updates).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// Whether ops currently record a graph (false inside a NoGradGuard). Per thread.
bool grad_enabled();

}  // namespace attn
