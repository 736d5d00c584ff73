// Teacher forcing's targets (see training_data.h).
#include "train/data/training_data.h"

#include <algorithm>

#include "models/seq2seq/special_tokens.h"

namespace attn {

void set_targets(Batch& batch, const std::vector<std::vector<int64_t>>& targets) {
  int64_t T = 1;
  for (const std::vector<int64_t>& y : targets) T = std::max<int64_t>(T, static_cast<int64_t>(y.size()) + 1);
  const int64_t B = static_cast<int64_t>(targets.size());
  const real pad = static_cast<real>(special_tokens::pad);
  batch.target_in = Tensor::full({B, T}, pad);   // [B, T]
  batch.target_out = Tensor::full({B, T}, pad);  // [B, T]
  batch.target_tokens = 0;
  for (int64_t b = 0; b < B; ++b) {
    const std::vector<int64_t>& y = targets[static_cast<size_t>(b)];
    real* in = batch.target_in.data() + b * T;
    real* out = batch.target_out.data() + b * T;
    in[0] = static_cast<real>(special_tokens::bos);
    for (size_t t = 0; t < y.size(); ++t) {
      in[t + 1] = static_cast<real>(y[t]);
      out[t] = static_cast<real>(y[t]);
    }
    out[y.size()] = static_cast<real>(special_tokens::eos);
    batch.target_tokens += static_cast<int64_t>(y.size()) + 1;
  }
}

}  // namespace attn
