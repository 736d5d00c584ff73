// One training step (see step.h).
#include "train/step.h"

#include "autograd/ops.h"
#include "models/seq2seq/special_tokens.h"

namespace attn {

Variable sequence_loss(const Variable& logits, const Tensor& target_out, real label_smoothing) {
  const int64_t rows = target_out.numel(), vocab = logits.size(-1);
  return cross_entropy(reshape(logits, {rows, vocab}),  // [B*T, V]
                       target_out.reshape({rows}),      // [B*T]
                       special_tokens::pad, label_smoothing);
}

real train_step(Seq2Seq& model, const Batch& batch, Optimizer& optimizer, const Schedule& schedule,
                int64_t step, const StepOptions& options) {
  const Variable logits = model.forward(batch.source, batch.target_in);  // [B, T, V]
  const Variable loss = sequence_loss(logits, batch.target_out, options.label_smoothing);
  optimizer.zero_grad();
  loss.backward();
  if (options.clip_norm > 0) clip_grad_norm(optimizer.parameters(), options.clip_norm);
  optimizer.set_learning_rate(schedule.learning_rate(step));
  optimizer.step();
  return loss.item();
}

}  // namespace attn
