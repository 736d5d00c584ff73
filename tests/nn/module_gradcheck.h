// Gradient checks that cover a module's parameters as well as its inputs.
//
// gradcheck (autograd/gradcheck.h) differentiates f with respect to the tensors it is given. A
// module's parameters are not among them: the module owns its own leaf Variables. So this helper
// wraps "run f, which calls the module" as ONE op whose inputs are the data AND the parameters:
//   inputs   the data tensors, then each parameter's own value tensor. They share storage, so
//            when gradcheck nudges an element for its finite differences, the module sees it.
//   forward  f on fresh leaves over the data's storage (the inner graph), y = f(leaves)
//   backward run the inner graph's backward with the arriving gradient g, and hand back what
//            the inner leaves and the module's parameters received:
//              d(inputs) = (dL/d leaves, dL/d parameters) = J^T g
// The analytic gradients of the parameters therefore come from the engine itself, and the
// numeric ones from perturbing the very tensors the module computes with.
#pragma once

#include <vector>

#include "autograd/gradcheck.h"
#include "nn/module.h"

namespace attn {

// gradcheck of f(data) with respect to every data tensor and every parameter of `module`.
inline GradCheckResult gradcheck_with_parameters(Module& module, const GradCheckFunction& f,
                                                 const std::vector<Tensor>& data,
                                                 const GradCheckOptions& options = {}) {
  const std::vector<Variable> parameters = module.parameters();
  std::vector<Tensor> inputs = data;
  for (const Variable& parameter : parameters) inputs.push_back(parameter.value());

  auto module_as_op = [&](const std::vector<Variable>& xs) {
    std::vector<Variable> leaves;  // over the data's storage: the inner graph starts here
    for (size_t i = 0; i < data.size(); ++i) leaves.emplace_back(xs[i].value(), true);
    const Variable y = f(leaves);

    std::vector<Variable> sources = leaves;  // where the inner backward leaves its gradients
    sources.insert(sources.end(), parameters.begin(), parameters.end());
    return Variable::make_result(y.value(), "module", xs, [y, sources](const Tensor& g) {
      for (Variable source : sources) source.zero_grad();
      if (y.requires_grad()) y.backward(g);
      std::vector<Tensor> grads;  // undefined where nothing arrived: gradcheck reads 0 there
      for (const Variable& source : sources)
        grads.push_back(source.has_grad() ? source.grad() : Tensor());
      return grads;
    });
  };
  return gradcheck(module_as_op, inputs, options);
}

}  // namespace attn
