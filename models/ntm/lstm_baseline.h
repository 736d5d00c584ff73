// The NTM's baseline: a stack of LSTMs reading the same bits, with no memory but its state.
//
//   inputs [B, T, I] -> LSTM x L layers -> h [B, T, C] -> linear -> logits [B, T, O]
//
// Graves et al. 2014, §4 compare the NTM with such a network on every task: on copy it learns
// slower and fails on sequences longer than those it was trained on, because its memory (the
// state c, C numbers) is both its storage and its program. Shapes: C = controller_size.
#pragma once

#include "models/ntm/ntm_config.h"
#include "models/ntm/sequence_model.h"
#include "nn/layers/linear.h"
#include "nn/recurrent/recurrent.h"

namespace attn {

class LstmBaseline : public SequenceModel {
 public:
  explicit LstmBaseline(const NtmConfig& config);

  // inputs [B, T, I] -> logits [B, T, O]
  Variable forward(const Variable& inputs) override;
  Generator& generator() override { return generator_; }

 private:
  Generator generator_;
  Recurrent lstm_;
  Linear output_;
};

}  // namespace attn
