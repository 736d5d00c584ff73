// Variable and the backward engine (see variable.h for the idea).
//
// backward(y):
//   1. order   topological order of the nodes reachable from y, found with an explicit stack
//   2. seed    pending[y] = dL/dy
//   3. sweep   for each variable v from y back to the leaves:
//                 leaf  -> v.grad += pending[v]
//                 else  -> grads = v.node.backward(pending[v]); pending[input_i] += grads[i]
// Every gradient is checked to have its input's shape (or its window's, for a node that says
// its gradient covers a window of its input), naming the op that produced it.
//
// pending[x] sums the gradients of x's uses as they arrive. A sum the engine made is its own, so
// later gradients are added into it in place; the first gradient to arrive is the op's, which
// may share storage with a tensor the op saved, so the engine copies it before adding to it.
#include "autograd/variable.h"

#include <unordered_map>

#include "tensor/elementwise.h"
#include "tensor/error.h"

namespace attn {

namespace {
thread_local bool grad_mode_enabled = true;
}

bool grad_enabled() { return grad_mode_enabled; }

NoGradGuard::NoGradGuard() : previous_(grad_mode_enabled) { grad_mode_enabled = false; }
NoGradGuard::~NoGradGuard() { grad_mode_enabled = previous_; }

// ---- destruction without recursion --------------------------------------------------------------

// Dropping the last handle to a long chain y <- node <- x <- node <- ... would destroy each node
// inside the destructor of the one after it: 10,000 nested destructor calls. Instead each node
// hands its inputs' nodes to a loop that releases them one at a time.
Node::~Node() {
  std::vector<std::shared_ptr<Node>> to_release;
  for (std::shared_ptr<VariableState>& input : inputs)
    if (input.use_count() == 1 && input->grad_fn) to_release.push_back(std::move(input->grad_fn));
  inputs.clear();
  while (!to_release.empty()) {
    std::shared_ptr<Node> node = std::move(to_release.back());
    to_release.pop_back();
    if (node.use_count() != 1) continue;  // someone else still holds it
    for (std::shared_ptr<VariableState>& input : node->inputs)
      if (input.use_count() == 1 && input->grad_fn) to_release.push_back(std::move(input->grad_fn));
    node->inputs.clear();
  }
}

// ---- Variable ---------------------------------------------------------------------------------

Variable::Variable(Tensor value, bool requires_grad) : state_(std::make_shared<VariableState>()) {
  check(value.defined(), "Variable", "value is an undefined tensor");
  state_->shape = value.shape();
  state_->value = std::move(value);
  state_->requires_grad = requires_grad;
  state_->handles = 1;
}

// ---- handles: the last one of an op's output frees its value (see VariableState) ---------------

Variable::Variable(const Variable& other) : state_(other.state_) {
  if (state_) ++state_->handles;
}

Variable::Variable(Variable&& other) noexcept : state_(std::move(other.state_)) {}

Variable& Variable::operator=(const Variable& other) {
  if (other.state_) ++other.state_->handles;  // first: assigning a variable to itself
  release();
  state_ = other.state_;
  return *this;
}

Variable& Variable::operator=(Variable&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
  }
  return *this;
}

Variable::~Variable() { release(); }

void Variable::release() noexcept {
  if (!state_) return;
  if (--state_->handles == 0 && state_->grad_fn) state_->value = Tensor();
  state_.reset();
}

const Tensor& Variable::value() const {
  check(defined(), "Variable", "use of an undefined variable");
  return state_->value;
}

Tensor& Variable::mutable_value() {
  check(defined(), "Variable", "use of an undefined variable");
  return state_->value;
}

bool Variable::requires_grad() const { return defined() && state_->requires_grad; }
bool Variable::is_leaf() const { return defined() && !state_->grad_fn; }
const std::shared_ptr<Node>& Variable::grad_fn() const {
  check(defined(), "Variable", "use of an undefined variable");
  return state_->grad_fn;
}

const Tensor& Variable::grad() const {
  check(defined(), "grad", "use of an undefined variable");
  return state_->grad;
}

bool Variable::has_grad() const { return defined() && state_->grad.defined(); }

void Variable::zero_grad() {
  if (defined()) state_->grad = Tensor();
}

Variable Variable::detach() const { return Variable(value(), false); }

Variable Variable::make_result(Tensor value, const std::string& op, std::vector<Variable> inputs,
                               Node::BackwardFn backward) {
  Variable result(std::move(value), false);
  if (!grad_enabled()) return result;
  bool any_requires_grad = false;
  for (const Variable& input : inputs) any_requires_grad |= input.requires_grad();
  if (!any_requires_grad) return result;
  auto node = std::make_shared<Node>();
  node->op = op;
  node->inputs.reserve(inputs.size());
  for (const Variable& input : inputs) node->inputs.push_back(input.state_);
  node->backward = std::move(backward);
  result.state_->requires_grad = true;
  result.state_->grad_fn = std::move(node);
  return result;
}

// ---- the engine -------------------------------------------------------------------------------

namespace {

// dL/dx summed over the uses of x whose gradients have arrived (see the top of this file).
struct PendingGradient {
  Tensor sum;
  bool owned = false;  // the engine made `sum`, so it may add into it in place

  // Adds grad, the gradient of all of x (shape `shape`) or of a window of it.
  void add(const Tensor& grad, const Shape& shape, const std::optional<Node::Window>& window) {
    if (!sum.defined() && !window) {
      sum = grad;  // the op's own tensor: copied before anything is added into it
      return;
    }
    if (!sum.defined()) {
      sum = Tensor::zeros(shape);
      owned = true;
    } else if (!owned) {
      sum = sum.clone();
      owned = true;
    }
    Tensor target = window ? sum.narrow(window->dim, window->start, window->length) : sum;
    add_into(target, grad);
  }
};

}  // namespace

// Variables reachable from `root` through grad_fn links, each after every variable that uses it
// (root first). Depth-first with an explicit stack; a variable is emitted once all of its
// inputs have been visited, then the list is reversed.
std::vector<VariableState*> Variable::reverse_topological_order(VariableState* root) {
  std::vector<VariableState*> order;
  std::unordered_map<VariableState*, bool> visited;
  std::vector<std::pair<VariableState*, size_t>> stack{{root, 0}};  // (variable, next input)
  visited[root] = true;
  while (!stack.empty()) {
    auto& [state, next_input] = stack.back();
    const Node* node = state->grad_fn.get();
    if (node && next_input < node->inputs.size()) {
      VariableState* input = node->inputs[next_input++].get();
      if (input->requires_grad && !visited[input]) {
        visited[input] = true;
        stack.push_back({input, 0});
      }
    } else {
      order.push_back(state);
      stack.pop_back();
    }
  }
  return {order.rbegin(), order.rend()};
}

void Variable::backward(bool keep_graph) const {
  check(value().numel() == 1, "backward", [&] {
    return "needs a scalar output to start from, got " + to_string(shape()) +
           "; pass the output gradient explicitly";
  });
  backward(Tensor::ones(shape()), keep_graph);
}

void Variable::backward(const Tensor& grad_output, bool keep_graph) const {
  check(requires_grad(), "backward", "this variable does not require a gradient");
  check(grad_output.shape() == shape(), "backward", [&] {
    return "output gradient " + to_string(grad_output.shape()) + " does not match output " +
           to_string(shape());
  });
  std::unordered_map<VariableState*, PendingGradient> pending;
  pending[state_.get()].sum = grad_output;
  for (VariableState* state : reverse_topological_order(state_.get())) {
    auto found = pending.find(state);
    if (found == pending.end()) continue;  // no path carried a gradient here
    Tensor grad = std::move(found->second.sum);
    pending.erase(found);
    if (!state->grad_fn) {
      if (state->grad.defined()) add_into(state->grad, grad);
      else state->grad = grad.clone();  // a fresh row-major copy the leaf owns
      continue;
    }
    Node& node = *state->grad_fn;
    check(static_cast<bool>(node.backward), node.op,
          "backward through this graph a second time, but its saved tensors were released; "
          "call backward(keep_graph = true) the first time");
    std::vector<Tensor> input_grads = node.backward(grad);
    check(input_grads.size() == node.inputs.size(), node.op, [&] {
      return "backward returned " + std::to_string(input_grads.size()) + " gradients for " +
             std::to_string(node.inputs.size()) + " inputs";
    });
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      VariableState* input = node.inputs[i].get();
      if (!input->requires_grad || !input_grads[i].defined()) continue;
      // A leaf's value may have been replaced through mutable_value(); it is never released.
      const Shape& whole = input->value.defined() ? input->value.shape() : input->shape;
      Shape expected = whole;
      if (node.window) expected[static_cast<size_t>(node.window->dim)] = node.window->length;
      check(input_grads[i].shape() == expected, node.op, [&] {
        return "backward produced gradient " + to_string(input_grads[i].shape()) + " for input " +
               std::to_string(i) + " of shape " + to_string(expected);
      });
      pending[input].add(input_grads[i], whole, node.window);
    }
    if (!keep_graph) node.backward = nullptr;
  }
}

}  // namespace attn
