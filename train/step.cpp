// One training step (see step.h).
#include "train/step.h"

#include <cmath>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "models/seq2seq/special_tokens.h"
#include "tensor/reduce.h"

namespace attn {

Variable sequence_loss(const Variable& logits, const Tensor& target_out, real label_smoothing) {
  const int64_t rows = target_out.numel(), vocab = logits.size(-1);
  return cross_entropy(reshape(logits, {rows, vocab}),  // [B*T, V]
                       target_out.reshape({rows}),      // [B*T]
                       special_tokens::pad, label_smoothing);
}

namespace {

// The name of the first parameter whose gradient holds an inf or a NaN ("" if none does).
std::string first_non_finite_gradient(const Optimizer& optimizer) {
  const std::vector<Variable>& parameters = optimizer.parameters();
  for (size_t i = 0; i < parameters.size(); ++i)
    if (parameters[i].has_grad() && !all_finite(parameters[i].grad())) return optimizer.names()[i];
  return "";
}

}  // namespace

StepResult train_step(Seq2Seq& model, const Batch& batch, Optimizer& optimizer,
                      const Schedule& schedule, int64_t step, const StepOptions& options) {
  // The logits [B, T, V] are a step's largest tensor, and the loss keeps what its backward
  // needs (the log-probabilities): no handle outlives this line, so they are freed before the
  // backward starts.
  const Variable loss = sequence_loss(model.forward(batch.source, batch.target_in),  // [B, T, V]
                                      batch.target_out, options.label_smoothing);
  const Variable penalty = model.penalty();  // the model's own term, if it has one
  const Variable objective = penalty.defined() ? loss + penalty : loss;
  const real loss_scale = options.summed_loss ? static_cast<real>(batch.target_tokens) : 1;
  return descend(objective, optimizer, schedule.learning_rate(step), options, loss_scale);
}

StepResult descend(const Variable& objective, Optimizer& optimizer, real learning_rate,
                   const StepOptions& options, real loss_scale) {
  optimizer.zero_grad();
  StepResult result;
  result.loss = objective.item();
  if (!std::isfinite(result.loss)) {
    result.applied = false;
    result.problem = "the loss is " + std::to_string(result.loss);
    return result;
  }
  if (loss_scale != 1)
    (objective * loss_scale).backward();
  else
    objective.backward();
  const double norm = gradient_norm(optimizer.parameters());
  if (!std::isfinite(norm)) {
    result.applied = false;
    result.problem = "the gradient of " + first_non_finite_gradient(optimizer) + " is not finite";
    optimizer.zero_grad();
    return result;
  }
  if (options.clip_norm > 0 && options.clip_each) {
    for (const Variable& parameter : optimizer.parameters())
      if (parameter.has_grad()) clip_gradients({parameter}, gradient_norm({parameter}), options.clip_norm);
  } else if (options.clip_norm > 0) {
    clip_gradients(optimizer.parameters(), norm, options.clip_norm);
  }
  optimizer.set_learning_rate(learning_rate);
  optimizer.step();
  return result;
}

}  // namespace attn
